package io.jrlstream.ops;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.experiment.Experiment;
import io.jrlstream.core.serve.Query;
import io.jrlstream.core.serve.Recommendations;
import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.importer.ImportKeys;
import io.jrlstream.ops.importer.Importer;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.DatasetProducer;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.ImageProducer;
import io.jrlstream.ops.pipeline.Lifecycle;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.pipeline.TopicCounter;
import io.jrlstream.ops.pipeline.TrainerLag;
import io.jrlstream.ops.replay.ReplayKeys;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.ops.serve.ServeServer;
import io.jrlstream.ops.serve.Serving;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.Origin;
import io.jrlstream.streams.config.StreamsKeys;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.image.ImageKeys;
import io.jrlstream.streams.image.ImageSettings;
import io.jrlstream.streams.serve.ServeSettings;
import io.jrlstream.streams.shard.ShardKeys;
import io.jrlstream.streams.train.QualityBoard;
import io.jrlstream.streams.train.RocksDbBounds;
import io.jrlstream.streams.train.TrainingObserver;
import io.jrlstream.streams.train.TrainingKeys;
import io.jrlstream.streams.train.TrainingOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl local}: a real single-node KRaft broker in-process (data under the working directory, reused
 * on restart), the trainer pipeline, and a producer streaming a data set, with progress.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
    description = {"Run everything on this machine: an embedded Kafka broker, the streaming trainer (exactly-once), "
          + "and a producer that streams a data set (built-in synthetic by default, or --data FILE).",
        "Data lives under --work-dir and is reused: a second run produces only the events not produced yet."})
final class LocalCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Mixin
  DataOption data;

  @Mixin
  ModelOptions modelOptions;

  @Option(names = "--work-dir", defaultValue = "jrl-work", description = "Broker data and state (default "
      + "${DEFAULT-VALUE}).")
  Path workDir;

  @Option(names = "--views", split = ",", description = "Views to train (default: those with data).")
  List<String> views;

  @Option(names = "--batch-size", paramLabel = "N",
      description = "Mini-batch size (overrides jrl.batch.size, default 64).")
  Integer batchSize;

  @Option(names = "--rate", defaultValue = "0", description = "Events per second to produce (0: as fast as possible).")
  double rate;

  @Option(names = "--broker-port", paramLabel = "PORT",
      description = "Port of the embedded broker on 127.0.0.1 (default 0: a free one).")
  int port;

  @Option(names = "--port", paramLabel = "PORT", hidden = true, description = "Older name of --broker-port.")
  void port(int p) {
    port = p;
  }

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file as for jrl run (its bootstrap.servers is replaced by the embedded broker's; "
          + "broker data and stores stay under --work-dir).")
  Path config;

  @Option(names = "--streams-config", paramLabel = "KEY=VALUE", split = ",",
      description = "More settings on the command line: jrl.* keys or Kafka Streams and client properties, e.g. "
          + "commit.interval.ms=500.")
  Map<String, String> streamsConfig = Map.of();

  @Option(names = "--follow", description = "Keep running after the data set has been produced (Ctrl-C stops).")
  boolean follow;

  @Option(names = "--image-model", paramLabel = "FILE",
      description = "ONNX feature extractor: also run image feature extraction (images topic -> image-features).")
  Path imageModel;

  @Option(names = "--image-set", paramLabel = "KEY=VALUE", split = ",",
      description = "jrl.image.* settings and jrl.feature.dim (the model's output dimension; default 4096), "
          + "e.g. jrl.feature.dim=16,jrl.image.input.size=32; jrl config --template lists them.")
  Map<String, String> imageSettings = Map.of();

  @Option(names = "--images", paramLabel = "DIR",
      description = "Produce the .jpg/.jpeg/.png files of DIR as image events (item id: file name) before the data.")
  Path imagesDir;

  @Mixin
  ServeOptions serve;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Dataset ds = data.load(err);
    Configuration c = configuration();
    ModelConfig cfg = modelOptions.apply(ModelKeys.apply(ModelConfig.defaults().withSeed(c.get(TrainingKeys.SEED)), c))
        .fittedTo(ds);
    ImageSettings image = ImageSettings.from(c).orElse(null);
    if (image != null) {
      cfg = cfg.withImage(new ImageView.Settings(cfg.image().lambda(), image.model().featureDim(),
          cfg.image().layers()));
    } else if (imagesDir != null) {
      throw new IllegalArgumentException("--images needs --image-model");
    }
    List<String> trained = c.isSet(TrainingKeys.VIEWS) ? c.get(TrainingKeys.VIEWS) : Experiment.viewsWithData(ds);
    TrainingOptions training = TrainingOptions.from(c);
    Map<String, String> rocksDb = RocksDbBounds.from(c).streamsProperties();
    long t0 = System.nanoTime();
    Health health = new Health();
    Duration grace = Duration.ofMillis(c.get(OpsKeys.HEALTH_EXIT_GRACE_MS));
    try (Lifecycle life = Lifecycle.install(health);
        Metrics metrics = Metrics.create();
        LocalBroker broker = LocalBroker.start(LocalBroker.Settings.of(workDir.resolve("broker")).withPort(port))) {
      err.printf("broker up at %s (data in %s) in %.1f s%n", broker.bootstrapServers(), workDir.resolve("broker"),
          (System.nanoTime() - t0) / 1e9);
      Configuration local = c.with(StreamsKeys.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers(),
          Origin.commandLine("(the embedded broker)"));
      StreamsSettings s = StreamsSettings.from(local);
      String imports = c.get(ImportKeys.IMPORTS_TOPIC);
      try (Admin admin = Admin.create(s.kafkaProperties())) {
        TopicAdmin.ensureTopics(admin, Importer.topics(s, imports));
      }
      Path stateDir = workDir.resolve("state");
      QualityBoard quality = new QualityBoard();
      Pipeline.Options po = new Pipeline.Options(trained, stateDir, rocksDb, training, ShardKeys.from(c));
      try (Pipeline pipeline = metrics.bind(Pipeline.start(s, cfg, po, image,
          TrainingObserver.all(metrics.training(trained), quality)).register(health, trained), trained);
          TrainerLag trainerLag = TrainerLag.start(s, trained, c.get(OpsKeys.READY_MAX_TRAINER_LAG),
              TrainerLag.REFRESH, pipeline).gate(health);
          Serving serving = serve.noServe ? null : Serving.start(s, ServeSettings.from(c, trained),
              HttpSettings.from(c), stateDir, rocksDb, c.get(ReplayKeys.VIEW_VERSIONS_TOPIC), health, metrics);
          ServeServer metricsServer = serve.metricsServer(c, true, health, metrics, err);
          TopicCounter counter = TopicCounter.start(s, trained);
          DatasetProducer producer = DatasetProducer.exactlyOnce(ds, s, imports, cfg.seed())) {
        metrics.bindHealth(health);
        metrics.bindLag(trainerLag);
        pipeline.awaitRunning(Duration.ofMinutes(2), () -> life.check(grace));
        err.printf("trainer running: views %s, batch %d, exactly-once%n", String.join(",", trained),
            training.batchSize());
        if (serving != null) {
          err.printf("serving recommendations at %s/users/USER/recommendations (jrl query USER --url %s)%n",
              serving.url(), serving.url());
        }
        err.flush();
        if (imagesDir != null) {
          try (ImageProducer images = new ImageProducer(s, image.images().name())) {
            err.printf("produced %d images from %s to %s%n", images.sendFolder(imagesDir), imagesDir,
                image.images().name());
          }
        }
        int already = producer.committedPosition();
        if (already > 0) {
          err.printf("%d events were produced by an earlier run; producing the rest%n", already);
        }
        long p0 = System.nanoTime();
        long sent = producer.produce(already, ds.interactions().size(), rate,
            n -> progress(err, n, counter, p0), life::stopping);
        life.check(grace);
        err.printf("produced %d events in %.1f s; waiting for the trainer to catch up%n", sent,
            (System.nanoTime() - p0) / 1e9);
        pipeline.awaitCaughtUp(Duration.ofMinutes(10), lag -> {
          life.check(grace);
          List<String> parts = new ArrayList<>();
          counter.embeddings().forEach((k, v) -> parts.add(k.substring(k.lastIndexOf('.') + 1) + " " + v));
          err.printf("  training: %6d records queued (input + per-view)  vectors published: %s%n", lag,
              String.join(", ", parts));
          err.flush();
        });
        counter.awaitQuiet(Duration.ofSeconds(1), Duration.ofSeconds(30));
        double secs = (System.nanoTime() - p0) / 1e9;
        out.printf("%ntrained %d events in %.1f s (%.0f events/s end to end)%n", sent, secs, sent / secs);
        for (Map.Entry<String, Long> e : counter.embeddings().entrySet()) {
          out.printf("  %-26s %8d vectors published%n", e.getKey(), e.getValue());
        }
        out.printf("  %-26s %8d records%n", s.deadLetters().name(), counter.deadLetters());
        printQuality(out, quality, training.quality().sampleEvery());
        if (serving != null) {
          printExample(out, ds, serving);
        }
        out.flush();
        if (follow) {
          err.println("following; Ctrl-C stops");
          err.flush();
          return life.awaitStop(grace, err);
        }
      }
    } catch (Lifecycle.StoppedException e) {
      err.printf("jrl local %s%n", e.getMessage());
      err.flush();
      return e.exitCode();
    }
    return 0;
  }

  /**
   * The configuration: the {@code --config} file (if any), the environment, then the command line: the model and
   * serving options, {@code --views}, {@code --batch-size}, {@code --image-model} with {@code --image-set}, and
   * {@code --streams-config}.
   */
  private Configuration configuration() {
    Configuration.Builder b = JrlConfiguration.builder(config, Jrl.environment(spec));
    serve.addTo(b);
    ModelKeys.addTo(b, modelOptions);
    if (views != null) {
      b.set(TrainingKeys.VIEWS.key(), String.join(",", views), Origin.commandLine("--views"));
    }
    if (batchSize != null) {
      b.set(TrainingKeys.BATCH_SIZE.key(), Integer.toString(batchSize), Origin.commandLine("--batch-size"));
    }
    streamsConfig.forEach((k, v) -> b.set(k, v, Origin.commandLine("--streams-config")));
    if (imageModel == null && !imageSettings.isEmpty()) {
      throw new IllegalArgumentException("--image-set needs --image-model");
    }
    imageSettings.forEach((k, v) -> {
      if (!k.startsWith("jrl.image.") && !k.equals(StreamsKeys.FEATURE_DIM.key())
          && !k.startsWith(ImageKeys.IMAGES.name().key())) {
        throw new IllegalArgumentException("--image-set takes jrl.image.*, jrl.topic.images* and "
            + StreamsKeys.FEATURE_DIM.key() + " keys, not " + k);
      }
      b.set(k, v, Origin.commandLine("--image-set"));
    });
    if (imageModel != null) {
      b.set(ImageKeys.MODEL.key(), imageModel.toString(), Origin.commandLine("--image-model"));
    }
    Configuration c = b.build();
    JrlConfiguration.warnIgnored(c, spec.commandLine().getErr());
    return c.requireValid();
  }

  /**
   * What the pipeline learned, as prequential quality: each view ranked every {@code sampleEvery}-th event's item
   * before training on it; popularity since the start ranked the same events.
   */
  private static void printQuality(PrintWriter out, QualityBoard board, int sampleEvery) {
    Map<String, QualityBoard.Entry> latest = board.latest();
    if (latest.isEmpty()) {
      return;
    }
    out.printf("live quality (each view ranks %s item before it trains; NDCG@10 / HR@10):%n",
        sampleEvery == 1 ? "every event's" : "every " + ordinal(sampleEvery) + " event's");
    for (Map.Entry<String, QualityBoard.Entry> e : latest.entrySet()) {
      PrequentialMeter.Snapshot m = e.getValue().model();
      PrequentialMeter.Snapshot p = e.getValue().popularity();
      out.printf("  %-14s %.4f / %.4f over %d events   popularity so far %.4f / %.4f%n", e.getKey(), m.ndcg(),
          m.hitRate(), m.ranked(), p.ndcg(), p.hitRate());
    }
  }

  /** 2nd, 3rd, 50th, 101st… */
  static String ordinal(int n) {
    int tens = n % 100;
    String suffix = tens >= 11 && tens <= 13 ? "th" : switch (n % 10) {
      case 1 -> "st";
      case 2 -> "nd";
      case 3 -> "rd";
      default -> "th";
    };
    return n + suffix;
  }

  /** One answer for the data set's most active user, as a new user would ask for it. */
  private static void printExample(PrintWriter out, Dataset ds, Serving serving) {
    int[] counts = new int[ds.userCount()];
    int best = 0;
    for (Interaction x : ds.interactions()) {
      if (++counts[x.user()] > counts[best]) {
        best = x.user();
      }
    }
    String user = ds.users().id(best);
    try {
      Recommendations r = serving.service().recommend(user, Query.of(5, null, null, serving.service().settings()),
          false);
      List<String> items = r.items().stream().map(i -> String.format("%s (%.3f)", i.item(), i.score())).toList();
      out.printf("top 5 for user %s (%s answer; %d interactions): %s%n  (jrl query %s --url %s)%n", user, r.kind(),
          counts[best], String.join(", ", items), user, serving.url());
    } catch (RuntimeException e) {
      out.printf("no answer for user %s yet: %s%n", user, e.getMessage());
    }
  }

  private static void progress(PrintWriter err, long sent, TopicCounter c, long t0) {
    double secs = (System.nanoTime() - t0) / 1e9;
    List<String> parts = new ArrayList<>();
    c.embeddings().forEach((k, v) -> parts.add(k.substring(k.lastIndexOf('.') + 1) + " " + v));
    err.printf("  produced %7d (%6.0f/s)  vectors published: %s  dead letters %d%n", sent, sent / Math.max(1e-9, secs),
        String.join(", ", parts), c.deadLetters());
    err.flush();
  }
}
