package io.jrlstream.streams.shard;

import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.config.TopicSpec;
import io.jrlstream.streams.train.TrainingObserver;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

/**
 * The topology of a sharded view (docs/scaling.md): the validated topic → {@link ShardRouter} (one task) → the
 * by-user topic (N partitions) → N {@link ShardedTrainingProcessor} tasks, each also reading its partition of the
 * update topic (co-partitioned: Kafka Streams gives partition i of both topics to task i) and writing its round
 * deltas to every other partition of it, and the view's vectors to its embedding topic. Each task keeps its
 * checkpoint in its own instance of the changelogged store {@link #checkpointStore}.
 *
 * <p>Pure functions: nothing here creates a {@code KafkaStreams}.
 */
public final class ShardedTopology {
  static final String EMBEDDINGS_SINK = "jrl-shard-embeddings";
  static final String DELTAS_SINK = "jrl-shard-deltas";
  /**
   * Largest message of the update topic: a round's delta carries every shared row a task changed in the round (on the
   * Beauty pairs at s = 1, about 5,000 item rows of 129 floats with their optimiser state: 5 MB). The update topic is
   * created to accept it, and the application's producer sized for it (ops' {@code Pipeline.shardedViewProperties});
   * a larger delta fails its task.
   */
  public static final int MAX_DELTA_BYTES = 64 << 20;
  /**
   * Segment size of the update topic and of the checkpoint store's changelog: a segment must hold the largest record
   * batch (the application's other internal topics close theirs at 16 MiB, the local broker's default is 64 MiB; a
   * 50 MB checkpoint row was refused: "larger than the configured segment size").
   */
  static final int SEGMENT_BYTES = 2 * MAX_DELTA_BYTES;

  private ShardedTopology() {}

  /** The task (partition of the by-user topic) of a user among n: Kafka's default partitioner of the user id. */
  public static int taskOf(String userId, int n) {
    return ShardRouter.taskOf(userId, n);
  }

  /** {@code <application.id>-train-<view>-by-user}: the view's events, partitioned by user. */
  public static String byUserTopic(StreamsSettings s, String view) {
    return TopicSpec.requireLegalName(s.applicationId() + "-train-" + view + "-by-user", "by-user topic of " + view);
  }

  /** {@code <application.id>-train-<view>-deltas}: the round deltas, partition i read by task i. */
  public static String deltasTopic(StreamsSettings s, String view) {
    return TopicSpec.requireLegalName(s.applicationId() + "-train-" + view + "-deltas", "deltas topic of " + view);
  }

  /**
   * The changelog topic of the router's store in application {@code applicationId} (Kafka Streams names it so): it
   * exists once the sharded topology of {@code view} has run there.
   */
  public static String routerChangelog(String applicationId, String view) {
    return applicationId + "-" + routerStore(view) + "-changelog";
  }

  private static String routerStore(String view) {
    return "jrl-route-" + view;
  }

  /** The changelogged store of a sharded view's task checkpoints ({@link ShardedTrainingProcessor}). */
  static String checkpointStore(String view) {
    return "jrl-shard-" + view;
  }

  /**
   * The changelog topic of the tasks' checkpoint store in application {@code applicationId} (Kafka Streams names it
   * so). A checkpoint row can be as large as a round's delta (each delta in the inbox is a row), so the topic is
   * created to take {@link #MAX_DELTA_BYTES}, and its records must be exempt from the dead-letter path like the
   * deltas': cut and dead-lettered, a checkpoint row would be missing from the restore of another instance.
   */
  public static String checkpointChangelog(String applicationId, String view) {
    return applicationId + "-" + checkpointStore(view) + "-changelog";
  }

  /**
   * The topics a sharded view needs besides the others: by-user and deltas, N partitions each, created to keep
   * everything (a task rebuilds its state from its checkpoint and both topics after it when it starts, from both
   * whole before its first checkpoint: {@link ShardedTrainingProcessor}; nothing deletes what checkpoints cover yet).
   */
  public static List<TopicSpec> topics(StreamsSettings s, String view, ShardSettings shard) {
    short rf = s.reviews().replication();
    String max = Integer.toString(Math.max(MAX_DELTA_BYTES, s.limits().topicMaxMessageBytes()));
    return List.of(keepAll(TopicSpec.of(byUserTopic(s, view), shard.shards(), rf))
            .withConfig(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(s.limits().topicMaxMessageBytes())),
        keepAll(TopicSpec.of(deltasTopic(s, view), shard.shards(), rf))
            .withConfig(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, max)
            .withConfig(TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(SEGMENT_BYTES)));
  }

  private static TopicSpec keepAll(TopicSpec t) {
    return t.withConfig(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE)
        .withConfig(TopicConfig.RETENTION_MS_CONFIG, "-1").withConfig(TopicConfig.RETENTION_BYTES_CONFIG, "-1");
  }

  /**
   * The sharded training of {@code view}.
   *
   * @param observer told of each task's rounds and epochs (tests, benchmarks)
   * @param training told, under the view's name, of what this instance's tasks of the view train, publish and
   *     measure ({@link ShardReports}), as an unsharded view tells it
   *
   * @throws IllegalArgumentException when the settings are of one task (that view trains in the plain topology)
   */
  public static Topology build(StreamsSettings s, ModelConfig config, String view, TrainingOptions options,
      ShardSettings shard, ShardObserver observer, TrainingObserver training) {
    return build(s, config, view, options, shard, observer, training, new HeldRecords());
  }

  /**
   * As {@link #build(StreamsSettings, ModelConfig, String, TrainingOptions, ShardSettings, ShardObserver,
   * TrainingObserver)}, counting in {@code held} the records this instance's tasks hold (taken, not trained: a part of
   * the view's lag that its committed offsets do not show).
   */
  public static Topology build(StreamsSettings s, ModelConfig config, String view, TrainingOptions options,
      ShardSettings shard, ShardObserver observer, TrainingObserver training, HeldRecords held) {
    if (!shard.sharded()) {
      throw new IllegalArgumentException("view " + view + " has one task: it trains in the unsharded topology");
    }
    config.view(view); // fails early, naming the view, when it has no configuration
    String route = routerStore(view);
    String train = "jrl-train-" + view;
    String byUser = byUserTopic(s, view);
    String deltas = deltasTopic(s, view);
    Topology t = new Topology();
    t.addSource("jrl-validated-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        s.validatedTopic());
    t.addProcessor(route, () -> new ShardRouter(view, route), "jrl-validated-source");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(route), Serdes.String(),
        Serdes.Integer()), route);
    t.addSink("jrl-by-user-" + view, byUser, Serdes.String().serializer(), Serdes.ByteArray().serializer(),
        ShardRouter.PARTITIONER, route);
    t.addSource("jrl-shard-source-" + view, Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        byUser, deltas);
    CommittedInput input = CommittedInput.kafka(s.kafkaProperties(), byUser, deltas,
        ShardedTrainingProcessor.RESTORE_TIMEOUT);
    ShardReports reports = new ShardReports(view, training, held);
    t.addProcessor(train, () -> new ShardedTrainingProcessor(view, config, options, shard, byUser, deltas, input,
        InputRetention.kafka(s.kafkaProperties(), byUser, deltas), observer, reports), "jrl-shard-source-" + view);
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(checkpointStore(view)),
        Serdes.Bytes(), Serdes.ByteArray()).withCachingEnabled().withLoggingEnabled(Map.of(
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(Math.max(MAX_DELTA_BYTES,
        s.limits().topicMaxMessageBytes())), TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(SEGMENT_BYTES))),
        train);
    t.addSink(EMBEDDINGS_SINK, s.embeddingsTopic(view), Serdes.String().serializer(),
        Serdes.ByteArray().serializer(), train);
    t.addSink(DELTAS_SINK, deltas, Serdes.String().serializer(), Serdes.ByteArray().serializer(), OTHERS, train);
    return t;
  }

  /** A task's message to every partition but its own (the source task is bytes 4..7 of the message). */
  private static final StreamPartitioner<String, byte[]> OTHERS = new StreamPartitioner<>() {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, byte[] value, int n) {
      int source = ByteBuffer.wrap(value, 4, 4).getInt();
      Set<Integer> out = new HashSet<>();
      for (int p = 0; p < n; p++) {
        if (p != source) {
          out.add(p);
        }
      }
      return Optional.of(out);
    }
  };
}
