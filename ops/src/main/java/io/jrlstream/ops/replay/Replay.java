package io.jrlstream.ops.replay;

import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.config.TopicSpec;
import io.jrlstream.streams.train.TrainingObserver;
import io.jrlstream.streams.train.TrainingOptions;
import io.jrlstream.streams.train.TrainingTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded backfill (DESIGN.md §2 "Extendability"): trains one view, or a new version of one, from the retained
 * validated topic (written by the live {@link Pipeline} in the order its views read it) in a Kafka Streams
 * application of its own ({@code <app>-replay-<view>-v<N>}), so the live application's views keep training and
 * serving untouched: they share no task, store, topic or consumer group with it.
 *
 * <p>The backfill reads from {@code from} (the beginning, or the first offset at or after a timestamp) up to
 * {@code until} (the end offsets taken when version N was first started, or the first offset at or after a
 * timestamp), through the same training sub-topology as the live pipeline
 * ({@link TrainingTopology#addTo}), publishing to {@code jrl.embeddings.v<N>.<view>}. Both bounds are recorded
 * in the control topic ({@link ViewVersions}) when the version is registered and reused on every restart, and
 * processing is exactly-once with the training state in changelogged stores: an interrupted replay restarted
 * with the same version resumes and ends in the same state as an uninterrupted one. Once every event before
 * {@code until} is trained, the version is marked caught up and (unless told otherwise) made the view's active
 * version, which serving reads; then the application stops, or with {@code live} goes on training from the
 * validated topic as new events arrive.
 *
 * <p>Timestamps for {@code from}/{@code until} are the validated records' timestamps: the input records'
 * (send) times, not the events' own event times.
 *
 * <p>Lifecycle: {@link #start}, {@link #awaitCaughtUp}, {@link #close}. Thread-safe as {@link KafkaStreams} is.
 */
public final class Replay implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Replay.class);

  /**
   * What to replay.
   *
   * @param view the view to train
   * @param version the version number (≥ 1), or null for the next free one
   * @param fromMillis start at the first validated record at or after this timestamp, or null for the beginning
   * @param untilMillis stop before the first record at or after this timestamp, or null for the end offsets now
   * @param live whether to go on training live after catching up (else stop)
   * @param activate whether to make the version active once caught up
   * @param training how the view trains: batching, checkpoints, publication (as the live pipeline)
   * @param stateDir where the replay's RocksDB stores live
   * @param extra further Kafka Streams properties
   */
  public record Options(String view, Integer version, Long fromMillis, Long untilMillis, boolean live,
      boolean activate, TrainingOptions training, Path stateDir, Map<String, String> extra) {
    public Options {
      Objects.requireNonNull(view, "view");
      Objects.requireNonNull(training, "training");
      Objects.requireNonNull(stateDir, "stateDir");
      extra = Map.copyOf(extra);
      if (version != null && version < 1) {
        throw new IllegalArgumentException("a replayed version is numbered from 1 (0 is the live topic), got "
            + version);
      }
    }
  }

  private final StreamsSettings settings;
  private final String controlTopic;
  private final Options options;
  private final int version;
  private final ViewVersions.Version spec;
  private final KafkaStreams streams;
  private final boolean alreadyCaughtUp;

  private Replay(StreamsSettings settings, String controlTopic, Options options, int version,
      ViewVersions.Version spec, KafkaStreams streams, boolean alreadyCaughtUp) {
    this.settings = settings;
    this.controlTopic = controlTopic;
    this.options = options;
    this.version = version;
    this.spec = spec;
    this.streams = streams;
    this.alreadyCaughtUp = alreadyCaughtUp;
  }

  /** The application id of version N of a view. */
  public static String applicationId(StreamsSettings s, String view, int version) {
    return s.applicationId() + "-replay-" + view + "-v" + version;
  }

  /**
   * The embedding topic of version N of a view: {@code <embeddings prefix>v<N>.<view>}, e.g.
   * {@code jrl.embeddings.v2.review}. The replay application's settings carry the prefix
   * {@code <embeddings prefix>v<N>.}, so the training sub-topology publishes there as it publishes any view.
   */
  public static String topic(StreamsSettings s, String view, int version) {
    return versionSettings(s, version).embeddingsTopic(view);
  }

  /** The settings with the embeddings prefix of version N. */
  private static StreamsSettings versionSettings(StreamsSettings s, int version) {
    return s.withEmbeddingsTopicPrefix(s.embeddingsTopicPrefix() + "v" + version + ".");
  }

  /**
   * Registers the version (or finds it registered), then starts its application unless it has caught up already
   * and is not to go live.
   *
   * @throws IllegalArgumentException when the validated topic does not exist
   */
  public static Replay start(StreamsSettings s, ModelConfig config, String controlTopic, Options o) {
    config.view(o.view()); // fails early, naming the view
    Properties base = s.kafkaProperties();
    base.remove("application.id");
    short rf = s.reviews().replication();
    ViewVersions vv;
    int n;
    ViewVersions.Version spec;
    try (Admin admin = Admin.create(base)) {
      TopicAdmin.ensureTopics(admin, List.of(TopicSpec.compacted(controlTopic, 1, rf)));
      vv = ViewVersions.read(base, controlTopic, o.view());
      n = o.version() != null ? o.version() : vv.nextVersion();
      spec = vv.versions().get(n);
      if (spec == null) {
        List<TopicPartition> parts = partitions(admin, s.validatedTopic());
        String appId = applicationId(s, o.view(), n);
        spec = new ViewVersions.Version(topic(s, o.view(), n), appId, offsets(admin, parts, o.fromMillis(), true),
            offsets(admin, parts, o.untilMillis(), false), o.live() ? "live" : "stop", false);
        TopicAdmin.ensureTopics(admin, List.of(Pipeline.embeddingsTopic(s, spec.topic(), rf)));
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        for (TopicPartition tp : parts) {
          start.put(tp, new OffsetAndMetadata(spec.from().get(tp.partition())));
        }
        admin.alterConsumerGroupOffsets(appId, start).all().get();
        vv = vv.with(n, spec);
        vv.write(base, controlTopic);
        LOG.info("registered {} version {}: {} from {} until {}", o.view(), n, spec.topic(), spec.from(), spec.until());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while registering the replay", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot register the replay of " + o.view() + ": " + e.getCause().getMessage(),
          e.getCause());
    }
    boolean live = "live".equals(spec.then()) || o.live();
    if (spec.caughtUp() && !live) {
      return new Replay(s, controlTopic, o, n, spec, null, true);
    }
    StreamsSettings rs = versionSettings(s, n).withApplicationId(spec.applicationId());
    Pipeline.Options po = new Pipeline.Options(List.of(o.view()), o.stateDir(), o.extra(), o.training());
    Properties props = Pipeline.viewProperties(rs, po, spec.applicationId());
    if (!rs.embeddingsTopic(o.view()).equals(spec.topic())) {
      throw new IllegalStateException("version " + n + " of " + o.view() + " was registered with topic " + spec.topic()
          + " but would publish to " + rs.embeddingsTopic(o.view()) + " (was the embeddings prefix changed?)");
    }
    KafkaStreams ks = new KafkaStreams(topology(rs, config, po, live ? null : spec.until()), props);
    String appId = spec.applicationId();
    ks.setUncaughtExceptionHandler(e -> {
      LOG.error("replay {} of view {} failed; shutting down", appId, o.view(), e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    ks.start();
    return new Replay(s, controlTopic, o, n, spec, ks, spec.caughtUp());
  }

  /**
   * The replay application's topology: the validated topic, cut at {@code until} (null: not cut), into the
   * training sub-topology of the view in {@code o.views()} (as the live pipeline trains it), publishing to
   * {@code rs.embeddingsTopic(view)}.
   */
  public static Topology topology(StreamsSettings rs, ModelConfig config, Pipeline.Options o,
      Map<Integer, Long> until) {
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, byte[]> history = TrainingTopology.validated(b, rs);
    if (until != null) {
      Map<Integer, Long> bound = Map.copyOf(until);
      history = history.processValues(() -> new Bound(bound), Named.as("jrl-replay-until"));
    }
    String view = o.views().get(0);
    TrainingTopology.addView(b, history, rs, config, view, o.training(), Pipeline.history(rs),
        TrainingObserver.NONE);
    return b.build();
  }

  /** Passes the records before the bound of their partition, drops the rest. */
  private static final class Bound implements FixedKeyProcessor<String, byte[], byte[]> {
    private final Map<Integer, Long> until;
    private FixedKeyProcessorContext<String, byte[]> context;

    Bound(Map<Integer, Long> until) {
      this.until = until;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, byte[]> context) {
      this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> r) {
      var meta = context.recordMetadata().orElseThrow();
      if (meta.offset() < until.getOrDefault(meta.partition(), 0L)) {
        context.forward(r);
      }
    }
  }

  private static List<TopicPartition> partitions(Admin admin, String topic) throws InterruptedException,
      ExecutionException {
    var described = admin.describeTopics(List.of(topic)).allTopicNames();
    try {
      return described.get().get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition()))
          .toList();
    } catch (ExecutionException e) {
      throw new IllegalArgumentException("no validated topic " + topic + " to replay from: the trainer (jrl run, "
          + "jrl local) writes it", e);
    }
  }

  /** Per partition: the offset at a timestamp, or the beginning (start) / the committed end (not start). */
  private static Map<Integer, Long> offsets(Admin admin, List<TopicPartition> parts, Long millis, boolean start)
      throws InterruptedException, ExecutionException {
    Map<TopicPartition, OffsetSpec> want = new HashMap<>();
    Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
    for (TopicPartition tp : parts) {
      want.put(tp, millis != null ? OffsetSpec.forTimestamp(millis) : start ? OffsetSpec.earliest()
          : OffsetSpec.latest());
      ends.put(tp, OffsetSpec.latest());
    }
    ListOffsetsOptions committed = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
    var got = admin.listOffsets(want, committed).all().get();
    var end = admin.listOffsets(ends, committed).all().get();
    Map<Integer, Long> out = new TreeMap<>();
    for (TopicPartition tp : parts) {
      long o = got.get(tp).offset();
      out.put(tp.partition(), o < 0 ? end.get(tp).offset() : o); // no record at or after the timestamp: the end
    }
    return out;
  }

  public int version() {
    return version;
  }

  public ViewVersions.Version spec() {
    return spec;
  }

  /** The running application, or null when the version had caught up already and was not to go live. */
  public KafkaStreams streams() {
    return streams;
  }

  /**
   * Offsets of the validated topic the version has to go through: Σ (until − from). The topic is written in
   * transactions, so this counts their commit markers too: slightly more than the events.
   */
  public long total() {
    long t = 0;
    for (var e : spec.until().entrySet()) {
      t += Math.max(0, e.getValue() - spec.from().getOrDefault(e.getKey(), 0L));
    }
    return t;
  }

  /** Offsets of the validated topic consumed so far (committed), at most {@link #total()}. */
  public long done() throws Exception {
    Properties base = settings.kafkaProperties();
    base.remove("application.id");
    try (Admin admin = Admin.create(base)) {
      return progress(admin)[0];
    }
  }

  /**
   * Validated events consumed so far (committed), at most {@link #total()}, and whether everything before the
   * bound is trained: consumed (hence trained: the view trains in the task that consumes) up to {@code until}.
   */
  private long[] progress(Admin admin) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(spec.applicationId())
        .partitionsToOffsetAndMetadata().get();
    long done = 0;
    boolean all = true;
    for (var e : spec.until().entrySet()) {
      TopicPartition tp = new TopicPartition(settings.validatedTopic(), e.getKey());
      OffsetAndMetadata c = committed.get(tp);
      long at = c == null ? spec.from().getOrDefault(e.getKey(), 0L) : c.offset();
      done += Math.max(0, Math.min(at, e.getValue()) - spec.from().getOrDefault(e.getKey(), 0L));
      all &= at >= e.getValue();
    }
    return new long[] {done, all ? 1 : 0};
  }

  /**
   * Waits until every event before the bound is trained, telling {@code progress} (done, total) about twice a
   * second; then marks the version caught up (and active, if asked) in the control topic, and in stop mode stops
   * the application.
   *
   * @throws IllegalStateException when the application fails or {@code max} passes first
   */
  public void awaitCaughtUp(Duration max, BiConsumer<Long, Long> progress) throws Exception {
    Properties base = settings.kafkaProperties();
    base.remove("application.id");
    if (!alreadyCaughtUp) {
      long end = System.nanoTime() + max.toNanos();
      try (Admin admin = Admin.create(base)) {
        while (true) {
          KafkaStreams.State st = streams.state();
          if (st == KafkaStreams.State.ERROR || st == KafkaStreams.State.PENDING_ERROR
              || st == KafkaStreams.State.NOT_RUNNING) {
            throw new IllegalStateException("the replay of " + options.view() + " v" + version + " stopped (" + st
                + "); see the log above");
          }
          long[] p = progress(admin);
          progress.accept(p[0], total());
          if (p[1] == 1) {
            break;
          }
          if (System.nanoTime() > end) {
            throw new IllegalStateException("the replay did not catch up within " + max + " (" + p[0] + " of "
                + total() + " events)");
          }
          Thread.sleep(500);
        }
      }
      ViewVersions vv = ViewVersions.read(base, controlTopic, options.view());
      vv = vv.with(version, vv.versions().getOrDefault(version, spec).markCaughtUp());
      if (options.activate()) {
        vv = vv.activate(version);
      }
      vv.write(base, controlTopic);
    }
    boolean live = "live".equals(spec.then()) || options.live();
    if (!live) {
      close();
    }
  }

  /** Stops the application (if running) and leaves its consumer group. */
  @Override
  public void close() {
    if (streams != null) {
      streams.close(CloseOptions
          .groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
          .withTimeout(Duration.ofSeconds(30)));
    }
  }
}
