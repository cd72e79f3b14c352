package io.jrlstream.ops.serve;

import io.jrlstream.schemas.EmbeddingKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What a view switched to another version must have loaded before serving answers from it: its embedding topic
 * consumed by the serving group up to the end offsets taken at the switch (a transactional topic ends with a
 * commit marker, so one offset short counts as consumed), then the user vectors' repartition topic consumed up
 * to its end offsets taken at that moment (so the user vectors are in the user stores), and as many item vectors
 * in the index as the topic had live {@code ITEM:} keys at the switch.
 *
 * <p>{@link #of} reads the topic once (keys only are looked at); {@link #notLoaded} asks the cluster. Not
 * thread-safe: one switcher thread calls it.
 */
final class VersionLoad {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String topic;
  private final Map<TopicPartition, Long> end;
  private final int items;
  private Map<TopicPartition, Long> repartitionEnd;

  /**
   * @param topic the version's embedding topic
   * @param end its read_committed end offsets at the switch
   * @param items the {@code ITEM:} keys whose latest record up to {@code end} is a vector (not a tombstone)
   */
  VersionLoad(String topic, Map<TopicPartition, Long> end, int items) {
    this.topic = topic;
    this.end = Map.copyOf(end);
    this.items = items;
  }

  int items() {
    return items;
  }

  /** Reads {@code topic} to its end (read_committed) and counts its live item keys. */
  static VersionLoad of(Properties base, String topic) {
    Properties p = (Properties) base.clone();
    p.remove("application.id");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Map<String, Boolean> live = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic, TIMEOUT).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, TIMEOUT);
      long deadline = System.nanoTime() + 10 * TIMEOUT.toNanos();
      while (!parts.stream().allMatch(tp -> c.position(tp, TIMEOUT) >= end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " to its end " + end);
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (EmbeddingKey.isItem(r.key())
              && r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            live.put(r.key(), r.value() != null);
          }
        }
      }
      int items = (int) live.values().stream().filter(b -> b).count();
      return new VersionLoad(topic, end, items);
    }
  }

  /**
   * Why the version is not loaded yet, or null when it is.
   *
   * @param admin a client of the cluster
   * @param groupId the serving application id (its consumer group)
   * @param repartitionTopic the view's user repartition topic ({@code ViewTopics#userRepartitionTopic})
   * @param indexed item vectors the view's index holds now
   */
  String notLoaded(Admin admin, String groupId, String repartitionTopic, int indexed) {
    Map<TopicPartition, OffsetAndMetadata> committed;
    try {
      committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } catch (ExecutionException e) {
      return "cannot read the serving group's offsets (" + e.getCause().getMessage() + ")";
    }
    long at = 0;
    long total = 0;
    boolean consumed = true;
    for (var e : end.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      long pos = c == null ? 0 : c.offset();
      at += Math.min(pos, e.getValue());
      total += e.getValue();
      consumed &= pos >= e.getValue() - 1;
    }
    if (!consumed) {
      return "consumed " + at + " of " + total + " offsets of " + topic;
    }
    try {
      if (repartitionEnd == null) {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(List.of(repartitionTopic)).allTopicNames().get().get(repartitionTopic).partitions()
            .forEach(pi -> latest.put(new TopicPartition(repartitionTopic, pi.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        repartitionEnd = ends;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    } catch (ExecutionException e) {
      return "cannot read the end offsets of " + repartitionTopic + " (" + e.getCause().getMessage() + ")";
    }
    for (var e : repartitionEnd.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      if ((c == null ? 0 : c.offset()) < e.getValue()) {
        return "user vectors of " + topic + " still on their way to the user stores";
      }
    }
    if (indexed < items) {
      return indexed + " of " + items + " item vectors indexed";
    }
    return null;
  }
}
