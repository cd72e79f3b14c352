package io.jrlstream.ops.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Clients for the tests against a {@link LocalBroker}. */
final class KafkaTestSupport {

  private KafkaTestSupport() {}

  static Admin admin(LocalBroker broker) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  static KafkaProducer<String, String> transactionalProducer(LocalBroker broker, String txId) {
    Map<String, Object> config = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, txId,
        ProducerConfig.CLIENT_ID_CONFIG, "test-producer-" + txId);
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  /**
   * Reads every partition of {@code topic} from the beginning up to the end offsets seen at the
   * start (for {@code read_committed} the last stable offset, so an open transaction stops it).
   */
  static KafkaConsumer<String, String> consumer(LocalBroker broker, IsolationLevel isolation) {
    Map<String, Object> config = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString().toLowerCase(Locale.ROOT),
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }

  static List<ConsumerRecord<String, String>> readAll(
      LocalBroker broker, String topic, IsolationLevel isolation, Duration timeout) {
    try (KafkaConsumer<String, String> consumer = consumer(broker, isolation)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
          .map(p -> new TopicPartition(topic, p.partition()))
          .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      List<ConsumerRecord<String, String>> records = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!partitions.stream().allMatch(tp -> consumer.position(tp, timeout) >= end.get(tp))) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("did not reach the end offsets " + end + " of '" + topic
              + "' within " + timeout + "; read " + records.size() + " records");
        }
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
      return records;
    }
  }

  /** @return the end offset of one partition: the last stable offset for read_committed */
  static long endOffset(LocalBroker broker, TopicPartition partition, IsolationLevel isolation) {
    try (KafkaConsumer<String, String> consumer = consumer(broker, isolation)) {
      return consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
    }
  }

  static List<String> values(List<ConsumerRecord<String, String>> records) {
    return records.stream().map(ConsumerRecord::value).collect(Collectors.toList());
  }
}
