package io.jrlstream.ops.metrics;

import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.pipeline.TrainerLag;
import io.jrlstream.streams.ingest.DeadLetterCounter;
import io.jrlstream.streams.ingest.RejectReason;
import io.jrlstream.streams.train.BoundedRocksDbConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The metrics of one instance (issue 14), in a Micrometer registry scraped in Prometheus' text format at
 * {@code GET /metrics}: Kafka Streams' own metrics of every client of the instance (Micrometer's
 * {@link KafkaStreamsMetrics} binder, tagged {@code client}: {@code ingestion}, {@code trainer-<view>},
 * {@code serving}), the JVM's and the process's, RocksDB's shared memory bound and use, and the project's own meters,
 * all named {@code jrl.…} ({@code jrl_…} in Prometheus): training ({@link TrainingMetrics}), dead letters by reason,
 * serving requests by endpoint and status, trainer lag, health. {@code docs/operations.md} names and describes every
 * one; {@code MetricsTest} scrapes them from a running pipeline.
 *
 * <p>Lifecycle: {@link #create} once per command, before the Kafka Streams clients; the clients are bound as they
 * start ({@link #bind(Pipeline, List)}, {@link #bindStreams}); {@link #close} after them. Thread-safe: meters are
 * updated from stream threads and HTTP workers while any thread scrapes.
 */
public final class Metrics implements AutoCloseable {
  /** The content type of {@link #scrape()}: Prometheus' text exposition format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  /** How often the Kafka binders look for metrics that clients registered after binding (new topics, tasks). */
  static final Duration KAFKA_REFRESH = Duration.ofSeconds(30);
  /**
   * Buckets of the serving latency histogram (seconds): a query takes about a millisecond in-process at the
   * README's Beauty scale, 40 ms at a million items; the buckets reach the HTTP client timeouts.
   */
  static final Duration[] REQUEST_BUCKETS = durations(0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10_000);

  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;
  private final ScheduledExecutorService kafkaRefresh;
  private final Map<String, KafkaStreamsMetrics> streams = new ConcurrentHashMap<>();
  private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();

  private Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    new JvmMemoryMetrics().bindTo(registry);
    gc = new JvmGcMetrics();
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmInfoMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("jrl.rocksdb.memory.bound", BoundedRocksDbConfig::boundBytes).baseUnit("bytes")
        .description("RocksDB memory bound of the process: the shared block cache including memtables "
            + "(jrl.rocksdb.cache.bytes; 0 before the first store opens)")
        .register(registry);
    Gauge.builder("jrl.rocksdb.memory.used", BoundedRocksDbConfig::usageBytes).baseUnit("bytes")
        .description("bytes the shared RocksDB cache holds now (blocks and memtables of every store)")
        .register(registry);
    Gauge.builder("jrl.process.resident.memory", Metrics::residentBytes).baseUnit("bytes")
        .description("resident set size of the process (heap, RocksDB, ONNX Runtime, thread stacks; Linux only, "
            + "NaN elsewhere)")
        .register(registry);
    String version = Metrics.class.getPackage().getImplementationVersion();
    Gauge.builder("jrl.info", () -> 1).tag("version", version == null ? "dev" : version)
        .description("always 1; its version tag is the build's").register(registry);
    kafkaRefresh = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "jrl-metrics-kafka");
      t.setDaemon(true);
      return t;
    });
  }

  /** A registry with the JVM, process and RocksDB meters; bind the instance's clients as they start. */
  public static Metrics create() {
    return new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** The registry, for meters of other parts. */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * The training meters of {@code views} (registered now, so that every family is there from the start): pass the
   * result to {@link Pipeline#start} as its observer.
   */
  public TrainingMetrics training(List<String> views) {
    return new TrainingMetrics(registry, views);
  }

  /**
   * Binds a trainer's clients (ingestion, then {@code trainer-<view>} per view), the records each view's tasks hold
   * in this instance ({@link Pipeline#heldRecords}; 0 for a view of one task) and its dead-letter counts.
   *
   * @return the pipeline
   */
  public Pipeline bind(Pipeline pipeline, List<String> views) {
    List<KafkaStreams> apps = pipeline.applications();
    bindStreams("ingestion", apps.get(0));
    for (int i = 0; i < views.size(); i++) {
      String view = views.get(i);
      bindStreams("trainer-" + view, apps.get(i + 1));
      Gauge.builder("jrl.trainer.held.records", pipeline, p -> p.heldRecords(view)).tag("view", view)
          .description("records a sharded view's tasks in this instance have taken from the by-user topic and not "
              + "trained yet (waiting for a merge); the committed offsets are past them; 0 for a view of one task")
          .register(registry);
    }
    bindDeadLetters(pipeline.deadLetters());
    return pipeline;
  }

  /**
   * Binds the Kafka Streams metrics of one client, tagged {@code client=name}, replacing (and closing) the binding
   * of a client of the same name: serving replaces its client at a version switch.
   */
  public void bindStreams(String name, KafkaStreams client) {
    KafkaStreamsMetrics binder = new KafkaStreamsMetrics(client, Tags.of("client", name), kafkaRefresh,
        KAFKA_REFRESH);
    KafkaStreamsMetrics old = streams.put(name, binder);
    if (old != null) {
      old.close();
    }
    binder.bindTo(registry);
  }

  /** Counts of the records sent to the dead-letter topic, one series per {@link RejectReason}, zeros included. */
  public void bindDeadLetters(DeadLetterCounter counter) {
    for (RejectReason r : RejectReason.values()) {
      FunctionCounter.builder("jrl.dead.letters", counter, c -> c.count(r)).tag("reason", r.name())
          .description("records sent to the dead-letter topic, by reason (this process's attempts: an aborted "
              + "transaction's records count again when re-processed)")
          .register(registry);
    }
  }

  /** Whether the instance is live (no client failed) and how many of its clients run, at each scrape. */
  public void bindHealth(Health health) {
    Gauge.builder("jrl.health.live", health, h -> h.check().live() ? 1 : 0)
        .description("1 while no Kafka Streams client of the instance has failed (what /health reports), else 0")
        .register(registry);
    Gauge.builder("jrl.health.clients.running", health,
            h -> h.check().clients().values().stream().filter(Health.ClientStatus::running).count())
        .description("Kafka Streams clients of the instance in RUNNING").register(registry);
    Gauge.builder("jrl.health.clients", health, h -> h.check().clients().size())
        .description("Kafka Streams clients of the instance").register(registry);
  }

  /** Each trainer's lag on the validated topic and ingestion's on the input topics, as last checked. */
  public void bindLag(TrainerLag lag) {
    for (String view : lag.views()) {
      Gauge.builder("jrl.trainer.lag", lag, l -> l.viewLag(view)).tag("view", view)
          .description("records of the validated topic the view's trainer has not committed yet; for a sharded "
              + "view also of its by-user and update topics, plus the records its tasks here hold (checked every "
              + TrainerLag.REFRESH.toSeconds() + " s; -1 until known)")
          .register(registry);
    }
    Gauge.builder("jrl.ingestion.lag", lag, TrainerLag::ingestionLag)
        .description("records of the input topics ingestion has not committed yet (-1 until known)")
        .register(registry);
  }

  /**
   * Records one HTTP request.
   *
   * @param endpoint the route's name ({@code recommendations}, {@code similar}, {@code health}, …)
   * @param status the response status
   * @param nanos from the request's arrival at the handler to the response being handed to the connection
   */
  public void request(String endpoint, int status, long nanos) {
    requestTimers.computeIfAbsent(endpoint + ' ' + status, k -> Timer.builder("jrl.serve.requests")
        .tags("endpoint", endpoint, "status", Integer.toString(status))
        .description("HTTP requests by endpoint and status: time to answer, until the response is handed to "
            + "the connection")
        .serviceLevelObjectives(REQUEST_BUCKETS)
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Every meter in Prometheus' text format ({@link #CONTENT_TYPE}). */
  public byte[] scrape() {
    return registry.scrape().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    streams.values().forEach(KafkaStreamsMetrics::close);
    streams.clear();
    gc.close();
    kafkaRefresh.shutdownNow();
    registry.close();
  }

  /** VmRSS of /proc/self/status in bytes, NaN where there is none. */
  static double residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).strip().split("\\s+");
          return Long.parseLong(parts[0]) * 1024.0; // kB
        }
      }
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }

  static Duration[] durations(double... millis) {
    Duration[] out = new Duration[millis.length];
    for (int i = 0; i < millis.length; i++) {
      out[i] = Duration.ofNanos((long) (millis[i] * 1e6));
    }
    return out;
  }
}
