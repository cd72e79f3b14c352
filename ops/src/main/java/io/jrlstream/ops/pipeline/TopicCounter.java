package io.jrlstream.ops.pipeline;

import io.jrlstream.streams.config.StreamsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts committed records on the embedding and dead-letter topics (read_committed, from the start): the progress
 * {@code jrl local} prints. (It no longer tells where {@code jrl local} resumes: counting every input record as its
 * own skipped events; see {@link DatasetProducer#committedPosition}.) Runs its own thread; close
 * stops it.
 */
public final class TopicCounter implements AutoCloseable {
  private final StreamsSettings settings;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final List<String> embeddingTopics = new ArrayList<>();
  private final Thread thread;
  private volatile long lastChange = System.nanoTime();
  private volatile boolean running = true;

  private TopicCounter(StreamsSettings s, List<String> views) {
    this.settings = s;
    Properties p = s.kafkaProperties();
    p.remove("application.id");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    for (String v : views) {
      embeddingTopics.add(s.embeddingsTopic(v));
      counts.put(s.embeddingsTopic(v), new AtomicLong());
    }
    counts.put(s.deadLetters().name(), new AtomicLong());
    List<TopicPartition> parts = new ArrayList<>();
    for (String t : counts.keySet()) {
      consumer.partitionsFor(t).forEach(pi -> parts.add(new TopicPartition(t, pi.partition())));
    }
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    thread = new Thread(this::loop, "jrl-topic-counter");
    thread.setDaemon(true);
  }

  /** Starts counting (the topics must exist). */
  public static TopicCounter start(StreamsSettings s, List<String> views) {
    TopicCounter c = new TopicCounter(s, views);
    c.thread.start();
    return c;
  }

  private void loop() {
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          counts.get(r.topic()).incrementAndGet();
          lastChange = System.nanoTime();
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close();
    }
  }

  /** Records on each embedding topic so far. */
  public Map<String, Long> embeddings() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String t : embeddingTopics) {
      m.put(t, counts.get(t).get());
    }
    return m;
  }

  public long deadLetters() {
    return counts.get(settings.deadLetters().name()).get();
  }

  /** Waits until nothing new arrived for {@code quiet}, at most {@code max}. */
  public void awaitQuiet(Duration quiet, Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (System.nanoTime() - lastChange < quiet.toNanos() && System.nanoTime() < end) {
      Thread.sleep(100);
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
