package io.jrlstream.ops.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.config.TopicSpec;
import io.jrlstream.streams.shard.InputRetention;
import io.jrlstream.streams.shard.ShardedTopology;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link Pipeline} sets up for a sharded view before its application runs, on a real broker: the producer and
 * topics that carry a round delta of several megabytes, and the refusal to switch a trained view between one and
 * several tasks.
 */
class ShardedStartTest {
  private static final String VIEW = "collaborative";
  private static final ShardSettings SHARD = new ShardSettings(2, 1, 1);

  @TempDir
  static Path dir;
  private static LocalBroker broker;
  private static StreamsSettings settings;

  @BeforeAll
  static void start() {
    broker = LocalBroker.start(dir.resolve("broker"));
    settings = StreamsSettings.defaults(broker.bootstrapServers()).withApplicationId("jrl-it-shard-start");
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static Admin admin() {
    Properties p = new Properties();
    p.put("bootstrap.servers", broker.bootstrapServers());
    return Admin.create(p);
  }

  /**
   * A 3 MB delta (three times jrl.max.record.bytes) goes through a producer configured as the sharded application's
   * (its interceptor, request and buffer sizes) to the update topic as created, and a 3 MB checkpoint row to the
   * checkpoint store's changelog: not to the dead letters.
   */
  @Test
  void shouldCarryADeltaOfMegabytesToTheUpdateTopic() throws Exception {
    Pipeline.Options o = Pipeline.Options.of(List.of(VIEW), dir.resolve("state"))
        .withSharding(Map.of(VIEW, SHARD));
    List<TopicSpec> topics = new ArrayList<>(ShardedTopology.topics(settings, VIEW, SHARD));
    topics.add(Pipeline.sized(settings.deadLetters(), settings));
    // The checkpoint store's changelog, as Kafka Streams creates it from the topology (its rows: up to a delta).
    String changelog = ShardedTopology.checkpointChangelog(Pipeline.viewApplicationId(settings, VIEW), VIEW);
    topics.add(TopicSpec.of(changelog, 1, settings.reviews().replication()).withConfig(
        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(ShardedTopology.MAX_DELTA_BYTES)));
    try (Admin admin = admin()) {
      TopicAdmin.ensureTopics(admin, topics);
    }
    Properties props = Pipeline.shardedViewProperties(settings, o, VIEW, SHARD);
    Map<String, Object> producer = new StreamsConfig(props).getProducerConfigs("shard-start-test");
    String deltas = ShardedTopology.deltasTopic(settings, VIEW);
    byte[] delta = new byte[3 << 20];
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producer, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      RecordMetadata m = p.send(new ProducerRecord<>(deltas, 1, null, delta)).get(60, TimeUnit.SECONDS);
      assertEquals(deltas, m.topic(), "the delta went to the update topic, not to the dead letters");
      assertEquals(delta.length, m.serializedValueSize());
      RecordMetadata c = p.send(new ProducerRecord<>(changelog, 0, null, delta)).get(60, TimeUnit.SECONDS);
      assertEquals(changelog, c.topic(), "a checkpoint row of megabytes went to the changelog, not to the dead "
          + "letters (cut there, it would be missing from another instance's restore)");
    }
    Object buffer = producer.getOrDefault(ProducerConfig.BUFFER_MEMORY_CONFIG, "33554432"); // Kafka's default
    assertTrue(Long.parseLong(buffer.toString()) > ShardedTopology.MAX_DELTA_BYTES, "buffer.memory " + buffer
        + " holds the largest delta");
  }

  /**
   * The retention deletes a task's input before its checkpoint's positions once a committed offset shows the
   * checkpoint durable, and nothing before.
   */
  @Test
  void shouldDeleteTheInputBeforeADurableCheckpointOnly() throws Exception {
    String byUser = "retention-by-user";
    String deltas = "retention-deltas";
    String app = "jrl-it-retention";
    try (Admin admin = admin()) {
      TopicAdmin.ensureTopics(admin, List.of(TopicSpec.of(byUser, 2, settings.reviews().replication()),
          TopicSpec.of(deltas, 2, settings.reviews().replication())));
      try (KafkaProducer<String, byte[]> p = TrainerFixtures.producer(broker.bootstrapServers())) {
        for (int i = 0; i < 10; i++) {
          p.send(new ProducerRecord<>(byUser, 1, "u", new byte[] {1}));
          p.send(new ProducerRecord<>(deltas, 1, "d", new byte[] {2}));
        }
        p.flush();
      }
      TopicPartition e = new TopicPartition(byUser, 1);
      TopicPartition u = new TopicPartition(deltas, 1);
      admin.alterConsumerGroupOffsets(app, Map.of(e, new OffsetAndMetadata(7), u, new OffsetAndMetadata(7))).all()
          .get(30, TimeUnit.SECONDS);
      try (InputRetention r = InputRetention.kafka(settings.kafkaProperties(), byUser, deltas)) {
        r.trim(app, 1, new InputRetention.Checkpoint(4, 5, 7, 7)); // completed at 7, 7: not committed past yet
        Thread.sleep(2000);
        assertEquals(0, earliest(admin, e), "nothing deleted before the checkpoint is durable");
        r.trim(app, 1, new InputRetention.Checkpoint(4, 5, 6, 6)); // the offsets, 7, are past it: durable
        long t0 = System.nanoTime();
        while (earliest(admin, e) == 0 && System.nanoTime() - t0 < 30_000_000_000L) {
          Thread.sleep(50);
        }
        assertEquals(5, earliest(admin, e));
        assertEquals(4, earliest(admin, u));
      }
    }
  }

  private static long earliest(Admin admin, TopicPartition p) throws Exception {
    return admin.listOffsets(Map.of(p, OffsetSpec.earliest())).partitionResult(p).get(30, TimeUnit.SECONDS)
        .offset();
  }

  /** A view trained as one task cannot start sharded under the same application, nor the other way round. */
  @Test
  void shouldRefuseToSwitchATrainedViewBetweenOneAndSeveralTasks() throws Exception {
    Pipeline.Options one = Pipeline.Options.of(List.of(VIEW), dir.resolve("state"));
    Pipeline.Options two = one.withSharding(Map.of(VIEW, SHARD));
    String app = Pipeline.viewApplicationId(settings, VIEW);
    try (Admin admin = admin()) {
      TopicAdmin.ensureTopics(admin, List.of(Pipeline.validatedTopic(settings)));
      Pipeline.requireSameTaskLayout(admin, settings, one); // nothing trained yet: either layout starts
      Pipeline.requireSameTaskLayout(admin, settings, two);
      TopicPartition validated = new TopicPartition(settings.validatedTopic(), 0);
      try (KafkaProducer<String, byte[]> p = TrainerFixtures.producer(broker.bootstrapServers())) {
        for (int i = 0; i < 3; i++) {
          p.send(new ProducerRecord<>(settings.validatedTopic(), 0, "u", new byte[] {1})).get(30, TimeUnit.SECONDS);
        }
      }
      // An application reset (offsets at the beginning): either layout starts.
      admin.alterConsumerGroupOffsets(app, Map.of(validated, new OffsetAndMetadata(0))).all()
          .get(30, TimeUnit.SECONDS);
      Pipeline.requireSameTaskLayout(admin, settings, two);
      // The unsharded trainer committed offsets past it.
      admin.alterConsumerGroupOffsets(app, Map.of(validated, new OffsetAndMetadata(2))).all()
          .get(30, TimeUnit.SECONDS);
      Pipeline.requireSameTaskLayout(admin, settings, one);
      String m = assertThrows(IllegalStateException.class,
          () -> Pipeline.requireSameTaskLayout(admin, settings, two)).getMessage();
      assertTrue(m.contains("jrl.views.collaborative.tasks = 2") && m.contains(app) && m.contains("as one task")
          && m.contains("kafka-streams-application-reset"), m);
      // Once the sharded router has run there (its changelog exists), it is the one task that is refused.
      TopicAdmin.ensureTopics(admin, List.of(TopicSpec.compacted(ShardedTopology.routerChangelog(app, VIEW), 1,
          (short) 1)));
      Pipeline.requireSameTaskLayout(admin, settings, two);
      String back = assertThrows(IllegalStateException.class,
          () -> Pipeline.requireSameTaskLayout(admin, settings, one)).getMessage();
      assertTrue(back.contains("delete its topics " + ShardedTopology.byUserTopic(settings, VIEW) + " and "
          + ShardedTopology.deltasTopic(settings, VIEW)), back);
      assertTrue(back.contains("jrl.views.collaborative.tasks = 1") && back.contains("as several tasks"), back);
    }
  }
}
