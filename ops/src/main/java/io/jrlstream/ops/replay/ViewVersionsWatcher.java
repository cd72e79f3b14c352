package io.jrlstream.ops.replay;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the control topic {@code jrl.view-versions} (compacted, key = view name, value = {@link ViewVersions}
 * JSON): reads it from the beginning to its end at {@link #start}, then keeps reading on a thread of its own and
 * tells a listener the whole state (view → its record) whenever a record changes it. Serving uses it to follow
 * the active version of each view.
 *
 * <p>Reads with {@code read_committed} and no consumer group (every instance reads the whole topic). A record that
 * cannot be read (not JSON, an unknown format) is logged and skipped: the view keeps its previous state. A
 * tombstone forgets the view (version 0, the live topic).
 *
 * <p>Lifecycle: {@link #start} (blocking until the topic is read to its end), {@link #snapshot}, {@link #close}
 * (stops the thread). The listener runs on the watcher's thread, one call at a time; it should return quickly.
 * Thread-safe.
 */
public final class ViewVersionsWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ViewVersionsWatcher.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final KafkaConsumer<String, byte[]> consumer;
  private final String topic;
  private final Consumer<Map<String, ViewVersions>> listener;
  private final Map<String, ViewVersions> state = new HashMap<>(); // guarded by this
  private final Thread thread;
  private volatile boolean closed;

  private ViewVersionsWatcher(KafkaConsumer<String, byte[]> consumer, String topic,
      Consumer<Map<String, ViewVersions>> listener) {
    this.consumer = consumer;
    this.topic = topic;
    this.listener = listener;
    this.thread = new Thread(this::run, "jrl-view-versions-" + topic);
    this.thread.setDaemon(true);
  }

  /**
   * Reads {@code topic} to its end, then follows it.
   *
   * @param base client properties (bootstrap servers, security); not modified
   * @param topic the control topic; must exist
   * @param listener told the new state after each change (not the initial one: see {@link #snapshot})
   */
  public static ViewVersionsWatcher start(Properties base, String topic,
      Consumer<Map<String, ViewVersions>> listener) {
    Objects.requireNonNull(listener, "listener");
    Properties p = (Properties) base.clone();
    p.remove("application.id");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    ViewVersionsWatcher w = new ViewVersionsWatcher(c, topic, listener);
    try {
      List<TopicPartition> parts = c.partitionsFor(topic, TIMEOUT).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, TIMEOUT);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!parts.stream().allMatch(tp -> c.position(tp, TIMEOUT) >= end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read the control topic " + topic + " to its end " + end
              + " within " + TIMEOUT);
        }
        w.apply(c.poll(Duration.ofMillis(200)));
      }
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    w.thread.start();
    return w;
  }

  /** The state read so far: view → its record (views never replayed are absent). */
  public synchronized Map<String, ViewVersions> snapshot() {
    return Map.copyOf(state);
  }

  private void run() {
    try {
      while (!closed) {
        var records = consumer.poll(Duration.ofMillis(500));
        if (apply(records)) {
          try {
            listener.accept(snapshot());
          } catch (RuntimeException e) {
            LOG.error("the listener of {} failed", topic, e);
          }
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        LOG.error("watcher of {} woken up while not closing", topic, e);
      }
    } catch (RuntimeException e) {
      LOG.error("watcher of {} stopped: serving no longer follows version switches", topic, e);
    } finally {
      consumer.close();
    }
  }

  /** Applies records to the state; whether it changed. */
  private synchronized boolean apply(Iterable<ConsumerRecord<String, byte[]>> records) {
    boolean changed = false;
    for (ConsumerRecord<String, byte[]> r : records) {
      if (r.key() == null) {
        LOG.warn("{}: record at offset {} has no key (a view name); skipped", topic, r.offset());
        continue;
      }
      if (r.value() == null) {
        changed |= state.remove(r.key()) != null;
        continue;
      }
      ViewVersions v;
      try {
        v = ViewVersions.decode(r.key(), r.value());
      } catch (RuntimeException e) {
        LOG.warn("{}: record of view {} at offset {} cannot be read ({}); the view keeps its previous versions",
            topic, r.key(), r.offset(), e.getMessage());
        continue;
      }
      changed |= !v.equals(state.put(r.key(), v));
    }
    return changed;
  }

  /** Stops following the topic (waits for the thread, at most a few seconds). */
  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
