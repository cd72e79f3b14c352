package io.jrlstream.ops.pipeline;

import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.config.TopicSpec;
import io.jrlstream.streams.image.ImageFeatureTopology;
import io.jrlstream.streams.image.ImageSettings;
import io.jrlstream.streams.image.OnnxSessions;
import io.jrlstream.streams.ingest.DeadLetterCounter;
import io.jrlstream.streams.ingest.DeadLetterProductionHandler;
import io.jrlstream.streams.ingest.IngestionTopology;
import io.jrlstream.streams.ingest.OversizeRecordInterceptor;
import io.jrlstream.streams.shard.HeldRecords;
import io.jrlstream.streams.shard.ShardKeys;
import io.jrlstream.streams.shard.ShardObserver;
import io.jrlstream.streams.shard.ShardedTopology;
import io.jrlstream.streams.train.BoundedRocksDbConfig;
import io.jrlstream.streams.train.EventHistory;
import io.jrlstream.streams.train.KafkaEventHistory;
import io.jrlstream.streams.train.RocksDbBounds;
import io.jrlstream.streams.train.TrainingObserver;
import io.jrlstream.streams.train.TrainingOptions;
import io.jrlstream.streams.train.TrainingTopology;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer on a Kafka cluster: creates the topics it needs (or names the mis-configured ones), then runs, with
 * exactly-once processing, the ingestion application (id {@code application.id}: input topics → validation →
 * validated topic and dead letters, plus image feature extraction when configured) and one training application
 * per view (id {@link #viewApplicationId}: validated topic → the view's trainer → its embedding topic). Each view
 * reads the single-partition validated topic itself (DESIGN.md "Parallelism" phase 1: one training task per
 * view, views in parallel), which is also its event log, so a valid event is written to the broker once.
 * Used by {@code jrl local} (embedded broker) and {@code jrl run} (any cluster).
 *
 * <p>Lifecycle: {@link #start} returns a running pipeline; {@link #close} stops it cleanly (state is
 * checkpointed; a crash without close is recovered from the changelogs and the validated topic). Thread-safe.
 */
public final class Pipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  /**
   * How the trainer runs.
   *
   * @param views    the views to train (each gets a training sub-topology); at least one
   * @param stateDir where the RocksDB stores live
   * @param extra    further Kafka Streams properties, over the settings' pass-through ones (e.g. the RocksDB bound
   *                 of {@link RocksDbBounds#streamsProperties()})
   * @param training how each view's trainer batches, checkpoints and publishes, and when ingestion writes flush
   *                 markers ({@link TrainingOptions#flushAfterMs()})
   * @param sharding views that train as several tasks ({@link ShardKeys}); a view absent or of one task trains in
   *                 the unsharded topology
   */
  public record Options(List<String> views, Path stateDir, Map<String, String> extra, TrainingOptions training,
      Map<String, ShardSettings> sharding) {
    /**
     * @throws IllegalArgumentException when no view is given, or a trained view has several tasks and
     *     {@code jrl.flush.after.ms} is 0 ({@link ShardKeys#requireFlushMarkers})
     */
    public Options {
      views = List.copyOf(views);
      if (views.isEmpty()) {
        throw new IllegalArgumentException("at least one view must be trained");
      }
      Objects.requireNonNull(stateDir, "stateDir");
      extra = Map.copyOf(extra);
      Objects.requireNonNull(training, "training");
      sharding = Map.copyOf(sharding);
      ShardKeys.requireFlushMarkers(views, sharding, training.flushAfterMs());
    }

    /** Options where every view trains as one task. */
    public Options(List<String> views, Path stateDir, Map<String, String> extra, TrainingOptions training) {
      this(views, stateDir, extra, training, Map.of());
    }

    /** @return these options with views trained as several tasks */
    public Options withSharding(Map<String, ShardSettings> newSharding) {
      return new Options(views, stateDir, extra, training, newSharding);
    }

    /** The sharding of {@code view}, or null when it trains as one task. */
    public ShardSettings shardingOf(String view) {
      ShardSettings s = sharding.get(view);
      return s != null && s.sharded() ? s : null;
    }

    /** @return options for {@code views} with no extra properties and the default {@link TrainingOptions} */
    public static Options of(List<String> views, Path stateDir) {
      return new Options(views, stateDir, Map.of(), TrainingOptions.defaults());
    }

    /** @return these options with other training options */
    public Options withTraining(TrainingOptions newTraining) {
      return new Options(views, stateDir, extra, newTraining, sharding);
    }

    /** @return these options with other extra Kafka Streams properties */
    public Options withExtra(Map<String, String> newExtra) {
      return new Options(views, stateDir, newExtra, training, sharding);
    }
  }

  /** Logged (info) when the applications start, after the topics are checked: the start of a restart's Kafka part. */
  public static final String STARTING = "JRL-PIPELINE-STARTING";

  /** The ingestion application, then one per view. */
  private final List<KafkaStreams> apps;
  private final DeadLetterCounter deadLetters;
  private final StreamsSettings settings;
  private final Options options;
  /** By sharded view: the records its tasks in this instance hold. */
  private final Map<String, HeldRecords> held;

  private Pipeline(List<KafkaStreams> apps, DeadLetterCounter deadLetters, StreamsSettings settings, Options options,
      Map<String, HeldRecords> held) {
    this.apps = List.copyOf(apps);
    this.deadLetters = deadLetters;
    this.settings = settings;
    this.options = options;
    this.held = Map.copyOf(held);
  }

  /** The application id of a view's trainer: {@code <application.id>-train-<view>}. */
  public static String viewApplicationId(StreamsSettings s, String view) {
    return s.applicationId() + "-train-" + view;
  }

  /** Every topic the application reads or writes, with the settings it is created with. */
  public static List<TopicSpec> topics(StreamsSettings s, List<String> views) {
    List<TopicSpec> out = new ArrayList<>();
    out.addAll(s.inputTopics());
    out.add(sized(s.deadLetters(), s));
    short rf = s.reviews().replication();
    for (String v : views) {
      out.add(embeddingsTopic(s, s.embeddingsTopic(v), rf));
    }
    out.add(validatedTopic(s));
    return out;
  }

  /** Least {@code retention.ms} of an existing validated topic: 7 days, Kafka's default ({@link #validatedTopic}). */
  public static final long VALIDATED_RETENTION_FLOOR_MS = 604_800_000L;

  /** Least {@code retention.bytes} of an existing validated topic: 1 GiB (see {@link #validatedTopic}). */
  public static final long VALIDATED_RETENTION_FLOOR_BYTES = 1L << 30;

  /**
   * The validated topic: every valid event in the order the views train on it, one partition, never compacted,
   * created to keep everything ({@code retention.ms} and {@code retention.bytes} -1) so that a new view or version
   * can be trained from the beginning ({@code jrl replay}). Each trainer restores from its checkpoint and re-reads only
   * the offsets after it (DESIGN.md §2 "Training state"), so a finite retention is allowed: what it must keep is the
   * events since each view's last committed checkpoint, at most a checkpoint interval of them (TrainingOptions:
   * {@code jrl.checkpoint.batches} × batch size interactions, more while a checkpoint waits for
   * {@code checkpointEventsPerRow} or is spread), plus whatever arrives while a trainer is down; a restore that finds
   * them deleted fails naming the offsets. An existing topic is accepted with a retention of at least
   * {@value #VALIDATED_RETENTION_FLOOR_MS} ms and {@value #VALIDATED_RETENTION_FLOOR_BYTES}
   * bytes, or -1: below that a restart is too easily out of reach (a stream bringing fewer than a checkpoint
   * interval of events per retention period needs a smaller {@code jrl.checkpoint.batches}); a new view then trains
   * from the oldest event retained.
   */
  public static TopicSpec validatedTopic(StreamsSettings s) {
    return sized(TopicSpec.of(s.validatedTopic(), 1, s.reviews().replication()), s)
        .withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)
        .withConfig(TopicConfig.RETENTION_MS_CONFIG, "-1")
        .withConfig(TopicConfig.RETENTION_BYTES_CONFIG, "-1")
        .withFloor(TopicConfig.RETENTION_MS_CONFIG, VALIDATED_RETENTION_FLOOR_MS)
        .withFloor(TopicConfig.RETENTION_BYTES_CONFIG, VALIDATED_RETENTION_FLOOR_BYTES);
  }

  /**
   * A topic the application writes, created to accept the largest record the limits allow
   * ({@code max.message.bytes} = {@link io.jrlstream.streams.config.Limits#topicMaxMessageBytes()}).
   */
  public static TopicSpec sized(TopicSpec t, StreamsSettings s) {
    return t.withConfig(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(s.limits().topicMaxMessageBytes()));
  }

  /**
   * An embedding topic: compacted, sized like every topic the application writes, and with segments that close
   * after {@value #COMPACTED_SEGMENT_BYTES} bytes or an hour, so that the log cleaner (which never touches the
   * active segment) actually drops superseded vectors: with the broker's 1 GiB (the local broker's 64 MiB) and 7
   * days, a vector republished thousands of times stayed on disk that many times (issue 13: disk use 20-30 times
   * the input). Set at creation only; for an existing topic: {@code kafka-configs.sh --alter --entity-type topics
   * --entity-name NAME --add-config segment.bytes=16777216,segment.ms=3600000,min.cleanable.dirty.ratio=0.25}.
   */
  public static TopicSpec embeddingsTopic(StreamsSettings s, String name, short replication) {
    TopicSpec t = sized(TopicSpec.compacted(name, 1, replication), s);
    for (Map.Entry<String, String> e : COMPACTION.entrySet()) {
      t = t.withConfig(e.getKey(), e.getValue());
    }
    return t;
  }

  /** Segment size of the compacted topics the application creates (embeddings, serving items, changelogs). */
  public static final int COMPACTED_SEGMENT_BYTES = 16 << 20;

  /** Topic configs that make compaction happen within a running deployment (see {@link #embeddingsTopic}). */
  public static final Map<String, String> COMPACTION = Map.of(
      TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(COMPACTED_SEGMENT_BYTES),
      TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()),
      TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.25");

  /** The Kafka Streams properties of the ingestion application (one stream thread). */
  public static Properties streamsProperties(StreamsSettings s, Options o) {
    Properties p = s.kafkaProperties();
    p.putAll(o.extra());
    // A record Kafka refuses goes to the dead letters instead of stopping the application (issue 13).
    DeadLetterProductionHandler.streamsProperties(s).forEach(p::putIfAbsent);
    membership(p, o.stateDir());
    p.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, o.stateDir().toAbsolutePath().toString());
    p.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
    p.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class.getName());
    p.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(64L << 20));
    p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    // Embedding records (1.2 KB at K=300) and checkpoint rows (3.6 KB) in batches of hundreds, not of 16 KB: the
    // broker's cost is mostly per request and per batch.
    p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG),
        Integer.toString(512 << 10));
    return p;
  }

  /**
   * Fast takeover after a crash (issue 13): static membership, so that a restarted instance takes its tasks back at
   * once instead of waiting out its dead predecessor's session ({@code group.instance.id} = this host's name and
   * the state directory, stable across restarts and distinct between instances; Kafka Streams appends each stream
   * thread's index), and a session timeout of 15 s instead of 45 s, so that another instance (with a standby
   * replica: {@code num.standby.replicas}) takes over sooner when this one does not come back. A
   * {@code group.instance.id} in the configuration wins (empty: dynamic membership).
   *
   * @param p        the client properties; changed
   * @param stateDir this instance's state directory
   */
  public static void membership(Properties p, Path stateDir) {
    p.putIfAbsent(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId(stateDir));
    if (p.getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG).isBlank()) {
      p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    }
    p.putIfAbsent(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "15000");
  }

  /** {@code <host name>-<hash of the absolute state directory>}: stable per instance, distinct between them. */
  static String instanceId(Path stateDir) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "localhost";
    }
    String dir = stateDir.toAbsolutePath().normalize().toString();
    return (host + "-" + Integer.toHexString(dir.hashCode())).replaceAll("[^a-zA-Z0-9._-]", "_");
  }

  /**
   * The Kafka Streams properties of the training application {@code applicationId}: those of ingestion, one stream
   * thread (its one task), reading the validated topic from its beginning the first time.
   */
  public static Properties viewProperties(StreamsSettings s, Options o, String applicationId) {
    Properties p = streamsProperties(s, o);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1"); // one task: the validated topic has one partition
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    // The trainer's changelog (checkpoint rows, rewritten under new generations) is compacted: close its segments
    // sooner so that superseded rows go (see embeddingsTopic).
    COMPACTION.forEach((k, v) -> p.putIfAbsent(StreamsConfig.topicPrefix(k), v));
    return p;
  }

  /**
   * The Kafka Streams properties of a sharded view's application ({@link #viewApplicationId}): those of
   * {@link #viewProperties}, with one stream thread per task and one for the router's task (with as many threads as
   * tasks the router shared one with a training task: while that task trained a drain of held events, nothing was
   * routed to the others), and a producer that
   * takes a round's delta up to {@link ShardedTopology#MAX_DELTA_BYTES} ({@code max.request.size} and
   * {@code buffer.memory} raised to it where smaller, whatever the limits or the configuration say; the update topic
   * is created to accept as much). The by-user and update topics carry the round protocol, and the checkpoint
   * store's changelog rows as large as a delta: their records are never
   * dead-lettered ({@link OversizeRecordInterceptor#EXEMPT_TOPICS_CONFIG}), so a record Kafka refuses for them fails
   * the task, loudly, instead of leaving every other task waiting for it.
   */
  public static Properties shardedViewProperties(StreamsSettings s, Options o, String view, ShardSettings shard) {
    Properties p = viewProperties(s, o, viewApplicationId(s, view));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(shard.shards() + 1));
    raise(p, StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), ShardedTopology.MAX_DELTA_BYTES);
    // The delta's room on top of the producer's default buffer, which everything else keeps.
    raise(p, StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG),
        ShardedTopology.MAX_DELTA_BYTES + (32L << 20));
    String exempt = ShardedTopology.byUserTopic(s, view) + "," + ShardedTopology.deltasTopic(s, view) + ","
        + ShardedTopology.checkpointChangelog(viewApplicationId(s, view), view);
    p.put(OversizeRecordInterceptor.EXEMPT_TOPICS_CONFIG, exempt); // the production exception handler's
    p.put(StreamsConfig.producerPrefix(OversizeRecordInterceptor.EXEMPT_TOPICS_CONFIG), exempt); // the interceptor's
    return p;
  }

  /** Sets {@code key} to {@code least} where it is absent or smaller. */
  private static void raise(Properties p, String key, long least) {
    Object v = p.get(key);
    if (v == null || Long.parseLong(v.toString().trim()) < least) {
      p.setProperty(key, Long.toString(least));
    }
  }

  /**
   * The event history a view's trainer restores from: the validated topic, read with the cluster settings of
   * {@code s} (a restore waits at most 10 minutes for the records it needs).
   */
  public static EventHistory history(StreamsSettings s) {
    return new KafkaEventHistory(s.kafkaProperties(), s.validatedTopic(),
        Duration.ofMinutes(10));
  }

  /**
   * Creates missing topics, checks existing ones, and starts the trainer.
   *
   * @throws io.jrlstream.ops.kafka.TopicMisconfiguredException naming every mis-configured topic
   */
  public static Pipeline start(StreamsSettings s, ModelConfig config, Options o) {
    return start(s, config, o, null);
  }

  /**
   * As {@link #start(StreamsSettings, ModelConfig, Options)}, with image feature extraction when {@code image} is
   * not null: its model is checked first (a mismatch stops the start with a message), the images topic is
   * created, and the extraction sub-topology, on one more stream thread of the ingestion application, feeds the
   * image-features topic.
   *
   * @throws IllegalArgumentException when the model does not match the settings, or {@code jrl.feature.dim}
   *                                  differs between the two settings
   */
  public static Pipeline start(StreamsSettings s, ModelConfig config, Options o, ImageSettings image) {
    return start(s, config, o, image, TrainingObserver.NONE);
  }

  /**
   * As {@link #start(StreamsSettings, ModelConfig, Options, ImageSettings)}, telling {@code observer} of every
   * view's restores and checkpoints.
   */
  public static Pipeline start(StreamsSettings s, ModelConfig config, Options o, ImageSettings image,
      TrainingObserver observer) {
    Properties props = streamsProperties(s, o);
    DeadLetterCounter deadLetters = new DeadLetterCounter();
    Topology ingestion = IngestionTopology.build(s, deadLetters, o.training().flushAfterMs());
    List<TopicSpec> topics = new ArrayList<>(topics(s, o.views()));
    for (String view : o.views()) {
      if (o.shardingOf(view) != null) {
        topics.addAll(ShardedTopology.topics(s, view, o.shardingOf(view)));
      }
    }
    if (image != null) {
      if (image.model().featureDim() != s.featureDim()) {
        throw new IllegalArgumentException("the image model outputs " + image.model().featureDim() + " features but "
            + "ingestion expects " + s.featureDim() + " (jrl.feature.dim): they must agree");
      }
      requireOnnxRuntime();
      OnnxSessions sessions = new OnnxSessions(image);
      sessions.verify(); // logs the provider choice once
      ImageFeatureTopology.addTo(ingestion, s, sessions, deadLetters);
      topics.add(image.images());
      if (!o.extra().containsKey(StreamsConfig.NUM_STREAM_THREADS_CONFIG)) {
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
      }
    }
    try (Admin admin = Admin.create(props)) {
      requireSameTaskLayout(admin, s, o); // before any topic of the new layout is created
      TopicAdmin.ensureTopics(admin, topics); // logs each topic it creates
    }
    List<KafkaStreams> apps = new ArrayList<>();
    apps.add(new KafkaStreams(ingestion, props));
    EventHistory history = history(s);
    Map<String, HeldRecords> held = new HashMap<>();
    for (String view : o.views()) {
      ShardSettings shard = o.shardingOf(view);
      if (shard != null) {
        held.put(view, new HeldRecords());
        Topology t = ShardedTopology.build(s, config, view, o.training(), shard, ShardObserver.NONE, observer,
            held.get(view));
        apps.add(new KafkaStreams(t, shardedViewProperties(s, o, view, shard)));
      } else {
        apps.add(new KafkaStreams(TrainingTopology.buildView(s, config, view, o.training(), history, observer),
            viewProperties(s, o, viewApplicationId(s, view))));
      }
    }
    LOG.info("{}: starting the Kafka Streams applications (ingestion, trainers of {})", STARTING, o.views());
    for (KafkaStreams ks : apps) {
      ks.setUncaughtExceptionHandler(e -> {
        LOG.error("trainer failed; shutting down", e);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
      });
      ks.start();
    }
    return new Pipeline(apps, deadLetters, s, o, held);
  }

  /**
   * Refuses to start a view whose application (one group id, {@link #viewApplicationId}, either way) has trained it
   * with the other layout: as one task when it is now sharded, or sharded when it is now one task. Its committed
   * offset on the validated topic would carry over to the new topology, which would start there with a fresh model,
   * silently missing everything before. Which layout trained it: the sharded router's changelog topic
   * ({@link ShardedTopology#routerChangelog}) exists once a sharded application has run, before it commits anything.
   * An application reset (offsets back to the beginning, internal topics deleted) lets either layout start.
   *
   * @throws IllegalStateException naming the view's {@code tasks} key, the application and what to do
   */
  public static void requireSameTaskLayout(Admin admin, StreamsSettings s, Options o) {
    try {
      Set<String> topics = null;
      for (String view : o.views()) {
        String app = viewApplicationId(s, view);
        if (!trained(admin, app, s.validatedTopic())) {
          continue;
        }
        if (topics == null) {
          topics = admin.listTopics().names().get();
        }
        boolean wasSharded = topics.contains(ShardedTopology.routerChangelog(app, view));
        ShardSettings now = o.shardingOf(view);
        if (wasSharded != (now != null)) {
          String key = ShardKeys.tasksKey(view);
          throw new IllegalStateException(key + " = " + (now == null ? 1 : now.shards()) + ", but application "
              + app + " has trained view " + view + (wasSharded ? " as several tasks" : " as one task")
              + " (it has committed offsets on " + s.validatedTopic() + "): the new layout would start from those "
              + "offsets with a fresh model. Keep " + key + " as it was, or retrain the view from the beginning: "
              + "stop every instance, reset the application (kafka-streams-application-reset --application-id "
              + app + " --input-topics " + s.validatedTopic() + ")" + (wasSharded ? ", delete its topics "
              + ShardedTopology.byUserTopic(s, view) + " and " + ShardedTopology.deltasTopic(s, view)
              + " (a sharded task without a checkpoint re-trains every committed record there)" : "")
              + " and delete its state directories, then start with the new " + key);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the views' committed offsets", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("could not check the views' committed offsets: " + e.getCause(), e);
    }
  }

  /** Whether group {@code app} has committed an offset of {@code topic} past the beginning of its partition. */
  private static boolean trained(Admin admin, String app, String topic) throws InterruptedException,
      ExecutionException {
    Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    admin.listConsumerGroupOffsets(app).partitionsToOffsetAndMetadata().get().forEach((tp, o) -> {
      if (tp.topic().equals(topic) && o != null) {
        committed.put(tp, o);
        earliest.put(tp, OffsetSpec.earliest());
      }
    });
    if (committed.isEmpty()) {
      return false;
    }
    for (var e : admin.listOffsets(earliest).all().get().entrySet()) {
      if (committed.get(e.getKey()).offset() > e.getValue().offset()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Fails with a message saying how to ask for ONNX Runtime when it is not on the class path: the distribution's
   * launcher adds it ({@code lib/onnx}) only where image extraction is asked for.
   */
  static void requireOnnxRuntime() {
    try {
      Class.forName("ai.onnxruntime.OrtEnvironment", false, Pipeline.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("image feature extraction needs ONNX Runtime, which is not on the class "
          + "path: bin/jrl adds lib/onnx for jrl local --image-model, for jrl run when its --config file sets "
          + "jrl.image.model, when JRL_IMAGE_MODEL is set, or when JRL_WITH=onnx is set");
    }
  }

  /** The records ingestion (and image extraction) sent to the dead-letter topic, by reason, in this process. */
  public DeadLetterCounter deadLetters() {
    return deadLetters;
  }

  /** The applications: ingestion first, then one per view in the order of {@link Options#views()}. */
  public List<KafkaStreams> applications() {
    return apps;
  }

  /**
   * Registers the applications with {@code health}: {@code ingestion}, then {@code trainer <view>} for each view.
   *
   * @param health the instance's health
   * @param views  the views, in the order of {@link Options#views()}
   * @return this
   */
  public Pipeline register(Health health, List<String> views) {
    health.register("ingestion", apps.get(0));
    for (int i = 0; i < views.size(); i++) {
      health.register("trainer " + views.get(i), apps.get(i + 1));
    }
    return this;
  }

  /**
   * The pipeline's state: {@code RUNNING} when every application runs, otherwise the state of the first that does
   * not, an error state first.
   */
  public KafkaStreams.State state() {
    KafkaStreams.State worst = KafkaStreams.State.RUNNING;
    for (KafkaStreams ks : apps) {
      KafkaStreams.State st = ks.state();
      if (st == KafkaStreams.State.ERROR || st == KafkaStreams.State.PENDING_ERROR
          || st == KafkaStreams.State.NOT_RUNNING || st == KafkaStreams.State.PENDING_SHUTDOWN) {
        return st;
      }
      if (st != KafkaStreams.State.RUNNING && worst == KafkaStreams.State.RUNNING) {
        worst = st;
      }
    }
    return worst;
  }

  /** Waits until every application is RUNNING (all stores restored) or one fails. */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    awaitRunning(timeout, () -> { });
  }

  /**
   * Waits until every application is RUNNING (all stores restored) or one fails, calling {@code check} every 50 ms
   * (e.g. {@link Lifecycle#check}, which leaves the wait on a stop).
   */
  public void awaitRunning(Duration timeout, Runnable check) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    KafkaStreams.State st;
    while ((st = state()) != KafkaStreams.State.RUNNING) {
      if (st == KafkaStreams.State.ERROR || st == KafkaStreams.State.NOT_RUNNING
          || st == KafkaStreams.State.PENDING_ERROR || st == KafkaStreams.State.PENDING_SHUTDOWN) {
        throw new IllegalStateException("the trainer stopped (" + st + "); see the log above");
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the trainer did not reach RUNNING within " + timeout + " (state " + st + ")");
      }
      check.run();
      Thread.sleep(50);
    }
  }

  /**
   * The number of records the trainer has not processed yet: the ingestion application's on the input topics and
   * each view's on the validated topic (committed offsets against end offsets; for a sharded view also its by-user
   * and update topics once its group has offsets there, {@link #viewLag(Admin, StreamsSettings, String)}).
   * Transaction markers make a fully processed transactional partition show a lag of 1, so the validated topic's lag
   * is counted minus one. Committed offsets only: the records a sharded view's tasks hold are counted by the
   * pipeline that runs them, {@link #lag(Admin)}.
   */
  public static long lag(Admin admin, StreamsSettings s, List<String> views) throws Exception {
    long lag = ingestionLag(admin, s);
    for (String v : views) {
      lag += viewLag(admin, s, v);
    }
    return lag;
  }

  /**
   * What this pipeline has not trained yet, as this instance sees it: ingestion's lag on the input topics and each of
   * its views' {@link #viewLag(Admin, String)}.
   */
  public long lag(Admin admin) throws Exception {
    long lag = ingestionLag(admin, settings);
    for (String v : options.views()) {
      lag += viewLag(admin, v);
    }
    return lag;
  }

  /** Records of the input topics that the ingestion application has not committed. */
  public static long ingestionLag(Admin admin, StreamsSettings s) throws Exception {
    List<String> inputs = new ArrayList<>();
    for (TopicSpec t : s.inputTopics()) {
      inputs.add(t.name());
    }
    return lag(admin, s.applicationId(), inputs, false);
  }

  /**
   * Records of the validated topic that {@code view}'s trainer has not committed (less the transaction marker), and
   * for a sharded view those of its by-user and update topics (once its group has offsets there: this static form
   * does not know whether the view is sharded). Committed offsets only: a sharded view's tasks take records, and
   * their committed offsets move past them, before they train them when they wait for a merge; the instance that runs
   * them counts those, {@link #viewLag(Admin, String)}.
   */
  public static long viewLag(Admin admin, StreamsSettings s, String view) throws Exception {
    return committedLag(admin, s, view, false);
  }

  /**
   * Records of {@code view} this pipeline's instance has not trained: the committed-offset lag of its trainer's
   * hops (the validated topic; for a sharded view, the router's, and its tasks' on the by-user and update topics,
   * counted whether or not the tasks have committed there yet) plus the records the view's tasks hold in this
   * instance ({@link #heldRecords}). The offsets are read first, the held records then: a record committed at the
   * first read had been taken by then, so it is trained or counted as held at the second; 0 therefore means that
   * every record committed before the call had been trained. An instance sees the records held by its own tasks
   * only (docs/operations.md, "Readiness").
   */
  public long viewLag(Admin admin, String view) throws Exception {
    long committed = committedLag(admin, settings, view, sharded(view));
    return committed + heldRecords(view);
  }

  /** Whether this pipeline trains {@code view} as several tasks. */
  public boolean sharded(String view) {
    return held.containsKey(view);
  }

  /**
   * The records {@code view}'s tasks in this instance hold: taken from their by-user partitions (the committed
   * offsets are past them), not trained yet ({@link HeldRecords}); 0 for a view trained as one task.
   */
  public long heldRecords(String view) {
    HeldRecords h = held.get(view);
    return h == null ? 0 : h.total();
  }

  /**
   * The committed-offset lag of {@code view}'s trainer: the validated topic, and the by-user and update topics when
   * {@code sharded}, or otherwise where its group has offsets.
   */
  private static long committedLag(Admin admin, StreamsSettings s, String view, boolean sharded) throws Exception {
    String group = viewApplicationId(s, view);
    List<String> topics = new ArrayList<>(List.of(s.validatedTopic()));
    List<String> hops = List.of(ShardedTopology.byUserTopic(s, view), ShardedTopology.deltasTopic(s, view));
    if (sharded) {
      topics.addAll(hops); // before the tasks' first commit too: the router's is then past records they have not read
    } else {
      admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().keySet().stream()
          .map(TopicPartition::topic).filter(hops::contains).distinct().forEach(topics::add);
    }
    return lag(admin, group, topics, true);
  }

  /** Records of {@code topics} that consumer group {@code group} has not committed, less one per partition. */
  private static long lag(Admin admin, String group, List<String> topics, boolean transactional) throws Exception {
    Map<TopicPartition, OffsetAndMetadata>
        committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, OffsetSpec> want =
        new HashMap<>();
    for (var e : admin.describeTopics(topics).allTopicNames().get().entrySet()) {
      for (var pi : e.getValue().partitions()) {
        want.put(new TopicPartition(e.getKey(), pi.partition()),
            OffsetSpec.latest());
      }
    }
    long lag = 0;
    for (var e : admin.listOffsets(want).all().get().entrySet()) {
      var c = committed.get(e.getKey());
      long behind = e.getValue().offset() - (c == null ? 0 : c.offset());
      if (transactional && behind > 0 && c != null) {
        behind--;
      }
      lag += Math.max(0, behind);
    }
    return lag;
  }

  /**
   * Waits until {@link #lag(Admin, StreamsSettings, List)} is 0, at most {@code max}. Committed offsets only: for a
   * sharded view of a pipeline in this process, {@link #awaitCaughtUp(Duration)} also waits for its held records.
   */
  public static void awaitCaughtUp(StreamsSettings s, List<String> views, Duration max) throws Exception {
    awaitCaughtUp(s, views, max, lag -> { });
  }

  /**
   * As {@link #awaitCaughtUp(StreamsSettings, List, Duration)}, telling {@code progress} the lag about once a
   * second.
   */
  public static void awaitCaughtUp(StreamsSettings s, List<String> views, Duration max,
      LongConsumer progress) throws Exception {
    await(s, admin -> lag(admin, s, views), max, progress);
  }

  /**
   * Waits until this pipeline has trained every record committed so far ({@link #lag(Admin)} is 0: committed offsets
   * and the records its sharded views' tasks hold in this instance), at most {@code max}.
   */
  public void awaitCaughtUp(Duration max) throws Exception {
    awaitCaughtUp(max, lag -> { });
  }

  /** As {@link #awaitCaughtUp(Duration)}, telling {@code progress} the lag about once a second. */
  public void awaitCaughtUp(Duration max, LongConsumer progress) throws Exception {
    await(settings, this::lag, max, progress);
  }

  /** How far the trainer is behind, read with an admin client. */
  private interface LagReader {
    long read(Admin admin) throws Exception;
  }

  private static void await(StreamsSettings s, LagReader reader, Duration max, LongConsumer progress)
      throws Exception {
    long lastReport = System.nanoTime();
    long end = System.nanoTime() + max.toNanos();
    Properties p = s.kafkaProperties();
    try (Admin admin = Admin.create(p)) {
      while (true) {
        long lag;
        try {
          lag = reader.read(admin);
        } catch (ExecutionException e) {
          lag = -1; // internal topics not created yet
        }
        if (lag == 0) {
          return;
        }
        if (System.nanoTime() - lastReport > 1_000_000_000L) {
          progress.accept(lag);
          lastReport = System.nanoTime();
        }
        if (System.nanoTime() > end) {
          throw new IllegalStateException("the trainer did not catch up within " + max + " (lag " + lag + ")");
        }
        Thread.sleep(200);
      }
    }
  }

  /**
   * Stops cleanly and leaves the consumer group: Kafka Streams stays in the group on close by default, so
   * the next start (a second {@code jrl local}, a redeploy) would wait out the old member's session timeout
   * (45 s) before it gets its tasks.
   */
  @Override
  public void close() {
    closeAll(apps, CLOSE_TIMEOUT);
  }

  /** How long closing waits for each application (they close in parallel). */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Closes Kafka Streams clients in parallel, each leaving its group, within {@code timeout} each: a clean close
   * commits, writes the state stores' checkpoint files and leaves the group, so the next start neither restores
   * from the changelogs nor waits for a rebalance timeout.
   */
  public static void closeAll(List<KafkaStreams> clients, Duration timeout) {
    List<Thread> closers = new ArrayList<>();
    for (KafkaStreams ks : clients) {
      Thread t = new Thread(() -> {
        if (!ks.close(CloseOptions
            .groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
            .withTimeout(timeout))) {
          LOG.warn("a Kafka Streams client did not close within {}", timeout);
        }
      }, "jrl-close");
      t.start();
      closers.add(t);
    }
    for (Thread t : closers) {
      try {
        t.join(timeout.toMillis() + 5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
