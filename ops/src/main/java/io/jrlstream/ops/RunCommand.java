package io.jrlstream.ops;

import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.Lifecycle;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.pipeline.TrainerLag;
import io.jrlstream.ops.serve.ServeServer;
import io.jrlstream.ops.serve.Serving;
import io.jrlstream.streams.serve.ServeSettings;
import io.jrlstream.streams.config.SettingKey;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.image.ImageSettings;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl run --config FILE}: the trainer against an existing Kafka cluster. The file holds the
 * documented {@code jrl.*} keys ({@link SettingKey}) and any Kafka client or Streams property (security
 * settings included), passed through unchanged.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run the streaming trainer against an existing Kafka cluster until stopped (SIGTERM/Ctrl-C).",
        "The config file holds bootstrap.servers, jrl.* settings and any Kafka client property (e.g. "
            + "security.protocol, sasl.*), which is passed through. Keys: see jrl run --keys."})
final class RunCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file.")
  Path config;

  @Option(names = "--keys", description = "List the jrl configuration keys with their defaults and exit.")
  boolean keys;

  @Mixin
  ModelOptions modelOptions;

  @Mixin
  ServeOptions serve;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (keys) {
      out.println(SettingKey.describeAll());
      out.flush();
      return 0;
    }
    if (config == null) {
      throw new IllegalArgumentException("--config FILE is required (or --keys to list the settings)");
    }
    Properties p = loadConfig(config);
    StreamsSettings s = StreamsSettings.fromProperties(p);
    List<String> views = Arrays.stream(value(p, SettingKey.VIEWS).split(",")).map(String::strip)
        .filter(v -> !v.isEmpty()).toList();
    int batch = Integer.parseInt(value(p, SettingKey.BATCH_SIZE));
    ModelConfig cfg = modelOptions.apply(ModelConfig.defaults().withSeed(Long.parseLong(value(p, SettingKey.SEED))));
    Path stateDir = Path.of(p.getProperty("state.dir", "jrl-state"));
    java.util.Map<String, String> extra = java.util.Map.of(
        SettingKey.ROCKSDB_CACHE_BYTES.key(), value(p, SettingKey.ROCKSDB_CACHE_BYTES),
        SettingKey.ROCKSDB_WRITE_BUFFER_BYTES.key(), value(p, SettingKey.ROCKSDB_WRITE_BUFFER_BYTES));
    int checkpoint = Integer.parseInt(value(p, SettingKey.CHECKPOINT_BATCHES));
    ImageSettings image = ImageSettings.fromProperties(p).orElse(null); // set when jrl.image.model is
    if (image != null) {
      cfg = cfg.withImage(new ImageView.Settings(cfg.image().lambda(), image.featureDim(), cfg.image().layers()));
    }
    long publish = Long.parseLong(value(p, SettingKey.PUBLISH_INTERVAL_MS));
    Health health = new Health();
    Duration grace = Duration.ofMillis(Long.parseLong(value(p, SettingKey.HEALTH_EXIT_GRACE_MS)));
    long maxLag = Long.parseLong(value(p, SettingKey.READY_MAX_TRAINER_LAG));
    Pipeline.Options options = new Pipeline.Options(views, batch, stateDir, extra, checkpoint, publish,
        Integer.parseInt(value(p, SettingKey.CHECKPOINT_EVENTS_PER_ROW)),
        Integer.parseInt(value(p, SettingKey.CHECKPOINT_SPREAD_BATCHES)),
        Long.parseLong(value(p, SettingKey.FLUSH_AFTER_MS)));
    try (Lifecycle life = Lifecycle.install(health);
        Metrics metrics = Metrics.create();
        Pipeline pipeline = metrics.bind(Pipeline.start(s, cfg, options, image, metrics.training(views))
            .register(health, views), views);
        TrainerLag lag = TrainerLag.start(s, views, maxLag, TrainerLag.REFRESH).gate(health);
        Serving serving = serve.noServe ? null : Serving.start(s, ServeSettings.fromProperties(p, views),
            serve.http(p), stateDir, extra, value(p, SettingKey.TOPIC_VIEW_VERSIONS), health, metrics);
        ServeServer metricsServer = serve.metricsServer(p, null, health, metrics, err)) {
      metrics.bindHealth(health);
      metrics.bindLag(lag);
      pipeline.awaitRunning(Duration.ofMinutes(10), () -> life.check(grace));
      err.printf("trainer running on %s: views %s, batch %d%s%n", s.bootstrapServers(), String.join(",", views), batch,
          image == null ? "" : "; image features from " + image.images().name() + " with " + image.model());
      if (serving != null) {
        err.printf("serving recommendations at %s%n", serving.url());
      }
      err.flush();
      return life.awaitStop(grace, err); // SIGTERM: 0 after a clean close; a failed client: 1 after the grace
    } catch (Lifecycle.StoppedException e) {
      return e.exitCode();
    }
  }

  /** Reads a properties file; a missing file is an IllegalArgumentException naming it. */
  static Properties loadConfig(Path config) throws java.io.IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(config)) {
      p.load(r);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("config file " + config + " does not exist");
    }
    return p;
  }

  private static String value(Properties p, SettingKey k) {
    String v = p.getProperty(k.key());
    return v != null ? v.strip() : k.defaultValue().orElseThrow();
  }
}
