package io.jrlstream.bench;

import io.jrlstream.core.math.Rng;
import io.jrlstream.core.view.CollaborativeView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.JsonOutput;
import io.jrlstream.ops.ModelOptions;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.train.EventHistory;
import io.jrlstream.streams.train.TrainingObserver;
import io.jrlstream.streams.train.TrainingOptions;
import io.jrlstream.streams.train.TrainingProcessor;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl bench restart}: how long a view's trainer takes to restart after N events of history (issue 13: "restart
 * in seconds whatever the history"; DESIGN.md §2 "Training state"). For each N it trains N synthetic events through
 * the real {@link TrainingProcessor} on a RocksDB store of its own (checkpoints, restore and all: the processor's
 * code, not a copy), stops (the store flushed and closed, as a clean shutdown leaves it), then starts a new
 * processor on the same store and times its {@code init}: opening RocksDB, loading the checkpoint, re-reading and
 * re-training the events after it. The events come from a seeded generator (a fixed population of users and items,
 * so the state stops growing while the history does), which also serves as the restore's event history.
 *
 * <p>What it leaves out, each a cost independent of the history: Kafka Streams' task start, and the consumer that
 * re-reads the input (the same few hundred milliseconds for any N); after a crash that wiped the state directory,
 * restoring the store from its changelog, proportional to the store (the state), not to the history.
 *
 * <p>Each N trains on a fresh store; the checkpoint interval ({@code --checkpoint-batches}, default 125 batches = 8,000
 * interactions, with no wait on rows) makes every N of the default list fall at the same phase: the restart loads
 * the checkpoint taken a whole interval earlier (the latest is still being written) and re-trains the interval.
 */
@Command(name = "restart", mixinStandardHelpOptions = true,
    description = {"Restart time of a view's trainer after N events of history (restore from its checkpoint).",
      "Checkpoints every " + RestartBenchCommand.CHECKPOINT_BATCHES + " mini-batches with no wait per re-written row"
          + " unless --checkpoint-batches or --checkpoint-events-per-row say otherwise; the other trainer options"
          + " default to their keys'."})
final class RestartBenchCommand implements Callable<Integer> {
  private static final String TOPIC = "jrl.validated";
  /** Checkpoint interval of this benchmark: a quarter of jrl.checkpoint.batches', so that N events hold many. */
  static final int CHECKPOINT_BATCHES = 125;
  private static final AvroCodec<TrainingEvent> EVENTS = AvroCodec.of(TrainingEvent.class);

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--events", split = ",", defaultValue = "1000000,4000000",
      description = "Events of history before each restart (default ${DEFAULT-VALUE}).")
  List<Long> events;

  @Option(names = "--view", defaultValue = CollaborativeView.NAME, description = "View (default ${DEFAULT-VALUE}).")
  String view;

  @Option(names = "--users", defaultValue = "100000",
      description = "Users in the population (default ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--items", defaultValue = "20000",
      description = "Items in the population (default ${DEFAULT-VALUE}).")
  int items;

  @Mixin
  TrainingFlags training;

  @Option(names = "--work-dir", description = "Where the stores go (default: a temporary folder, deleted after).")
  Path workDir;

  @Option(names = "--json", paramLabel = "OUT", description = "Write the figures as JSON to OUT.")
  Path json;

  @Mixin
  ModelOptions modelOptions;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    // Training is not what is measured: small vectors and a quarter of a replayed interaction per new one keep the N
    // events quick to train while the state (rows, optimiser state, sampler, a full reservoir) is all there.
    ModelConfig cfg = modelOptions.apply(ModelConfig.defaults().mapViews(v -> v.withDim(16)
        .withStream(v.stream().withReplayRatio(0.25))));
    TrainingOptions options = training.options(TrainingOptions.defaults().withCheckpointBatches(CHECKPOINT_BATCHES)
        .withCheckpointEventsPerRow(0)).withQuality(TrainingOptions.Quality.OFF);
    boolean temp = workDir == null;
    Path dir = temp ? Files.createTempDirectory("jrl-bench-restart") : workDir;
    List<Map<String, Object>> results = new ArrayList<>();
    try {
      for (long n : events) {
        results.add(run(n, cfg, options, dir.resolve("n" + n), err));
      }
    } finally {
      if (temp) {
        TempDirs.delete(dir);
      }
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("view", view);
    doc.put("users", users);
    doc.put("items", items);
    doc.put("dim", cfg.view(view).dim());
    doc.put("reservoir", cfg.view(view).stream().reservoir());
    doc.put("checkpointBatches", options.checkpointBatches());
    doc.put("results", results);
    JsonOutput.emit(doc, spec.commandLine().getOut(), json);
    return 0;
  }

  private Map<String, Object> run(long n, ModelConfig cfg, TrainingOptions options, Path stateDir, PrintWriter err)
      throws Exception {
    Files.createDirectories(stateDir);
    Generator gen = new Generator(users, items);
    EventHistory history = (partition, from, to, sink) -> {
      for (long o = from; o <= to; o++) {
        sink.accept(o, gen.event(o));
      }
    };
    long t0 = System.nanoTime();
    Task first = new Task(stateDir, cfg, options, history, TrainingObserver.NONE);
    for (long o = 0; o < n; o++) {
      first.process(o, gen.event(o));
      if (o % 250_000 == 249_999) {
        err.printf("  %,d of %,d events trained (%.0f s)%n", o + 1, n, (System.nanoTime() - t0) / 1e9);
        err.flush();
      }
    }
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    first.close();
    first = null;
    System.gc();

    long[] restored = new long[3];
    TrainingObserver observer = new TrainingObserver() {
      @Override
      public void restored(String v, long nanos, long eventsRead, long retrained) {
        restored[0] = nanos;
        restored[1] = eventsRead;
        restored[2] = retrained;
      }
    };
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long c0 = threads.getCurrentThreadCpuTime();
    long r0 = System.nanoTime();
    Task second = new Task(stateDir, cfg, options, history, observer);
    double restoreSeconds = (System.nanoTime() - r0) / 1e9;
    // The restore runs on this thread (RocksDB's own threads aside): its CPU time does not depend on how much of
    // a shared machine other processes take, as its wall time does.
    double restoreCpuSeconds = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long storeBytes = TempDirs.size(stateDir);
    second.close();
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("historyEvents", n);
    r.put("restoreSeconds", restoreSeconds);
    r.put("heapBytes", heap);
    r.put("restoreCpuSeconds", restoreCpuSeconds);
    r.put("restoreInitSeconds", restored[0] / 1e9);
    r.put("eventsReRead", restored[1]);
    r.put("interactionsReTrained", restored[2]);
    r.put("storeBytes", storeBytes);
    r.put("trainSeconds", trainSeconds);
    err.printf("%,d events: trained in %.0f s; restart %.2f s, %.2f s CPU (restore %.2f s, %,d events re-read, %,d "
        + "re-trained), heap %,d bytes, store %,d bytes%n", n, trainSeconds, restoreSeconds, restoreCpuSeconds,
        restored[0] / 1e9, restored[1], restored[2], heap, storeBytes);
    err.flush();
    return r;
  }

  /** A view's processor on its RocksDB store, fed records as its stream task would feed them. */
  private final class Task {
    private final KeyValueStore<Bytes, byte[]> store;
    private final MockProcessorContext<String, byte[]> context;
    private final TrainingProcessor processor;

    Task(Path stateDir, ModelConfig cfg, TrainingOptions options, EventHistory history, TrainingObserver observer) {
      Properties p = new Properties();
      p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-restart");
      p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      context = new MockProcessorContext<>(p, new TaskId(0, 0), stateDir.toFile());
      context.setCurrentSystemTimeMs(0); // constant: publication only right before checkpoints, as at full speed
      String name = TrainingProcessor.storeName(view);
      store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray())
          .withLoggingDisabled().build();
      store.init(context.getStateStoreContext(), store);
      context.addStateStore(store);
      processor = new TrainingProcessor(view, cfg, options, name, history, observer);
      processor.init(context);
    }

    void process(long offset, byte[] value) {
      context.setRecordMetadata(TOPIC, 0, offset);
      processor.process(new Record<>(null, value, offset));
      if (offset % 4096 == 0) {
        context.resetForwards(); // the published vectors: not kept
      }
    }

    void close() {
      processor.close();
      store.flush();
      store.close();
    }
  }

  /**
   * Rating events of a fixed population, each a function of its offset alone: user uniform, item skewed towards
   * popular ones (the square of a uniform draw), stars 1-5.
   */
  private record Generator(int users, int items) {
    byte[] event(long offset) {
      Rng r = new Rng(Rng.mix(0x5EED, offset));
      int user = r.nextInt(users);
      double u = r.nextDouble();
      int item = (int) (u * u * items);
      return EVENTS.encode(TrainingEvent.newBuilder().setEventId("e" + offset)
          .setEventTime(Instant.ofEpochMilli(1_600_000_000_000L + offset)).setKind(TrainingEventKind.RATING)
          .setUserId("u" + user).setItemId("i" + item).setStars((float) (1 + r.nextInt(5))).setSourceTopic("bench")
          .setSourcePartition(0).setSourceOffset(offset).build());
    }
  }
}
