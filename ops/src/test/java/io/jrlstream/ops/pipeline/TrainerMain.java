package io.jrlstream.ops.pipeline;

import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The trainer alone in its own JVM: runs {@link Pipeline#start} with the default {@link StreamsSettings}
 * for the given cluster and application id, prints {@value #RUNNING_MARKER} once the application is
 * RUNNING, and runs until it is killed. Crash tests start it with {@code ChildJvm} and halt it mid-stream
 * (no clean close), then start it again on the same state directory or a wiped one.
 *
 * <p>Arguments, each {@code --name value}: {@code --bootstrap-servers} (required), {@code --state-dir}
 * (required), {@code --app-id} (default {@code jrl}), {@code --views} (comma-separated, default
 * {@code collaborative,review,rating}), {@code --batch-size} (64), {@code --checkpoint-batches} (500), {@code
 * --publish-interval-ms} (100), {@code --checkpoint-events-per-row} (4), {@code --checkpoint-spread-batches} (125),
 * {@code --seed} (1), {@code --dim}
 * (every view's embedding dimension; default each view's own), {@code --set key=value} (repeatable: a
 * further Kafka Streams property, e.g. {@code session.timeout.ms=3000} or {@code jrl.rocksdb.cache.bytes}),
 * {@code --max-seconds} (300: a child outlives a test JVM that is itself killed, so it stops on its own
 * after this long, closing cleanly).
 *
 * <p>Exit codes: 0 after {@code --max-seconds}, 1 when the trainer stopped on an error, 2 on bad arguments.
 */
public final class TrainerMain {
  /** Printed on standard output, on a line of its own, once the trainer is RUNNING. */
  public static final String RUNNING_MARKER = "JRL-TRAINER-RUNNING";

  private TrainerMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    Map<String, String> extra = new LinkedHashMap<>();
    try {
      parse(args, opts, extra);
    } catch (IllegalArgumentException e) {
      System.err.println("TrainerMain: " + e.getMessage());
      System.exit(2);
    }
    StreamsSettings s = StreamsSettings.defaults(opts.get("bootstrap-servers"))
        .withApplicationId(opts.getOrDefault("app-id", "jrl"));
    ModelConfig config = ModelConfig.defaults().withSeed(Long.parseLong(opts.getOrDefault("seed", "1")));
    if (opts.containsKey("dim")) {
      int dim = Integer.parseInt(opts.get("dim"));
      config = config.mapViews(v -> v.withDim(dim));
    }
    List<String> views = Arrays.asList(opts.getOrDefault("views", "collaborative,review,rating").split(","));
    TrainingOptions d = TrainingOptions.defaults();
    TrainingOptions training = d.withBatchSize(Integer.parseInt(opts.getOrDefault("batch-size", "" + d.batchSize())))
        .withCheckpointBatches(Integer.parseInt(opts.getOrDefault("checkpoint-batches", "" + d.checkpointBatches())))
        .withPublishIntervalMs(Long.parseLong(opts.getOrDefault("publish-interval-ms", "" + d.publishIntervalMs())))
        .withCheckpointEventsPerRow(Integer.parseInt(opts.getOrDefault("checkpoint-events-per-row",
            "" + d.checkpointEventsPerRow())))
        .withCheckpointSpreadBatches(Integer.parseInt(opts.getOrDefault("checkpoint-spread-batches",
            "" + d.checkpointSpreadBatches())));
    Pipeline.Options o = new Pipeline.Options(views, Path.of(opts.get("state-dir")), extra, training);
    long maxNanos = Duration.ofSeconds(Long.parseLong(opts.getOrDefault("max-seconds", "300"))).toNanos();
    long start = System.nanoTime();
    try (Pipeline p = Pipeline.start(s, config, o)) {
      p.awaitRunning(Duration.ofNanos(maxNanos));
      System.out.println(RUNNING_MARKER);
      System.out.flush();
      while (System.nanoTime() - start < maxNanos) {
        KafkaStreams.State st = p.state();
        if (st == KafkaStreams.State.ERROR || st == KafkaStreams.State.PENDING_ERROR
            || st == KafkaStreams.State.NOT_RUNNING || st == KafkaStreams.State.PENDING_SHUTDOWN) {
          System.out.println("JRL-TRAINER-FAILED " + st);
          System.out.flush();
          System.exit(1);
        }
        Thread.sleep(100);
      }
    }
    System.out.println("JRL-TRAINER-TIMED-OUT after " + Duration.ofNanos(maxNanos));
  }

  private static void parse(String[] args, Map<String, String> opts, Map<String, String> extra) {
    List<String> known = List.of("bootstrap-servers", "state-dir", "app-id", "views", "batch-size", "seed", "dim",
        "set", "max-seconds", "checkpoint-batches", "publish-interval-ms", "checkpoint-events-per-row",
        "checkpoint-spread-batches");
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got " + Arrays.toString(args));
      }
      String name = args[i].substring(2);
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown option --" + name + " (known: " + known + ")");
      }
      String value = args[i + 1];
      if (name.equals("set")) {
        int eq = value.indexOf('=');
        if (eq < 1) {
          throw new IllegalArgumentException("--set expects key=value, got '" + value + "'");
        }
        extra.put(value.substring(0, eq), value.substring(eq + 1));
      } else {
        opts.put(name, value);
      }
    }
    for (String required : List.of("bootstrap-servers", "state-dir")) {
      if (!opts.containsKey(required)) {
        throw new IllegalArgumentException("--" + required + " is required");
      }
    }
  }
}
