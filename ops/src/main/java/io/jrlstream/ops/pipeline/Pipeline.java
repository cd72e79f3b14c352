package io.jrlstream.ops.pipeline;

import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.kafka.TopicSpec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.image.ImageFeatureTopology;
import io.jrlstream.streams.image.ImageSettings;
import io.jrlstream.streams.image.OnnxSessions;
import io.jrlstream.streams.ingest.DeadLetterCounter;
import io.jrlstream.streams.train.BoundedRocksDbConfig;
import io.jrlstream.streams.train.TrainingOptions;
import io.jrlstream.streams.train.TrainingTopology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer application on a Kafka cluster: creates the topics it needs (or names the mis-configured
 * ones), then runs ingestion, validation and one training sub-topology per view with exactly-once
 * processing. Used by {@code jrl local} (embedded broker) and {@code jrl run} (any cluster).
 *
 * <p>Lifecycle: {@link #start} returns a running pipeline; {@link #close} stops it cleanly (state is
 * checkpointed; a crash without close is recovered from the changelogs). Thread-safe.
 */
public final class Pipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  /**
   * How the trainer runs.
   *
   * @param views the views to train (each gets a training sub-topology)
   * @param batchSize positive interactions per mini-batch
   * @param stateDir where the RocksDB stores live
   * @param extra further Kafka Streams properties (e.g. the RocksDB bounds {@code jrl.rocksdb.*})
   * @param checkpointBatches mini-batches between checkpoints of a view's rows
   */
  public record Options(List<String> views, int batchSize, Path stateDir, java.util.Map<String, String> extra,
      int checkpointBatches, long publishIntervalMs) {
    public Options(List<String> views, int batchSize, Path stateDir) {
      this(views, batchSize, stateDir, java.util.Map.of());
    }

    public Options(List<String> views, int batchSize, Path stateDir, java.util.Map<String, String> extra) {
      this(views, batchSize, stateDir, extra, TrainingTopology.CHECKPOINT_BATCHES);
    }

    public Options(List<String> views, int batchSize, Path stateDir, java.util.Map<String, String> extra,
        int checkpointBatches) {
      this(views, batchSize, stateDir, extra, checkpointBatches, TrainingOptions.PUBLISH_INTERVAL_MS);
    }

    public Options {
      extra = java.util.Map.copyOf(extra);
      views = List.copyOf(views);
      if (views.isEmpty()) {
        throw new IllegalArgumentException("at least one view must be trained");
      }
      new TrainingOptions(batchSize, checkpointBatches, publishIntervalMs); // validates
    }

    /** The trainers' batching, checkpoint and publication options. */
    public TrainingOptions training() {
      return new TrainingOptions(batchSize, checkpointBatches, publishIntervalMs);
    }
  }

  private final KafkaStreams streams;

  private Pipeline(KafkaStreams streams) {
    this.streams = streams;
  }

  /** Every topic the application reads or writes, with the settings it is created with. */
  public static List<TopicSpec> topics(StreamsSettings s, List<String> views) {
    List<TopicSpec> out = new ArrayList<>();
    for (io.jrlstream.streams.config.TopicSpec t : s.inputTopics()) {
      out.add(TopicSpec.of(t.name(), t.partitions(), t.replicationFactor()));
    }
    out.add(TopicSpec.of(s.deadLetters().name(), s.deadLetters().partitions(), s.deadLetters().replicationFactor()));
    short rf = s.reviews().replicationFactor();
    for (String v : views) {
      out.add(TopicSpec.compacted(s.embeddingsTopic(v), 1, rf));
    }
    out.add(validatedTopic(s));
    return out;
  }

  /**
   * The validated topic: every valid event in the order the views train on it, one partition. Serving reads the
   * interactions there, replay trains new views (or versions) from it, so it keeps the topic's retention.
   */
  public static TopicSpec validatedTopic(StreamsSettings s) {
    return TopicSpec.of(s.validatedTopic(), 1, s.reviews().replicationFactor());
  }

  /** The Kafka Streams properties of the trainer. */
  public static Properties streamsProperties(StreamsSettings s, Options o) {
    Properties p = s.kafkaProperties();
    p.putAll(o.extra());
    p.putIfAbsent(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, o.stateDir().toAbsolutePath().toString());
    // Phase 1: one training task per view; one thread each lets the views train in parallel.
    p.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(o.views().size()));
    p.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class.getName());
    p.putIfAbsent(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(64L << 20));
    p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    return p;
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
   * created, and the extraction sub-topology, on one more stream thread, feeds the image-features topic.
   *
   * @throws IllegalArgumentException when the model does not match the settings, or {@code jrl.feature.dim}
   *                                  differs between the two settings
   */
  public static Pipeline start(StreamsSettings s, ModelConfig config, Options o, ImageSettings image) {
    Properties props = streamsProperties(s, o);
    Topology topology = topology(s, config, o);
    List<TopicSpec> topics = new ArrayList<>(topics(s, o.views()));
    if (image != null) {
      if (image.featureDim() != s.featureDim()) {
        throw new IllegalArgumentException("the image model outputs " + image.featureDim() + " features but "
            + "ingestion expects " + s.featureDim() + " (jrl.feature.dim): they must agree");
      }
      OnnxSessions sessions = new OnnxSessions(image);
      sessions.verify(); // logs the provider choice once
      ImageFeatureTopology.addTo(topology, s, sessions, new DeadLetterCounter());
      topics.add(TopicSpec.of(image.images().name(), image.images().partitions(), image.images().replicationFactor()));
      if (!o.extra().containsKey(StreamsConfig.NUM_STREAM_THREADS_CONFIG)) {
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(o.views().size() + 1));
      }
    }
    try (Admin admin = Admin.create(props)) {
      TopicAdmin.ensureTopics(admin, topics); // logs each topic it creates
    }
    KafkaStreams ks = new KafkaStreams(topology, props);
    ks.setUncaughtExceptionHandler(e -> {
      LOG.error("trainer failed; shutting down", e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    ks.start();
    return new Pipeline(ks);
  }

  /**
   * Ingestion, validation and training of the views, with the validated events also written, in the order every
   * view reads them, to {@link StreamsSettings#validatedTopic()} (one partition): the retained history from which
   * {@code jrl replay} trains a new view or a new version of one while this application keeps running.
   */
  public static org.apache.kafka.streams.Topology topology(StreamsSettings s, ModelConfig config, Options o) {
    return TrainingTopology.build(s, config, o.views(), o.training());
  }

  /**
   * Adds the training sub-topologies of {@code o.views()} to {@code b}, fed by {@code valid}, with the options'
   * batching, checkpoints and publication, without writing the validated topic (what {@code jrl replay} trains
   * from it needs).
   */
  public static void addTraining(org.apache.kafka.streams.StreamsBuilder b,
      org.apache.kafka.streams.kstream.KStream<String, io.jrlstream.schemas.TrainingEvent> valid, StreamsSettings s,
      ModelConfig config, Options o) {
    TrainingTopology.addTo(b, valid, s, config, o.views(), o.training(), false);
  }

  /** Name of the sink node that writes validated events to the validated topic. */
  public static final String VALIDATED_SINK = TrainingTopology.VALIDATED_SINK;

  public KafkaStreams streams() {
    return streams;
  }

  /** Waits until the application is RUNNING (all stores restored) or fails. */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (streams.state() == KafkaStreams.State.ERROR || streams.state() == KafkaStreams.State.NOT_RUNNING
          || streams.state() == KafkaStreams.State.PENDING_ERROR) {
        throw new IllegalStateException("the trainer stopped (" + streams.state() + "); see the log above");
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the trainer did not reach RUNNING within " + timeout + " (state "
            + streams.state() + ")");
      }
      Thread.sleep(50);
    }
  }

  /**
   * The number of records the application has not processed yet on its input and repartition topics (its
   * consumer group's committed offsets against the end offsets). Transaction markers make a fully
   * processed transactional partition show a lag of 1, so each repartition topic's lag is counted minus one.
   */
  public static long lag(Admin admin, StreamsSettings s, List<String> views) throws Exception {
    java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata>
        committed = admin.listConsumerGroupOffsets(s.applicationId()).partitionsToOffsetAndMetadata().get();
    java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> want =
        new java.util.HashMap<>();
    java.util.Set<String> repartition = new java.util.HashSet<>();
    List<String> topics = new ArrayList<>();
    for (io.jrlstream.streams.config.TopicSpec t : s.inputTopics()) {
      topics.add(t.name());
    }
    for (String v : views) {
      String r = TrainingTopology.repartitionTopic(s.applicationId(), v);
      topics.add(r);
      repartition.add(r);
    }
    for (var e : admin.describeTopics(topics).allTopicNames().get().entrySet()) {
      for (var pi : e.getValue().partitions()) {
        want.put(new org.apache.kafka.common.TopicPartition(e.getKey(), pi.partition()),
            org.apache.kafka.clients.admin.OffsetSpec.latest());
      }
    }
    long lag = 0;
    var ends = admin.listOffsets(want).all().get();
    for (var e : ends.entrySet()) {
      var c = committed.get(e.getKey());
      long done = c == null ? 0 : c.offset();
      long behind = e.getValue().offset() - done;
      if (repartition.contains(e.getKey().topic()) && behind > 0) {
        behind--;
      }
      lag += Math.max(0, behind);
    }
    return lag;
  }

  /** Waits until {@link #lag} is 0, at most {@code max}. */
  public static void awaitCaughtUp(StreamsSettings s, List<String> views, Duration max) throws Exception {
    awaitCaughtUp(s, views, max, lag -> { });
  }

  /** Waits until {@link #lag} is 0, at most {@code max}, telling {@code progress} the lag about once a second. */
  public static void awaitCaughtUp(StreamsSettings s, List<String> views, Duration max,
      java.util.function.LongConsumer progress) throws Exception {
    long lastReport = System.nanoTime();
    long end = System.nanoTime() + max.toNanos();
    Properties p = s.kafkaProperties();
    try (Admin admin = Admin.create(p)) {
      while (true) {
        long lag;
        try {
          lag = lag(admin, s, views);
        } catch (java.util.concurrent.ExecutionException e) {
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
    streams.close(org.apache.kafka.streams.CloseOptions
        .groupMembershipOperation(org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
  }
}
