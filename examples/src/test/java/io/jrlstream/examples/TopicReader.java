package io.jrlstream.examples;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads topics as the trainer's consumers do (read_committed, no consumer group), for the tests' checks. */
final class TopicReader {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private TopicReader() {}

  private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> parts = c.partitionsFor(topic, TIMEOUT).stream()
        .map(info -> new TopicPartition(topic, info.partition())).toList();
    c.assign(parts);
    c.seekToBeginning(parts);
    return c;
  }

  /** Every committed record of {@code topic} up to the end offsets (last stable offsets) seen at the start. */
  static List<ConsumerRecord<byte[], byte[]>> committed(String bootstrap, String topic) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, topic)) {
      Map<TopicPartition, Long> end = c.endOffsets(c.assignment(), TIMEOUT);
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (end.entrySet().stream().anyMatch(e -> c.position(e.getKey(), TIMEOUT) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(topic + ": end offsets " + end + " not reached within " + TIMEOUT);
        }
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
      return out;
    }
  }

  /**
   * Reads {@code topic} from its beginning, removing from {@code keys} every key it finds (UTF-8), until none is
   * left or {@code max} has passed; {@code keys} then holds those never seen.
   */
  static void awaitKeys(String bootstrap, String topic, Set<String> keys, Duration max) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap, topic)) {
      long deadline = System.nanoTime() + max.toNanos();
      while (!keys.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.key() != null) {
            keys.remove(new String(r.key(), StandardCharsets.UTF_8));
          }
        }
      }
    }
  }

  /** A dead letter as a line: source, offset, reason code and human-readable reason from its headers. */
  static String describe(ConsumerRecord<byte[], byte[]> r) {
    StringBuilder sb = new StringBuilder("dead letter ").append(r.offset());
    for (Header h : r.headers()) {
      if (h.key().startsWith("jrl.")) {
        sb.append(' ').append(h.key()).append('=').append(new String(h.value(), StandardCharsets.UTF_8));
      }
    }
    return sb.toString();
  }
}
