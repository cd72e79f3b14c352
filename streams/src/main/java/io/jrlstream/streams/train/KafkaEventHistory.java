package io.jrlstream.streams.train;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventHistory} read from a Kafka topic with a consumer of its own (assigned, no group, committed
 * records only), created for each restore and closed after it.
 */
public final class KafkaEventHistory implements EventHistory {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaEventHistory.class);
  private static final Duration POLL = Duration.ofMillis(500);

  private final Properties clientProperties;
  private final String topic;
  private final Duration timeout;

  /**
   * @param clientProperties the cluster's client settings (bootstrap servers, security); other keys are ignored
   * @param topic the topic the processor trains from
   * @param timeout how long a restore may wait for the records it needs before it fails
   */
  public KafkaEventHistory(Properties clientProperties, String topic, Duration timeout) {
    this.clientProperties = clusterProperties(clientProperties);
    this.topic = topic;
    this.timeout = timeout;
  }

  /** The cluster's connection settings of {@code p} (bootstrap servers, security), without any other key. */
  public static Properties clusterProperties(Properties p) {
    Properties out = new Properties();
    for (String k : p.stringPropertyNames()) {
      if (k.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) || k.startsWith("security.") || k.startsWith("ssl.")
          || k.startsWith("sasl.") || k.equals("client.dns.lookup")) {
        out.setProperty(k, p.getProperty(k));
      }
    }
    return out;
  }

  @Override
  public void read(int partition, long from, long to, Sink sink) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    TopicPartition tp = new TopicPartition(topic, partition);
    long started = System.nanoTime();
    long records = 0;
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      c.assign(List.of(tp));
      long first = c.beginningOffsets(List.of(tp)).get(tp);
      if (first > from) {
        throw new IllegalStateException(topic + "-" + partition + " starts at offset " + first + " but restoring needs "
            + "offsets " + from + ".." + to + ": its retention deleted events after the view's last checkpoint (the "
            + "trainers' input must keep at least the events since their checkpoints; a retention that long, or "
            + "reset the application's state to train from what the topic still holds)");
      }
      long end = c.endOffsets(List.of(tp)).get(tp); // read_committed: the last stable offset
      if (end <= to) {
        throw new IllegalStateException(topic + "-" + partition + " ends at offset " + end + " but restoring needs "
            + "offsets " + from + ".." + to + ": the topic lost trained events (was it deleted and created again?)");
      }
      c.seek(tp, from);
      long deadline = System.nanoTime() + timeout.toNanos();
      long next = from;
      while (next <= to) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("restoring from " + topic + "-" + partition + ": offsets " + next + ".." + to
              + " not read within " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL).records(tp)) {
          if (r.offset() > to) {
            next = r.offset();
            break;
          }
          sink.accept(r.offset(), r.value());
          records++;
          next = r.offset() + 1;
        }
        if (next <= to && c.position(tp) > to) {
          next = c.position(tp); // only markers or aborted records were left
        }
      }
    } catch (KafkaException e) {
      throw new IllegalStateException("cannot read " + topic + "-" + partition + " to restore offsets " + from + ".."
          + to + ": " + e.getMessage(), e);
    }
    LOG.info("re-read {} events of {}-{} (offsets {}..{}) in {} ms", records, topic, partition, from, to,
        (System.nanoTime() - started) / 1_000_000);
  }
}
