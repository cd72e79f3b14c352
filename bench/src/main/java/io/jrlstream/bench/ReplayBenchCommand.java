package io.jrlstream.bench;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.DatasetReader;
import io.jrlstream.core.data.ImageFeatureReader;
import io.jrlstream.core.data.RecordReader;
import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.JsonOutput;
import io.jrlstream.ops.ModelOptions;
import io.jrlstream.ops.importer.Importer;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.replay.Replay;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.train.TrainingOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl bench replay}: backfill throughput of each view ({@link Replay} from the validated topic) against the
 * live trainer's throughput for the same view on the same events (a {@link Pipeline} training that view alone,
 * catching up on the imported input), through an embedded broker, exactly-once. The data is loaded with
 * {@code jrl import} first (its rate is reported too); with {@code --synthetic-features F} a McAuley-format feature
 * file with F seeded random floats per item is generated and imported as well, so that the image view has input.
 *
 * <p>Each rate is taken after warm-up, over the offsets from 30 % of the input consumed to fully trained (input
 * consumed, hence trained); the backfill time is from the replay's start to caught up.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Backfill (jrl replay) throughput per view against live training throughput on the same events.")
final class ReplayBenchCommand implements Callable<Integer> {
  private static final double WARM_UP = 0.3;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", required = true, paramLabel = "FILE", description = "Data file (as jrl import reads).")
  Path file;

  @Option(names = "--views", split = ",", defaultValue = "review,rating",
      description = "Views (default ${DEFAULT-VALUE}).")
  List<String> views;

  @Option(names = "--synthetic-features", paramLabel = "F", defaultValue = "0",
      description = "Also import F random features per item (for the image view; 0: none).")
  int featureDim;

  @Option(names = "--batch-size", paramLabel = "N", description = "Mini-batch size (default: jrl.batch.size's).")
  Integer batchSize;

  /** The default training options with --batch-size. */
  private TrainingOptions training() {
    TrainingOptions d = TrainingOptions.defaults();
    return batchSize == null ? d : d.withBatchSize(batchSize);
  }

  @Option(names = "--work-dir", description = "Broker and state (default: a temporary folder, deleted after).")
  Path workDir;

  @Option(names = "--json", paramLabel = "OUT", description = "Write the figures as JSON to OUT.")
  Path json;

  @Mixin
  ModelOptions modelOptions;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean temp = workDir == null;
    Path dir = temp ? Files.createTempDirectory("jrl-bench-replay") : workDir;
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("data", file.getFileName().toString());
    List<Map<String, Object>> rows = new ArrayList<>();
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      StreamsSettings s = settings(broker.bootstrapServers(), "bench", "jrl.validated");
      ModelConfig cfg = modelOptions.apply(ModelConfig.defaults());
      if (featureDim > 0) {
        cfg = cfg.withImage(new ImageView.Settings(cfg.image().lambda(), featureDim, cfg.image().layers()));
      }
      long events = 0;
      if (featureDim > 0) {
        // Features first, so that every interaction of the image view trains its decoder term.
        Path features = syntheticFeatures(dir, DatasetReader.read(file), featureDim);
        Importer.Result f = Importer.run(features, s, "jrl.imports", Importer.Options.defaults()
            .withReadOptions(new RecordReader.Options(featureDim, ByteOrder.LITTLE_ENDIAN)),
            new Importer.Listener() { });
        events += f.events();
        err.printf("imported %d synthetic feature vectors (F=%d)%n", f.events(), featureDim);
      }
      long t0 = System.nanoTime();
      Importer.Result imported = Importer.run(file, s, "jrl.imports", Importer.Options.defaults(),
          new Importer.Listener() { });
      double importSecs = (System.nanoTime() - t0) / 1e9;
      events += imported.events();
      err.printf("imported %d events from %s in %.1f s (%.0f lines/s, topic set-up included)%n", imported.events(),
          file.getFileName(), importSecs, imported.after().position() / importSecs);
      doc.put("importLinesPerSecond", imported.after().position() / importSecs);
      doc.put("events", events);
      err.flush();
      for (int i = 0; i < views.size(); i++) {
        String view = views.get(i);
        // The first live run writes the validated topic the replays read; the others write throwaway copies.
        StreamsSettings live = settings(broker.bootstrapServers(), "bench-live-" + view,
            i == 0 ? s.validatedTopic() : "bench-live-" + view + ".validated");
        double liveRate = live(live, cfg, view, dir, err);
        Map<String, Object> r = replay(s, cfg, view, dir, err);
        r.put("liveEventsPerSecond", liveRate);
        r.put("ratio", (double) r.get("backfillEventsPerSecond") / liveRate);
        rows.add(r);
      }
    } finally {
      if (temp) {
        TempDirs.delete(dir);
      }
    }
    doc.put("views", rows);
    out.printf("%n%-14s %14s %16s %7s %14s%n", "view", "live events/s", "backfill events/s", "ratio", "backfill time");
    for (Map<String, Object> r : rows) {
      out.printf("%-14s %14.0f %16.0f %7.2f %12.1f s%n", r.get("view"), r.get("liveEventsPerSecond"),
          r.get("backfillEventsPerSecond"), r.get("ratio"), r.get("backfillSeconds"));
    }
    out.flush();
    JsonOutput.write(doc, json);
    return 0;
  }

  private StreamsSettings settings(String bootstrap, String app, String validated) {
    Properties p = new Properties();
    if (featureDim > 0) {
      p.setProperty("jrl.feature.dim", Integer.toString(featureDim));
    }
    p.setProperty("bootstrap.servers", bootstrap);
    p.setProperty("application.id", app);
    p.setProperty("jrl.topic.validated", validated);
    return StreamsSettings.fromProperties(p);
  }

  /** The live trainer with {@code view} alone, catching up on the whole input: its rate after warm-up. */
  private double live(StreamsSettings s, ModelConfig cfg, String view, Path dir, PrintWriter err) throws Exception {
    Properties base = s.kafkaProperties();
    base.remove("application.id");
    try (Admin admin = Admin.create(base);
        Pipeline p = Pipeline.start(s, cfg, new Pipeline.Options(List.of(view),
            dir.resolve("state-live-" + view), Map.of(), training()))) {
      p.awaitRunning(Duration.ofMinutes(2));
      List<TopicPartition> inputs = new ArrayList<>();
      s.inputTopics().forEach(t -> inputs.add(new TopicPartition(t.name(), 0)));
      Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
      inputs.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      long total = 0;
      for (var e : admin.listOffsets(latest).all().get().values()) {
        total += e.offset();
      }
      Timer t = new Timer(total);
      while (true) {
        var committed = admin.listConsumerGroupOffsets(s.applicationId()).partitionsToOffsetAndMetadata().get();
        long done = 0;
        for (TopicPartition tp : inputs) {
          var c = committed.get(tp);
          done += c == null ? 0 : c.offset();
        }
        long lag;
        try {
          lag = Pipeline.lag(admin, s, List.of(view));
        } catch (ExecutionException e) {
          lag = -1;
        }
        if (t.observe(done, lag == 0)) {
          break;
        }
        Thread.sleep(100);
      }
      err.printf("  live %-13s %.0f events/s after warm-up (%d input offsets in %.1f s)%n", view, t.rate(), total,
          t.seconds());
      err.flush();
      return t.rate();
    }
  }

  /** Version 1 of {@code view} replayed from the validated topic: rate after warm-up and total time. */
  private Map<String, Object> replay(StreamsSettings s, ModelConfig cfg, String view, Path dir, PrintWriter err)
      throws Exception {
    long t0 = System.nanoTime();
    try (Replay r = Replay.start(s, cfg, "jrl.view-versions", new Replay.Options(view, null, null, null, false, true,
        training(), dir.resolve("state-replay-" + view), Map.of()))) {
      Timer t = new Timer(r.total());
      r.awaitCaughtUp(Duration.ofHours(2), (done, total) -> t.observe(done, false));
      t.observe(r.total(), true);
      double secs = (System.nanoTime() - t0) / 1e9;
      err.printf("  backfill %-9s %.0f events/s after warm-up; %d offsets in %.1f s from start to caught up%n", view,
          t.rate(), r.total(), secs);
      err.flush();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("view", view);
      row.put("backfillEventsPerSecond", t.rate());
      row.put("backfillSeconds", secs);
      row.put("offsets", r.total());
      return row;
    }
  }

  /** Rate over the offsets from the warm-up share of the total to the end. */
  private static final class Timer {
    private final long total;
    private long warmDone = -1;
    private long warmAt;
    private long endAt;

    Timer(long total) {
      this.total = total;
    }

    /** Records progress; true once finished. */
    boolean observe(long done, boolean finished) {
      long now = System.nanoTime();
      if (warmDone < 0 && done >= WARM_UP * total) {
        warmDone = done;
        warmAt = now;
      }
      if (finished) {
        endAt = now;
        if (warmDone < 0) {
          warmDone = 0;
          warmAt = now;
        }
      }
      return finished;
    }

    double seconds() {
      return (endAt - warmAt) / 1e9;
    }

    double rate() {
      return (total - warmDone) / Math.max(seconds(), 1e-9);
    }
  }

  /** A McAuley-format feature file (10-byte id, F little-endian floats) with seeded values for every item. */
  private static Path syntheticFeatures(Path dir, Dataset d, int dim) throws IOException {
    Path f = dir.resolve("image_features_synthetic.b");
    SplittableRandom rnd = new SplittableRandom(7);
    ByteBuffer b = ByteBuffer.allocate(ImageFeatureReader.ID_BYTES + 4 * dim).order(ByteOrder.LITTLE_ENDIAN);
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(f), 1 << 16)) {
      for (int v = 0; v < d.itemCount(); v++) {
        b.clear();
        byte[] id = d.items().id(v).getBytes(StandardCharsets.US_ASCII);
        b.put(id, 0, Math.min(id.length, ImageFeatureReader.ID_BYTES));
        b.position(ImageFeatureReader.ID_BYTES);
        for (int i = 0; i < dim; i++) {
          b.putFloat(rnd.nextInt(3) == 0 ? 0f : (float) rnd.nextDouble(0, 4));
        }
        out.write(b.array());
      }
    }
    return f;
  }
}
