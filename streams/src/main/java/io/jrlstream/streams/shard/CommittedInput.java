package io.jrlstream.streams.shard;

import io.jrlstream.streams.train.EventHistory;
import io.jrlstream.streams.train.KafkaEventHistory;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a task of a sharded view re-reads when it starts ({@link ShardedTrainingProcessor}'s restore): the records of
 * its partition of the update topic and of the by-user topic that its application committed, from the offsets its
 * checkpoint covers (0 without one), each topic in offset order, the update topic first. An interface so that the
 * processor's lifecycle can be tested without a broker.
 *
 * <p>Called on the stream thread that initialises the task; an implementation holds no state between calls.
 */
interface CommittedInput {
  /**
   * Calls {@code deltas} with every committed record of the update topic's {@code partition} from offset
   * {@code deltasFrom} on, then {@code events} with every committed record of the by-user topic's from offset
   * {@code eventsFrom} on.
   *
   * @return the ends (the committed offsets) read: the update topic's, then the by-user topic's
   */
  long[] replay(String applicationId, int partition, long deltasFrom, long eventsFrom, EventHistory.Sink deltas,
      EventHistory.Sink events);

  /**
   * The committed input on the cluster: the application's committed offsets for both partitions (read
   * {@code read_committed}, so that a dead instance's open transaction is waited out) and the records before them.
   *
   * @param cluster the cluster's client settings
   * @param byUserTopic the view's by-user topic
   * @param deltasTopic the view's update topic
   * @param timeout longest wait for the offsets and for the records
   */
  static CommittedInput kafka(Properties cluster, String byUserTopic, String deltasTopic, Duration timeout) {
    Properties client = KafkaEventHistory.clusterProperties(cluster);
    return (applicationId, partition, deltasFrom, eventsFrom, deltas, events) -> {
      TopicPartition e = new TopicPartition(byUserTopic, partition);
      TopicPartition u = new TopicPartition(deltasTopic, partition);
      Properties p = new Properties();
      p.putAll(client);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, applicationId);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // waits for offsets of open transactions
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      Map<TopicPartition, OffsetAndMetadata> committed;
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
          new ByteArrayDeserializer())) {
        committed = c.committed(Set.of(e, u), timeout);
      }
      long[] ends = {offset(committed.get(u)), offset(committed.get(e))};
      if (ends[0] > deltasFrom) {
        new KafkaEventHistory(client, deltasTopic, timeout).read(partition, deltasFrom, ends[0] - 1, deltas);
      }
      if (ends[1] > eventsFrom) {
        new KafkaEventHistory(client, byUserTopic, timeout).read(partition, eventsFrom, ends[1] - 1, events);
      }
      return ends;
    };
  }

  private static long offset(OffsetAndMetadata o) {
    return o == null ? 0 : o.offset();
  }
}
