package io.jrlstream.ops.pipeline;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.streams.config.StreamsSettings;
import java.time.Instant;
import java.util.Properties;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Streams a {@link Dataset} to the input topics as Avro events, in input order: interactions with text
 * become {@link ReviewEvent}s (with their stars), interactions with stars only {@link RatingEvent}s.
 * Event ids are {@code <dataset>:<index>}, event times the data's (or the index when it has none).
 *
 * <p>Not thread-safe; one instance per producing thread.
 */
public final class DatasetProducer implements AutoCloseable {
  private final Dataset data;
  private final KafkaProducer<String, byte[]> producer;
  private final EventEncoder events;
  private SendListener listener = (user, millis) -> { };

  /** Told the user and timestamp of every event just before it is sent (for freshness measurements). */
  @FunctionalInterface
  public interface SendListener {
    void sent(String user, long timestampMillis);
  }

  /** Sets the listener told of every send. */
  public void listener(SendListener l) {
    this.listener = l;
  }

  public DatasetProducer(Dataset data, StreamsSettings settings) {
    this.data = data;
    this.events = new EventEncoder(settings);
    Properties p = settings.kafkaProperties();
    p.remove("application.id");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** Whether the interaction can be produced (it has text or stars; plain pairs have no event type yet). */
  public static boolean producible(Interaction x) {
    return x.hasReview() || x.hasStars();
  }

  /**
   * Produces interactions [from, to) at most {@code ratePerSecond} a second (≤ 0: as fast as possible),
   * calling {@code progress} with the count sent so far about every 1,000 events.
   *
   * @return the number of events sent
   */
  public long produce(int from, int to, double ratePerSecond, LongConsumer progress) throws InterruptedException {
    long sent = 0;
    long start = System.nanoTime();
    for (int i = from; i < to; i++) {
      Interaction x = data.interactions().get(i);
      if (!producible(x)) {
        continue;
      }
      send(i, x);
      sent++;
      if (ratePerSecond > 0) {
        long due = start + (long) (sent * 1e9 / ratePerSecond);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      if (sent % 1000 == 0) {
        progress.accept(sent);
      }
    }
    producer.flush();
    if (sent % 1000 != 0) {
      progress.accept(sent);
    }
    return sent;
  }

  private void send(int i, Interaction x) {
    String user = data.users().id(x.user());
    String item = data.items().id(x.item());
    String id = data.name() + ":" + i;
    Instant time = Instant.ofEpochMilli(x.time() > 0 ? x.time() : i);
    // Record timestamps are the send time (they flow through to the embedding records), event times the data's.
    long now = System.currentTimeMillis();
    listener.sent(user, now);
    if (x.hasReview()) {
      producer.send(events.review(id, time.toEpochMilli(), now, user, item,
          x.hasStars() ? Math.round(x.stars()) : null, "", data.reviewText(x.review())));
    } else {
      producer.send(events.rating(id, time.toEpochMilli(), now, user, item, x.stars()));
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
