package io.jrlstream.ops.pipeline;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.StreamOrder;
import io.jrlstream.ops.importer.ImportProgress;
import io.jrlstream.ops.importer.Importer;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.streams.config.StreamsSettings;
import java.time.Instant;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Streams a {@link Dataset} to the input topics as Avro events, in {@link StreamOrder}, the order the stream and
 * prequential protocols of {@code jrl evaluate} feed: by event time when the data has times, else a seeded
 * interleaving of the users' sequences (before, input order: for the Amazon files by item, for the pairs file by
 * user, a stream no deployment sees). Interactions with text become {@link ReviewEvent}s (with their stars), the
 * others {@link RatingEvent}s: with their stars, or without (version 2, an implicit interaction: a line of a
 * user-item pairs file, as {@code jrl import} writes it). Event ids are {@code <dataset>:<input index>} (the line,
 * whatever the order), event times the data's (or the position in the stream when it has none). Positions
 * ({@link #produce}'s range, {@link #committedPosition}) count in stream order.
 *
 * <p><b>Its own position</b> ({@link #exactlyOnce}, what {@code jrl local} uses): events are sent in transactions
 * of at most {@value #CHUNK} events or 100 ms, each committed together with a progress marker (an
 * {@link ImportProgress}, keyed {@code local:<dataset>:<interactions>}) on the compacted imports topic, as
 * {@code jrl import} does. A later run reads the last committed marker ({@link #committedPosition}) and goes on
 * after it; a killed run's open transaction is aborted by the next run's {@code initTransactions}. So for
 * read_committed consumers (ingestion runs exactly-once) every event of the data set is produced exactly once,
 * whatever else other producers wrote to the input topics (issue 13: counting the input records as its own made a
 * resumed run skip as many events as foreign records).
 *
 * <p>Not thread-safe; one instance per producing thread.
 */
public final class DatasetProducer implements AutoCloseable {
  /** Most events per transaction of an {@link #exactlyOnce} producer. */
  public static final int CHUNK = 500;
  private static final long CHUNK_NANOS = 100_000_000L;

  private final Dataset data;
  /** order[i]: the input index of the i-th event produced. */
  private final int[] order;
  private final KafkaProducer<String, byte[]> producer;
  private final EventEncoder events;
  private final StreamsSettings settings;
  /** Where the progress markers go, or null for a plain (not transactional) producer. */
  private final String progressTopic;
  private final String progressKey;
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

  /**
   * A plain idempotent producer that keeps no position (benchmarks produce from 0 on fresh topics).
   *
   * @param seed the seed of the stream order of data without times ({@link StreamOrder#order}); the run's
   *     {@code jrl.seed}, so that the stream is {@code jrl evaluate}'s for that seed
   */
  public DatasetProducer(Dataset data, StreamsSettings settings, long seed) {
    this(data, settings, null, seed);
  }

  private DatasetProducer(Dataset data, StreamsSettings settings, String progressTopic, long seed) {
    this.data = data;
    this.order = StreamOrder.order(data.interactions(), seed);
    this.settings = settings;
    this.events = new EventEncoder(settings);
    this.progressTopic = progressTopic;
    // In stream order since this key's "stream" part (positions of earlier runs counted input order: not resumed).
    this.progressKey = "local:" + data.name() + ":" + data.interactions().size() + ":stream-"
        + (StreamOrder.kind(data.interactions()) == StreamOrder.Kind.EVENT_TIME ? "time" : "seed-" + seed);
    Properties p = settings.kafkaProperties();
    p.remove("application.id");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    if (progressTopic != null) {
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "jrl-" + progressKey.replaceAll("[^a-zA-Z0-9._-]", "_"));
      // One request at a time: with several in flight, the first batches of each new transaction reach the broker
      // out of order, and the (embedded) broker logs an OutOfOrderSequenceException ERROR for each retry.
      p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    }
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    if (progressTopic != null) {
      producer.initTransactions(); // aborts what a killed run left open, fences it off if it still runs
    }
  }

  /**
   * A producer that keeps its position in {@code progressTopic} (see the class comment); the topic must exist
   * (compacted: {@code Importer.topics}).
   */
  public static DatasetProducer exactlyOnce(Dataset data, StreamsSettings settings, String progressTopic,
      long seed) {
    return new DatasetProducer(data, settings, progressTopic, seed);
  }

  /** @return the index after the last event of a committed transaction of an earlier run, 0 when none */
  public int committedPosition() {
    if (progressTopic == null) {
      throw new IllegalStateException("a plain DatasetProducer keeps no position");
    }
    Properties p = settings.kafkaProperties();
    p.remove("application.id");
    return (int) Importer.committed(p, progressTopic, progressKey, data.name(), FORMAT).position();
  }

  /** The marker format name ({@link ImportProgress#format()}) of a data set produced by {@code jrl local}. */
  public static final String FORMAT = "jrl-local";

  /**
   * Produces interactions [from, to) at most {@code ratePerSecond} a second (≤ 0: as fast as possible),
   * calling {@code progress} with the count sent so far about every 1,000 events.
   *
   * @return the number of events sent
   */
  public long produce(int from, int to, double ratePerSecond, LongConsumer progress) throws InterruptedException {
    return produce(from, to, ratePerSecond, progress, () -> false);
  }

  /**
   * As {@link #produce(int, int, double, LongConsumer)}, stopping early (after committing what was sent, for an
   * {@link #exactlyOnce} producer) once {@code stop} says so.
   *
   * @return the number of events sent
   */
  public long produce(int from, int to, double ratePerSecond, LongConsumer progress, BooleanSupplier stop)
      throws InterruptedException {
    long sent = 0;
    long start = System.nanoTime();
    long chunkStart = System.nanoTime();
    int inChunk = 0;
    if (progressTopic != null) {
      producer.beginTransaction();
    }
    int i = from;
    for (; i < to && !stop.getAsBoolean(); i++) {
      send(i, order[i]);
      sent++;
      inChunk++;
      long wait = ratePerSecond > 0 ? start + (long) (sent * 1e9 / ratePerSecond) - System.nanoTime() : 0;
      // Commit before a pause too: an event is invisible to read_committed consumers until its transaction ends.
      if (progressTopic != null && (inChunk >= CHUNK || System.nanoTime() - chunkStart >= CHUNK_NANOS
          || wait > CHUNK_NANOS / 5)) {
        commit(i + 1, false);
        producer.beginTransaction();
        chunkStart = System.nanoTime();
        inChunk = 0;
      }
      if (ratePerSecond > 0) {
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
      if (sent % 1000 == 0) {
        progress.accept(sent);
      }
    }
    if (progressTopic != null) {
      commit(i, i >= data.interactions().size());
    }
    producer.flush();
    if (sent % 1000 != 0) {
      progress.accept(sent);
    }
    return sent;
  }

  /** Ends the open transaction with a marker saying that every event before {@code position} is produced. */
  private void commit(int position, boolean complete) {
    ImportProgress marker = new ImportProgress(data.name(), FORMAT, position, position, 0, complete);
    producer.send(new ProducerRecord<>(progressTopic, progressKey, marker.encode()));
    producer.commitTransaction();
  }

  /** Sends the {@code i}-th event of the stream, the data's interaction {@code input}. */
  private void send(int i, int input) {
    Interaction x = data.interactions().get(input);
    String user = data.users().id(x.user());
    String item = data.items().id(x.item());
    String id = data.name() + ":" + input;
    Instant time = Instant.ofEpochMilli(x.time() > 0 ? x.time() : i);
    // Record timestamps are the send time (they flow through to the embedding records), event times the data's.
    long now = System.currentTimeMillis();
    listener.sent(user, now);
    if (x.hasReview()) {
      producer.send(events.review(id, time.toEpochMilli(), now, user, item,
          x.hasStars() ? Math.round(x.stars()) : null, "", data.reviewText(x.review())));
    } else {
      producer.send(events.rating(id, time.toEpochMilli(), now, user, item, x.hasStars() ? x.stars() : null));
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
