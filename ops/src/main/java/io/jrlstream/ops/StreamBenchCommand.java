package io.jrlstream.ops;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.ops.kafka.BenchBroker;
import io.jrlstream.ops.pipeline.DatasetProducer;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.train.BoundedRocksDbConfig;
import io.jrlstream.streams.train.TrainingTopology;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl bench-stream}: end-to-end throughput of the streaming trainer through a real (embedded)
 * broker with exactly-once, against the one-pass offline throughput of the same code on the same events in
 * the same process; then freshness at half the sustained rate; heap and RocksDB memory.
 *
 * <p>Both throughput figures are sustained rates after warm-up: the data set is streamed {@code --passes}
 * times (the same interactions again, as new events); the first {@code --warm-up-passes} warm up (JIT,
 * broker, caches: the JIT compiles broker, client and Streams code for tens of seconds, so a fraction of a
 * 10 k-event data set is not a sustained figure), the remaining passes are timed. The offline reference trains the same passes in one process, one trainer per view on its own
 * thread, and times the same passes (wall time of the slowest view).
 */
@Command(name = "bench-stream", mixinStandardHelpOptions = true,
    description = "Streaming throughput vs offline one-pass, freshness (produce → embedding topic) at half rate, memory.")
final class StreamBenchCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Mixin
  DataOption data;

  @Mixin
  ModelOptions modelOptions;

  @Option(names = "--views", split = ",", defaultValue = "review,rating", description = "Views (default ${DEFAULT-VALUE}).")
  List<String> views;

  @Option(names = "--batch-size", defaultValue = "64", description = "Mini-batch size (default ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--passes", defaultValue = "5",
      description = "Passes over the data, warm-up passes included (default ${DEFAULT-VALUE}).")
  int passes;

  @Option(names = "--warm-up-passes", defaultValue = "2",
      description = "Passes that warm up before the timed ones (default ${DEFAULT-VALUE}).")
  int warmUpPasses;

  @Option(names = "--broker", defaultValue = "child",
      description = "Broker in a child JVM (as beside a real cluster; its CPU is reported apart) or in_process "
          + "(default ${DEFAULT-VALUE}).")
  BenchBroker.Placement broker;

  @Option(names = "--checkpoint-batches", defaultValue = "" + TrainingTopology.CHECKPOINT_BATCHES,
      description = "Mini-batches between checkpoints of a view's rows (default ${DEFAULT-VALUE}).")
  int checkpointBatches;

  @Option(names = "--publish-interval-ms", defaultValue = "100",
      description = "Least ms between publications of changed vectors; 0 = after every batch (default ${DEFAULT-VALUE}).")
  long publishIntervalMs;

  @Option(names = "--freshness-events", defaultValue = "3000",
      description = "Events produced at half rate for the freshness figures (default ${DEFAULT-VALUE}).")
  int freshnessEvents;

  @Option(names = "--streams-config", paramLabel = "KEY=VALUE", split = ",", description = "Extra Kafka Streams properties.")
  Map<String, String> streamsConfig = Map.of();

  @Option(names = "--json", paramLabel = "OUT", description = "Write the figures as JSON to OUT.")
  Path json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Dataset ds = data.load(err);
    ModelConfig cfg = modelOptions.apply(ModelConfig.defaults()).fittedTo(ds);
    List<Interaction> events = ds.interactions().stream().filter(DatasetProducer::producible).toList();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("data", ds.name());
    doc.put("views", views);
    if (warmUpPasses < 0 || passes <= warmUpPasses) {
      throw new IllegalArgumentException("need 0 ≤ --warm-up-passes < --passes, got " + warmUpPasses + " and " + passes);
    }
    long timedEvents = (long) events.size() * (passes - warmUpPasses);
    doc.put("events", events.size());
    doc.put("passes", passes);
    doc.put("warmUpPasses", warmUpPasses);
    doc.put("timedEvents", timedEvents);

    // 1. Offline one-pass, views in parallel threads as in the pipeline: the passes after the warm-up timed.
    double[] offlineCpu = new double[1];
    double offline = offlineSeconds(ds, cfg, offlineCpu);
    doc.put("offlineEventsPerSecond", timedEvents / offline);
    doc.put("offlineCpuMicrosPerEvent", offlineCpu[0] * 1e6 / timedEvents);
    err.printf("offline one-pass: %d events in %.2f s after %d warm-up passes (%.0f events/s)%n", timedEvents, offline,
        warmUpPasses, timedEvents / offline);

    Path work = Files.createTempDirectory("jrl-bench-stream");
    doc.put("broker", broker.name());
    try (BenchBroker b = BenchBroker.start(broker, work)) {
      StreamsSettings s = StreamsSettings.defaults(b.bootstrapServers());
      // 2. Sustained: after a warm-up on the first events (JIT, broker, caches), the rest is produced as
      //    fast as possible and timed until the trainer has caught up.
      double sustained;
      try (Pipeline p = Pipeline.start(s, cfg, options(work.resolve("state")));
          DatasetProducer producer = new DatasetProducer(ds, s)) {
        p.awaitRunning(Duration.ofMinutes(2));
        int all = ds.interactions().size();
        for (int pass = 0; pass < warmUpPasses; pass++) {
          producer.produce(0, all, 0, n -> { });
        }
        Pipeline.awaitCaughtUp(s, views, Duration.ofMinutes(30));
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        long brokerCpu0 = b.cpuNanos();
        long measured = 0;
        for (int pass = warmUpPasses; pass < passes; pass++) {
          measured += producer.produce(0, all, 0, n -> { });
        }
        Pipeline.awaitCaughtUp(s, views, Duration.ofMinutes(30));
        double secs = (System.nanoTime() - t0) / 1e9;
        double cpuSecs = (processCpuNanos() - cpu0) / 1e9;
        double brokerSecs = (b.cpuNanos() - brokerCpu0) / 1e9;
        sustained = measured / secs;
        // CPU per event (trainer process: stream threads, producer, JIT, GC; plus the broker's): unlike the
        // rates, these do not depend on how much of the machine other processes take.
        doc.put("streamingCpuMicrosPerEvent", cpuSecs * 1e6 / measured);
        doc.put("brokerCpuMicrosPerEvent", brokerSecs * 1e6 / measured);
        doc.put("cpuRatio", offlineCpu[0] / timedEvents / ((cpuSecs + brokerSecs) / measured));
        err.printf("CPU per event: offline %.0f µs; streaming %.0f µs in the trainer process%s%n",
            offlineCpu[0] * 1e6 / timedEvents, cpuSecs * 1e6 / measured,
            broker == BenchBroker.Placement.child ? String.format(" + %.0f µs in the broker", brokerSecs * 1e6 / measured)
                : " (broker included)");
        doc.put("measuredEvents", measured);
        err.printf("streaming, exactly-once: %d events in %.1f s after %d warm-up passes (%.0f events/s)%n", measured,
            secs, warmUpPasses, sustained);
        System.gc();
        doc.put("heapUsedAfterGcBytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        doc.put("rocksDbBoundBytes", BoundedRocksDbConfig.boundBytes());
        doc.put("rocksDbUsageBytes", BoundedRocksDbConfig.usageBytes());
      }
      doc.put("streamingEventsPerSecond", sustained);
      doc.put("ratio", sustained / (timedEvents / offline));
      // 3. Freshness at half the sustained rate, on a fresh application over new topics.
      StreamsSettings f = StreamsSettings.defaults(b.bootstrapServers()).withApplicationId("jrl-fresh");
      f = withPrefix(f, "fresh.");
      Map<String, Object> fresh = freshness(ds, cfg, f, work.resolve("state-fresh"), sustained / 2, err);
      doc.put("freshness", fresh);
    }
    JsonOutput.emit(doc, out, json);
    return 0;
  }

  private Pipeline.Options options(Path stateDir) {
    return new Pipeline.Options(views, batchSize, stateDir, streamsConfig, checkpointBatches, publishIntervalMs);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Wall seconds of the slowest view over the timed passes; {@code cpu[0]} gets the views' CPU seconds. */
  private double offlineSeconds(Dataset ds, ModelConfig cfg, double[] cpu) throws InterruptedException {
    double[] secs = new double[views.size()];
    double[] cpus = new double[views.size()];
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < views.size(); k++) {
      int i = k;
      Thread t = new Thread(() -> {
        View v = ViewFactory.create(views.get(i), cfg, ds);
        StreamingTrainer tr = new StreamingTrainer(v, cfg.seed(), batchSize);
        long t0 = 0;
        long c0 = 0;
        java.lang.management.ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        for (int pass = 0; pass < passes; pass++) {
          if (pass == warmUpPasses) {
            t0 = System.nanoTime();
            c0 = tm.getCurrentThreadCpuTime();
          }
          for (Interaction x : ds.interactions()) {
            if (DatasetProducer.producible(x)) {
              tr.accept(x);
            }
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
    cpu[0] = java.util.Arrays.stream(cpus).sum();
    return java.util.Arrays.stream(secs).max().orElse(1e-9);
  }

  private static StreamsSettings withPrefix(StreamsSettings s, String prefix) {
    return new StreamsSettings(s.applicationId(), s.bootstrapServers(), s.reviews().withName(prefix + s.reviews().name()),
        s.ratings().withName(prefix + s.ratings().name()), s.imageFeatures().withName(prefix + s.imageFeatures().name()),
        s.deadLetters().withName(prefix + s.deadLetters().name()), prefix + s.validatedTopic(),
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
    List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    try (Pipeline p = Pipeline.start(s, cfg, options(state));
        DatasetProducer producer = new DatasetProducer(ds, s)) {
      p.awaitRunning(Duration.ofMinutes(2));
      Properties cp = s.kafkaProperties();
      cp.remove("application.id");
      cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      Map<String, Integer> next = new HashMap<>(); // view|user → index of the next unmatched send
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
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
              if (!r.key().startsWith("USER:")) {
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
          sentByUser.computeIfAbsent(user, u -> java.util.Collections.synchronizedList(new ArrayList<>()))
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
