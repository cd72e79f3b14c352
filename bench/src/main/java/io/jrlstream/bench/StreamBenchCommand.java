package io.jrlstream.bench;

import com.sun.management.OperatingSystemMXBean;
import io.jrlstream.bench.kafka.BenchBroker;
import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.StreamOrder;
import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.ops.DataOption;
import io.jrlstream.ops.JsonOutput;
import io.jrlstream.ops.ModelOptions;
import io.jrlstream.ops.pipeline.DatasetProducer;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.train.BoundedRocksDbConfig;
import io.jrlstream.streams.shard.ShardKeys;
import io.jrlstream.streams.train.TrainingObserver;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl bench stream}: end-to-end throughput of the streaming trainer through a real (embedded)
 * broker with exactly-once, against the one-pass offline throughput of the same code on the same events, in the
 * same order (the producer's stream order: by time, or a seeded interleaving of the users' sequences), in the same
 * process; then freshness at half the sustained rate; heap and RocksDB memory.
 *
 * <p>Both throughput figures are sustained rates after warm-up: the data set is streamed {@code --passes}
 * times (the same interactions again, as new events); the first {@code --warm-up-passes} warm up (JIT,
 * broker, caches: the JIT compiles broker, client and Streams code for tens of seconds, so a fraction of a
 * 10 k-event data set is not a sustained figure), the remaining passes are timed. On the streaming side the warm-up
 * goes on (up to {@code --max-warm-up-passes}) while this JVM's JIT, or the child broker's, compiled for more than
 * {@code --jit-quiet} of the last pass's wall time: three Kafka Streams applications with their clients take the JIT
 * minutes on two cores, and a long-running trainer does not pay that again. The offline reference then trains the
 * same number of warm-up passes (so its state has the same size), one trainer per view on its own thread, while the
 * pipeline idles; it trains the timed passes twice, right before the streaming side's timed passes and right after
 * them (wall time of the slowest view; its rate is that of the two runs together), because the machine's speed drifts
 * between minutes (the offline reference alone varied 17.8-20.7 s for the same 100,000 events over five runs) and a
 * ratio of two rates taken at different times carries that drift.
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
    description = "Streaming throughput vs offline one-pass, freshness (produce → embedding topic) at half rate, "
        + "memory.")
final class StreamBenchCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Mixin
  DataOption data;

  @Mixin
  ModelOptions modelOptions;

  @Option(names = "--views", split = ",", defaultValue = "review,rating", description = "Views (default "
      + "${DEFAULT-VALUE}).")
  List<String> views;

  @Mixin
  TrainingFlags training;

  @Option(names = "--passes", defaultValue = "12",
      description = "Passes over the data, warm-up passes included (default ${DEFAULT-VALUE}).")
  int passes;

  @Option(names = "--warm-up-passes", defaultValue = "2",
      description = "Passes that warm up before the timed ones (default ${DEFAULT-VALUE}).")
  int warmUpPasses;

  @Option(names = "--max-warm-up-passes", defaultValue = "48",
      description = "Most warm-up passes on the streaming side, waiting for the JIT to settle (default "
          + "${DEFAULT-VALUE}).")
  int maxWarmUpPasses;

  @Option(names = "--jit-quiet", defaultValue = "0.05",
      description = "Warm-up ends when the JIT (the trainer's and the child broker's) compiled for less than this "
          + "share of a pass's wall time (default ${DEFAULT-VALUE}).")
  double jitQuiet;

  @Mixin
  BrokerOption broker;

  @Option(names = "--freshness-events", defaultValue = "3000",
      description = "Events produced at half rate for the freshness figures (default ${DEFAULT-VALUE}).")
  int freshnessEvents;

  @Option(names = "--streams-config", paramLabel = "KEY=VALUE", split = ",", description = "Extra Kafka Streams "
      + "properties.")
  Map<String, String> streamsConfig = Map.of();

  @Option(names = "--tasks", defaultValue = "1", paramLabel = "N", description = "Tasks each collaborative or rating "
      + "view trains as (jrl.views.VIEW.tasks; default 1: the unsharded topology).")
  int tasks;

  @Option(names = "--sync-batches", defaultValue = "1", paramLabel = "S", description = "With --tasks above 1: a "
      + "task's mini-batches per round (jrl.views.VIEW.sync.batches).")
  int syncBatches;

  @Option(names = "--sync-lag", defaultValue = "1", paramLabel = "L", description = "With --tasks above 1: rounds a "
      + "task may run ahead of a merge (jrl.views.VIEW.sync.lag).")
  int syncLag;

  @Option(names = "--sync-threshold", defaultValue = "0", paramLabel = "θ", description = "With --tasks above 1: "
      + "rows whose change is below θ × their norm are held back from a round's delta (jrl.views.VIEW.sync.threshold;"
      + " default 0: every changed row is sent).")
  float syncThreshold;

  @Option(names = "--sync-precision", defaultValue = "bf16", paramLabel = "float32|bf16", description = "With "
      + "--tasks above 1: how a round's delta carries its changes (jrl.views.VIEW.sync.precision; default bf16: half "
      + "the bytes of float32, rounded with error feedback).")
  String syncPrecision;

  @Option(names = "--json", paramLabel = "OUT", description = "Write the figures as JSON to OUT.")
  Path json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Dataset ds = data.load(err);
    ModelConfig cfg = modelOptions.apply(ModelConfig.defaults()).fittedTo(ds);
    // The order the producer streams them in (by time, or a seeded interleaving), for the offline reference too.
    List<Interaction> events = StreamOrder.ordered(ds.interactions(), cfg.seed());
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("data", ds.name());
    doc.put("views", views);
    doc.put("tasks", tasks);
    doc.put("syncBatches", syncBatches);
    doc.put("syncLag", syncLag);
    doc.put("syncThreshold", syncThreshold);
    doc.put("syncPrecision", syncPrecision);
    if (warmUpPasses < 0 || passes <= warmUpPasses) {
      throw new IllegalArgumentException("need 0 ≤ --warm-up-passes < --passes, got " + warmUpPasses + " and "
          + passes);
    }
    long timedEvents = (long) events.size() * (passes - warmUpPasses);
    doc.put("events", events.size());
    doc.put("passes", passes);
    doc.put("warmUpPasses", warmUpPasses);
    doc.put("timedEvents", timedEvents);

    Path work = Files.createTempDirectory("jrl-bench-stream");
    try {
      run(ds, cfg, events, timedEvents, work, doc, err);
    } finally {
      TempDirs.delete(work); // broker logs and state stores: gigabytes
    }
    JsonOutput.emit(doc, out, json);
    return 0;
  }

  private void run(Dataset ds, ModelConfig cfg, List<Interaction> events, long timedEvents, Path work,
      Map<String, Object> doc, PrintWriter err) throws Exception {
    doc.put("broker", broker.placement.name());
    double[] offlineCpu = new double[views.size()]; // per view, seconds, both timed runs of the reference
    List<StreamingTrainer> reference;
    double offlineBefore;
    double streamingCpuPerEvent; // trainer process and broker, seconds
    try (BenchBroker b = BenchBroker.start(broker.placement, work)) {
      StreamsSettings s = StreamsSettings.defaults(b.bootstrapServers());
      // 1. Sustained: the data streamed until the JIT has settled (broker, clients, Streams), then the timed passes
      //    produced as fast as possible and timed until the trainer has caught up.
      double sustained;
      int all = ds.interactions().size();
      CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
      int warm = 0;
      TrainingCounters counters = new TrainingCounters();
      Map<String, Long> perPass = new LinkedHashMap<>();
      for (String v : views) {
        View view = ViewFactory.create(v, cfg, ds);
        perPass.put(v, events.stream().filter(view::accepts).count());
      }
      long passesSent = 0;
      try (Pipeline p = Pipeline.start(s, cfg, options(work.resolve("state")), null, counters);
          DatasetProducer producer = new DatasetProducer(ds, s, cfg.seed())) {
        p.awaitRunning(Duration.ofMinutes(2));
        double jitShare = 1;
        String brokerJvm = broker.child() ? Long.toString(b.pid()) : null;
        while (warm < warmUpPasses || (jitShare > jitQuiet && warm < maxWarmUpPasses)) {
          long w0 = System.nanoTime();
          long j0 = jit.getTotalCompilationTime();
          long bj0 = brokerJvm == null ? 0 : compilerTicks(brokerJvm);
          producer.produce(0, all, 0, n -> { });
          Pipeline.awaitCaughtUp(s, views, Duration.ofMinutes(30));
          counters.awaitTrained(perPass, ++passesSent, Duration.ofMinutes(30));
          long wall = System.nanoTime() - w0;
          double trainerJit = (jit.getTotalCompilationTime() - j0) * 1e6 / wall;
          double brokerJit = brokerJvm == null ? 0 : (compilerTicks(brokerJvm) - bj0) * NANOS_PER_TICK / wall;
          jitShare = Math.max(trainerJit, brokerJit);
          warm++;
          err.printf("streaming warm-up pass %d: JIT busy %.0f %% of the pass (broker's %.0f %%)%n", warm,
              trainerJit * 100, brokerJit * 100);
        }
        doc.put("streamingWarmUpPasses", warm);
        // 2a. The offline reference, warmed up as long (the same state size), timed once before the streaming side's
        //     timed passes and once after them (2b), so that the machine's drift in between cancels.
        reference = offlineTrainers(ds, events, cfg, warm);
        offlineBefore = offlineRun("Before", reference, events, offlineCpu, b, doc);
        err.printf("offline one-pass, before: %d events in %.2f s after %d warm-up passes (%.0f events/s); the rest "
            + "(idle pipeline, broker, JIT, GC) took %.2f cores meanwhile%n", timedEvents, offlineBefore, warm,
            timedEvents / offlineBefore, doc.get("otherCoresDuringOfflineBefore"));
        System.gc(); // as before the offline reference's timed passes
        long checkpoints0 = counters.checkpoints.get();
        long checkpointRows0 = counters.checkpointRows.get();
        long published0 = counters.publishedRows.get();
        long jit0 = jit.getTotalCompilationTime();
        long brokerJit0 = brokerJvm == null ? 0 : compilerTicks(brokerJvm);
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        long brokerCpu0 = b.cpuNanos();
        Map<Long, Long> threadCpu0 = threadCpuNanos();
        Map<String, Long> nativeCpu0 = nativeThreadTicks();
        String brokerPid = Long.toString(b.pid());
        Map<String, Long> brokerCpu0Threads = nativeThreadTicks(brokerPid);
        Map<String, double[]> streamThreads0 = streamThreadMetrics(p);
        long measured = 0;
        for (int pass = warmUpPasses; pass < passes; pass++) {
          measured += producer.produce(0, all, 0, n -> { });
          passesSent++;
        }
        Pipeline.awaitCaughtUp(s, views, Duration.ofMinutes(30));
        counters.awaitTrained(perPass, passesSent, Duration.ofMinutes(30));
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpuSecs = (processCpuNanos() - cpu0) / 1e9;
        double brokerSecs = (b.cpuNanos() - brokerCpu0) / 1e9;
        sustained = measured / secs;
        doc.put("jitShareOfTimedWall", (jit.getTotalCompilationTime() - jit0) / (secs * 1e3));
        if (brokerJvm != null) {
          doc.put("brokerJitShareOfTimedWall", (compilerTicks(brokerJvm) - brokerJit0) * NANOS_PER_TICK / (secs * 1e9));
        }
        long checkpointsTimed = counters.checkpoints.get() - checkpoints0;
        long checkpointRowsTimed = counters.checkpointRows.get() - checkpointRows0;
        doc.put("checkpointsTimed", checkpointsTimed);
        doc.put("checkpointRowsTimed", checkpointRowsTimed);
        err.printf("checkpoints in the timed passes: %d, %d rows%n", checkpointsTimed, checkpointRowsTimed);
        double publishedPerEvent = (counters.publishedRows.get() - published0) / (double) measured;
        doc.put("publishedRowsPerEvent", publishedPerEvent);
        err.printf("vectors published in the timed passes: %.2f per event, all views%n", publishedPerEvent);
        reportStreamThreads(doc, err, streamThreads0, streamThreadMetrics(p), secs);
        report(doc, err, "trainerCpuMicrosPerEventByThread", "trainer by Java thread name:",
            cpuByThreadGroup(threadCpu0, measured));
        report(doc, err, "trainerCpuMicrosPerEventByOsThread", "trainer by OS thread name (GC, JIT, RocksDB included):",
            nativeCpuByGroup(nativeCpu0, measured));
        if (broker.child()) {
          report(doc, err, "brokerCpuMicrosPerEventByOsThread", "broker by OS thread name:",
              nativeCpuByGroup(brokerPid, brokerCpu0Threads, measured));
        }
        // CPU per event (trainer process: stream threads, producer, JIT, GC; plus the broker's): unlike the
        // rates, these do not depend on how much of the machine other processes take.
        doc.put("streamingCpuMicrosPerEvent", cpuSecs * 1e6 / measured);
        doc.put("brokerCpuMicrosPerEvent", brokerSecs * 1e6 / measured);
        streamingCpuPerEvent = (cpuSecs + brokerSecs) / measured;
        err.printf("CPU per event: streaming %.0f µs in the trainer process%s%n", cpuSecs * 1e6 / measured,
            broker.child() ? String.format(" + %.0f µs in the broker", brokerSecs * 1e6 / measured)
                : " (broker included)");
        doc.put("measuredEvents", measured);
        err.printf("streaming, exactly-once: %d events in %.1f s after %d warm-up passes (%.0f events/s)%n", measured,
            secs, warm, sustained);
        System.gc();
        doc.put("heapUsedAfterGcBytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        doc.put("rocksDbBoundBytes", BoundedRocksDbConfig.boundBytes());
        doc.put("rocksDbUsageBytes", BoundedRocksDbConfig.usageBytes());
      }
      // 2b. The offline reference's second timed run (the same timed passes again), after the streaming side's.
      double offlineAfter = offlineRun("After", reference, events, offlineCpu, b, doc);
      double offline = (offlineBefore + offlineAfter) / 2;
      doc.put("offlineEventsPerSecondBefore", timedEvents / offlineBefore);
      doc.put("offlineEventsPerSecondAfter", timedEvents / offlineAfter);
      doc.put("offlineEventsPerSecond", timedEvents / offline);
      double offlineCpuSecs = Arrays.stream(offlineCpu).sum() / 2;
      doc.put("offlineCpuMicrosPerEvent", offlineCpuSecs * 1e6 / timedEvents);
      Map<String, Double> offlineByView = new LinkedHashMap<>();
      for (int i = 0; i < views.size(); i++) {
        offlineByView.put(views.get(i), offlineCpu[i] / 2 * 1e6 / timedEvents);
      }
      report(doc, err, "offlineCpuMicrosPerEventByView", "offline one-pass by view (its thread):", offlineByView);
      err.printf("offline one-pass, after: %d events in %.2f s (%.0f events/s; the rest: %.2f cores); both: %.0f "
          + "events/s%n", timedEvents, offlineAfter, timedEvents / offlineAfter,
          doc.get("otherCoresDuringOfflineAfter"), timedEvents / offline);
      doc.put("streamingEventsPerSecond", sustained);
      doc.put("ratio", sustained / (timedEvents / offline));
      doc.put("cpuRatio", offlineCpuSecs / timedEvents / streamingCpuPerEvent);
      if (tasks > 1) {
        // A sharded view reports no restore to the observer and is not checkpointed (docs/scaling.md): throughput only.
        err.println("sharded views: freshness and restart not measured");
        return;
      }
      // 3. Freshness at half the sustained rate, on a fresh application over new topics.
      StreamsSettings f = StreamsSettings.defaults(b.bootstrapServers()).withApplicationId("jrl-fresh");
      f = withPrefix(f, "fresh.");
      Map<String, Object> fresh = freshness(ds, cfg, f, work.resolve("state-fresh"), sustained / 2, err);
      doc.put("freshness", fresh);
      // 4. Restart: the sustained phase's applications again over their state; each view's trainer loads its
      //    checkpoint and re-trains the events after it (jrl bench restart measures that against the history).
      restart(s, cfg, work.resolve("state"), (long) events.size() * (warm + passes - warmUpPasses), doc, err);
    }
  }

  /** Times a restart of the pipeline over {@code state}: until every view's trainer has restored. */
  private void restart(StreamsSettings s, ModelConfig cfg, Path state, long history, Map<String, Object> doc,
      PrintWriter err) throws InterruptedException {
    TrainingCounters counters = new TrainingCounters();
    long t0 = System.nanoTime();
    double wall;
    try (Pipeline again = Pipeline.start(s, cfg, options(state), null, counters)) {
      again.awaitRunning(Duration.ofMinutes(30));
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      while (counters.restores.get() < views.size() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      wall = (System.nanoTime() - t0) / 1e9;
    }
    double restoring = counters.restoreNanos.get() / 1e9;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("historyEvents", history);
    r.put("secondsUntilRestored", wall);
    r.put("restoreSecondsAllViews", restoring);
    doc.put("restart", r);
    err.printf("restart over %d events of history: every view restored after %.1f s (restores themselves %.1f s, "
        + "views in parallel)%n", history, wall, restoring);
  }

  /** Counts the trainers' restores and checkpoints (every view's processor reports to it, each on its thread). */
  private static final class TrainingCounters implements TrainingObserver {
    final AtomicLong checkpoints = new AtomicLong();
    final AtomicLong checkpointRows = new AtomicLong();
    final AtomicLong restores = new AtomicLong();
    final AtomicLong restoreNanos = new AtomicLong();
    final AtomicLong publishedRows = new AtomicLong();
    /** Events trained in applied mini-batches, by view. */
    final Map<String, AtomicLong> trained = new ConcurrentHashMap<>();

    @Override
    public void batchApplied(String view, StreamingTrainer trainer, int events, long timestamp, boolean due) {
      trained.computeIfAbsent(view, v -> new AtomicLong()).addAndGet(events);
    }

    /**
     * Waits until every view trained {@code passes} × its share of the data set: a sharded view's tasks take records
     * (the consumer lag reads 0) before they train them, when they hold them for a merge.
     */
    void awaitTrained(Map<String, Long> perPass, long passes, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      for (Map.Entry<String, Long> e : perPass.entrySet()) {
        while (trained.computeIfAbsent(e.getKey(), v -> new AtomicLong()).get() < e.getValue() * passes) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("view " + e.getKey() + " trained " + trained.get(e.getKey()) + " of "
                + e.getValue() * passes + " events in " + timeout);
          }
          Thread.sleep(5);
        }
      }
    }

    @Override
    public void published(String view, int users, int items) {
      publishedRows.addAndGet(users + items);
    }

    @Override
    public void restored(String view, long nanos, long eventsRead, long retrained) {
      restoreNanos.addAndGet(nanos);
      restores.incrementAndGet();
    }

    @Override
    public void checkpointCommitted(String view, int rows, long bytes) {
      checkpointRows.addAndGet(rows);
      checkpoints.incrementAndGet();
    }
  }

  private Pipeline.Options options(Path stateDir) {
    Map<String, ShardSettings> sharding = new HashMap<>();
    for (String v : views) {
      if (tasks > 1 && ShardKeys.SHARDABLE.contains(v)) {
        sharding.put(v, new ShardSettings(tasks, syncBatches, syncLag).withThreshold(syncThreshold,
            ShardSettings.DEFAULT_MAX_HELD).withPrecision(ShardSettings.Precision.valueOf(syncPrecision.strip()
            .toUpperCase(Locale.ROOT))));
      }
    }
    return new Pipeline.Options(views, stateDir, streamsConfig, training.options(), sharding);
  }

  /** Puts a per-thread table in the figures under {@code key} and prints it under {@code title}. */
  private static void report(Map<String, Object> doc, PrintWriter err, String key, String title,
      Map<String, Double> microsPerEvent) {
    doc.put(key, microsPerEvent);
    err.println(title);
    microsPerEvent.forEach((g, us) -> err.printf("  %6.1f µs/event  %s%n", us, g));
  }

  /** CPU nanoseconds of every live thread of this JVM, by thread id. */
  private static Map<Long, Long> threadCpuNanos() {
    ThreadMXBean tm = ManagementFactory.getThreadMXBean();
    Map<Long, Long> out = new HashMap<>();
    for (long id : tm.getAllThreadIds()) {
      long c = tm.getThreadCpuTime(id);
      if (c >= 0) {
        out.put(id, c);
      }
    }
    return out;
  }

  /**
   * CPU µs per event since {@code before} of the threads alive now, grouped by name with digits and client ids
   * folded ({@code kafka-producer-network-thread | <client>} → its application), largest first; threads that
   * ended in between are not counted (the process total is).
   */
  private static Map<String, Double> cpuByThreadGroup(Map<Long, Long> before, long events) {
    ThreadMXBean tm = ManagementFactory.getThreadMXBean();
    Map<String, Long> nanos = new HashMap<>();
    for (ThreadInfo info : tm.getThreadInfo(tm.getAllThreadIds())) {
      if (info == null) {
        continue;
      }
      long c = tm.getThreadCpuTime(info.getThreadId());
      if (c < 0) {
        continue;
      }
      String group = info.getThreadName().replaceAll("-[0-9a-f]{8}-[0-9a-f-]{27}", "") // process UUIDs
          .replaceAll("[0-9]+", "#");
      nanos.merge(group, c - before.getOrDefault(info.getThreadId(), 0L), Long::sum);
    }
    return perEvent(nanos, 1e-3, events);
  }

  /**
   * {@code amounts} (in units of {@code micros} µs each) as µs per event to one decimal, largest first, those under
   * 1 µs per event left out.
   */
  private static Map<String, Double> perEvent(Map<String, Long> amounts, double micros, long events) {
    Map<String, Double> out = new LinkedHashMap<>();
    amounts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .filter(e -> e.getValue() * micros / events >= 1)
        .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() * micros * 10 / events) / 10.0));
    return out;
  }

  /**
   * CPU clock ticks (user + system) of every thread of this process by thread id and OS name ({@code tid/name}),
   * from {@code /proc/self/task}; empty where there is no {@code /proc}.
   */
  private static Map<String, Long> nativeThreadTicks() {
    return nativeThreadTicks("self");
  }

  /** Kafka Streams thread metrics read per stream thread: blocked time (KIP-761) and commits. */
  private static final List<String> STREAM_THREAD_METRICS = List.of("blocked-time-ns-total", "commit-total");

  /**
   * For each stream thread of the pipeline (keyed by application id), the cumulative {@link #STREAM_THREAD_METRICS}
   * so far.
   */
  private static Map<String, double[]> streamThreadMetrics(Pipeline p) {
    Map<String, double[]> out = new TreeMap<>();
    for (KafkaStreams app : p.applications()) {
      for (var e : app.metrics().entrySet()) {
        MetricName n = e.getKey();
        int k = STREAM_THREAD_METRICS.indexOf(n.name());
        if (k < 0 || !"stream-thread-metrics".equals(n.group()) || !(e.getValue().metricValue() instanceof Number v)) {
          continue;
        }
        // thread-id is <application.id>-<uuid>-StreamThread-<n>: the application is what tells them apart here.
        String thread = n.tags().getOrDefault("thread-id", "?").replaceAll("-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}",
            "");
        out.computeIfAbsent(thread, t -> new double[STREAM_THREAD_METRICS.size()])[k] = v.doubleValue();
      }
    }
    return out;
  }

  /**
   * Per stream thread over the timed passes: the share of the wall time it was blocked waiting on Kafka (polls,
   * producer flushes and transaction commits), its commits and the wall time per commit.
   */
  private static void reportStreamThreads(Map<String, Object> doc, PrintWriter err, Map<String, double[]> before,
      Map<String, double[]> after, double secs) {
    Map<String, Object> table = new LinkedHashMap<>();
    err.println("stream threads (timed passes): blocked on Kafka, commits:");
    for (var e : after.entrySet()) {
      double[] b = before.getOrDefault(e.getKey(), new double[STREAM_THREAD_METRICS.size()]);
      double blocked = (e.getValue()[0] - b[0]) / 1e9 / secs;
      double commits = e.getValue()[1] - b[1];
      table.put(e.getKey(), Map.of("blockedShareOfWall", blocked, "commits", commits));
      err.printf("  %5.1f %% blocked, %5.0f commits (%.1f ms blocked per commit)  %s%n", blocked * 100, commits,
          commits > 0 ? blocked * secs * 1e3 / commits : 0.0, e.getKey());
    }
    doc.put("streamThreads", table);
  }

  /** Nanoseconds per clock tick of /proc's CPU times (USER_HZ, 100 on Linux). */
  private static final double NANOS_PER_TICK = 1e7;

  /** CPU ticks of the JIT compiler threads ("C1/C2 CompilerThread") of process {@code pid} so far. */
  private static long compilerTicks(String pid) {
    long sum = 0;
    for (Map.Entry<String, Long> e : nativeThreadTicks(pid).entrySet()) {
      if (e.getKey().contains("CompilerThre")) {
        sum += e.getValue();
      }
    }
    return sum;
  }

  /** As {@link #nativeThreadTicks()} for process {@code pid} ({@code self}: this one). */
  private static Map<String, Long> nativeThreadTicks(String pid) {
    Map<String, Long> out = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc", pid, "task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          out.put(t.getFileName() + "/" + name, Long.parseLong(f[11]) + Long.parseLong(f[12]));
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return out;
    }
    return out;
  }

  /** CPU µs per event since {@code before} by OS thread name with digits folded, largest first (≥ 1 µs). */
  private static Map<String, Double> nativeCpuByGroup(Map<String, Long> before, long events) {
    return nativeCpuByGroup("self", before, events);
  }

  private static Map<String, Double> nativeCpuByGroup(String pid, Map<String, Long> before, long events) {
    Map<String, Long> ticks = new HashMap<>();
    nativeThreadTicks(pid).forEach((k, v) -> ticks.merge(k.substring(k.indexOf('/') + 1).replaceAll("[0-9]+", "#"),
        v - before.getOrDefault(k, 0L), Long::sum));
    return perEvent(ticks, NANOS_PER_TICK / 1e3, events); // µs
  }

  private static long processCpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** The offline reference: one trainer per view, warmed up with {@code warmUp} passes on parallel threads. */
  private List<StreamingTrainer> offlineTrainers(Dataset ds, List<Interaction> events, ModelConfig cfg, int warmUp)
      throws InterruptedException {
    List<StreamingTrainer> trainers = new ArrayList<>();
    for (String view : views) {
      trainers.add(new StreamingTrainer(ViewFactory.create(view, cfg, ds), cfg.seed(), training.options().batchSize()));
    }
    onThreads(trainers, events, warmUp, new double[trainers.size()], new double[trainers.size()]);
    return trainers;
  }

  /**
   * One timed run of the offline reference: wall seconds of the slowest view over the timed passes, trained (after a
   * full GC, as before the streaming side's timed passes) with each view on a thread of its own; {@code cpu[i]} grows
   * by view i's CPU seconds, and {@code doc} gets {@code otherCoresDuringOffline} + {@code when}: the cores everything
   * else took meanwhile, on average (this JVM's other threads: the idle pipeline before, its JIT and GC; and a child
   * broker), which the reference ran beside.
   */
  private double offlineRun(String when, List<StreamingTrainer> trainers, List<Interaction> events, double[] cpu,
      BenchBroker b, Map<String, Object> doc) throws InterruptedException {
    long all0 = processCpuNanos() + b.cpuNanos();
    System.gc();
    double[] secs = new double[trainers.size()];
    double[] cpus = new double[trainers.size()];
    onThreads(trainers, events, passes - warmUpPasses, secs, cpus);
    double wall = Arrays.stream(secs).max().orElse(1e-9);
    double other = (processCpuNanos() + b.cpuNanos() - all0) / 1e9 - Arrays.stream(cpus).sum();
    doc.put("otherCoresDuringOffline" + when, other / wall);
    for (int i = 0; i < cpus.length; i++) {
      cpu[i] += cpus[i];
    }
    return wall;
  }

  /** Trains {@code n} passes with each trainer on a thread of its own, recording each one's wall and CPU seconds. */
  private static void onThreads(List<StreamingTrainer> trainers, List<Interaction> events, int n, double[] secs,
      double[] cpus)
      throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < trainers.size(); k++) {
      int i = k;
      Thread t = new Thread(() -> {
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime();
        long c0 = tm.getCurrentThreadCpuTime();
        for (int pass = 0; pass < n; pass++) {
          for (Interaction x : events) {
            trainers.get(i).accept(x);
          }
        }
        secs[i] = (System.nanoTime() - t0) / 1e9;
        cpus[i] = (tm.getCurrentThreadCpuTime() - c0) / 1e9;
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
  }

  private static StreamsSettings withPrefix(StreamsSettings s, String prefix) {
    return new StreamsSettings(s.applicationId(), s.bootstrapServers(),
        s.reviews().renamed(prefix + s.reviews().name()),
        s.ratings().renamed(prefix + s.ratings().name()), s.imageFeatures().renamed(prefix + s.imageFeatures().name()),
        s.deadLetters().renamed(prefix + s.deadLetters().name()), prefix + s.validatedTopic(),
        prefix + s.embeddingsTopicPrefix(), s.maxTextChars(), s.featureDim(), s.passthrough());
  }

  /**
   * Produces the first events at {@code rate}, remembering each event's send time per user, and measures for
   * every event the time until its user's vector, updated by a batch that includes the event, is readable
   * (read_committed) on each view's embedding topic: the first USER record whose timestamp (the produce
   * time of the batch's last event) is at or after the event's.
   */
  private Map<String, Object> freshness(Dataset ds, ModelConfig cfg, StreamsSettings s, Path state, double rate,
      PrintWriter err) throws Exception {
    int n = Math.min(freshnessEvents, ds.interactions().size());
    Map<String, List<long[]>> sentByUser = new ConcurrentHashMap<>(); // user → [sendMillis, sendNanos]
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    try (Pipeline p = Pipeline.start(s, cfg, options(state));
        DatasetProducer producer = new DatasetProducer(ds, s, cfg.seed())) {
      p.awaitRunning(Duration.ofMinutes(2));
      Properties cp = s.kafkaProperties();
      cp.remove("application.id");
      cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      Map<String, Integer> next = new HashMap<>(); // view|user → index of the next unmatched send
      AtomicBoolean stop = new AtomicBoolean();
      Thread reader = new Thread(() -> {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(cp, new StringDeserializer(),
            new ByteArrayDeserializer())) {
          List<TopicPartition> parts = new ArrayList<>();
          for (String v : views) {
            parts.add(new TopicPartition(s.embeddingsTopic(v), 0));
          }
          c.assign(parts);
          c.seekToBeginning(parts);
          while (!stop.get()) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(20))) {
              long now = System.currentTimeMillis();
              if (!EmbeddingKey.isUser(r.key())) {
                continue;
              }
              String user = r.key().substring(5);
              List<long[]> sent = sentByUser.get(user);
              if (sent == null) {
                continue;
              }
              String k = r.topic() + "|" + user;
              int i = next.getOrDefault(k, 0);
              synchronized (sent) {
                while (i < sent.size() && sent.get(i)[0] <= r.timestamp()) {
                  latencies.add(now - sent.get(i)[0]);
                  i++;
                }
              }
              next.put(k, i);
            }
          }
        }
      }, "jrl-freshness");
      reader.start();
      DatasetProducer.SendListener listener = (user, millis) ->
          sentByUser.computeIfAbsent(user, u -> Collections.synchronizedList(new ArrayList<>()))
              .add(new long[] {millis});
      producer.listener(listener);
      producer.produce(0, n, rate, x -> { });
      Pipeline.awaitCaughtUp(s, views, Duration.ofMinutes(10));
      Thread.sleep(1000);
      stop.set(true);
      reader.join(30_000);
    }
    long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("rateEventsPerSecond", rate);
    m.put("samples", l.length);
    m.put("p50Millis", l.length == 0 ? -1 : l[l.length / 2]);
    m.put("p99Millis", l.length == 0 ? -1 : l[Math.min(l.length - 1, (int) (l.length * 0.99))]);
    err.printf("freshness at %.0f events/s: p50 %s ms, p99 %s ms (%d samples)%n", rate, m.get("p50Millis"),
        m.get("p99Millis"), l.length);
    return m;
  }
}
