package io.jrlstream.streams.config;

import java.time.Instant;

/**
 * Size and range limits that every input record is checked against before anything is written for it (issue 13,
 * "no record can stop a topology"): a record over a limit is dead-lettered with its reason, never written whole
 * into a topic where it could exceed what the producer or the broker accepts.
 *
 * <p>The limits are chosen so that the largest record the application can write stays below
 * {@link #maxRecordBytes}: {@link #validatedEventBound} is the worst case of a validated event and is checked
 * against it when {@link StreamsSettings} are built; a dead letter whose original would exceed it is sent cut
 * ({@link #deadLetterValueBytes}). The producers of every application get a {@code max.request.size} of
 * {@link #producerMaxRequestBytes} and the topics the application creates a {@code max.message.bytes} of
 * {@link #topicMaxMessageBytes}, both above {@link #maxRecordBytes} by Kafka's batch and record overheads (with the
 * defaults, Kafka's own defaults); an existing topic must accept {@link #requiredTopicMaxMessageBytes}.
 *
 * <p>Immutable and thread-safe; checked on construction, failures name the key.
 *
 * @param maxIdBytes           longest id (event, user, item, model id and version), in UTF-8 bytes after stripping
 *                             surrounding white space ({@link StreamsKeys#MAX_ID_BYTES})
 * @param maxHeaderBytes       most bytes of an input record's headers, names and values together, kept on its
 *                             validated event ({@link StreamsKeys#MAX_HEADER_BYTES})
 * @param minEventTimeMs       earliest accepted event time, epoch ms ({@link StreamsKeys#MIN_EVENT_TIME_MS})
 * @param maxEventTimeMs       latest accepted event time, epoch ms ({@link StreamsKeys#MAX_EVENT_TIME_MS})
 * @param maxRecordBytes       largest record (key, value and headers) the application writes
 *                             ({@link StreamsKeys#MAX_RECORD_BYTES})
 * @param deadLetterValueBytes value bytes kept in a dead letter that cannot be sent whole
 *                             ({@link StreamsKeys#DEAD_LETTER_VALUE_BYTES})
 */
public record Limits(int maxIdBytes, int maxHeaderBytes, long minEventTimeMs, long maxEventTimeMs,
    int maxRecordBytes, int deadLetterValueBytes) {

  /** Kafka's batch header (61 bytes) and one record's framing, rounded up generously. */
  public static final int RECORD_OVERHEAD = 1024;
  /** Kafka's defaults: the producer's {@code max.request.size} and the broker's {@code message.max.bytes}. */
  static final int KAFKA_MAX_REQUEST_SIZE = 1_048_576;
  static final int KAFKA_MAX_MESSAGE_BYTES = 1_048_588;

  /** The declared defaults ({@link StreamsKeys}). */
  public static final Limits DEFAULTS = from(Configuration.defaults(StreamsKeys.CATALOG));

  /**
   * @throws IllegalArgumentException naming the key whose value is out of range
   */
  public Limits {
    StreamsKeys.MAX_ID_BYTES.require(maxIdBytes);
    StreamsKeys.MAX_HEADER_BYTES.require(maxHeaderBytes);
    if (minEventTimeMs > maxEventTimeMs) {
      throw new IllegalArgumentException(StreamsKeys.MIN_EVENT_TIME_MS.key() + " (" + minEventTimeMs
          + ") must not be after " + StreamsKeys.MAX_EVENT_TIME_MS.key() + " (" + maxEventTimeMs + ")");
    }
    StreamsKeys.MAX_RECORD_BYTES.require(maxRecordBytes);
    StreamsKeys.DEAD_LETTER_VALUE_BYTES.require(deadLetterValueBytes);
    long cut = (long) deadLetterValueBytes + maxIdBytes + DEAD_LETTER_HEADER_BYTES + RECORD_OVERHEAD;
    if (cut > maxRecordBytes) {
      throw new IllegalArgumentException("a cut dead letter (" + StreamsKeys.DEAD_LETTER_VALUE_BYTES.key() + " = "
          + deadLetterValueBytes + " plus a key of " + StreamsKeys.MAX_ID_BYTES.key() + " = " + maxIdBytes
          + " and its headers) must fit " + StreamsKeys.MAX_RECORD_BYTES.key() + " = " + maxRecordBytes);
    }
  }

  /**
   * @return the limits {@code c} sets
   * @throws ConfigurationException naming a key whose value is malformed or out of range, and where it came from
   */
  public static Limits from(Configuration c) {
    return c.build(x -> new Limits(x.get(StreamsKeys.MAX_ID_BYTES), x.get(StreamsKeys.MAX_HEADER_BYTES),
        x.get(StreamsKeys.MIN_EVENT_TIME_MS), x.get(StreamsKeys.MAX_EVENT_TIME_MS), x.get(StreamsKeys.MAX_RECORD_BYTES),
        x.get(StreamsKeys.DEAD_LETTER_VALUE_BYTES)));
  }

  /** Upper bound of the headers ingestion adds to a dead letter (reason, code, source, sizes). */
  public static final int DEAD_LETTER_HEADER_BYTES = 2048;

  /**
   * The largest validated event these limits let through: a review (three ids, a text of {@code maxTextChars}
   * UTF-16 units of at most 3 UTF-8 bytes each) or image features (four ids and {@code featureDim} floats), plus
   * the input headers it keeps and the source topic name.
   *
   * @param maxTextChars longest review text, in chars
   * @param featureDim   length of a feature vector
   * @return the bound, in bytes
   */
  public long validatedEventBound(int maxTextChars, int featureDim) {
    long review = 3L * maxIdBytes + 3L * maxTextChars;
    long features = 4L * maxIdBytes + 5L * featureDim;
    return Math.max(review, features) + maxHeaderBytes + TopicSpec.MAX_NAME_LENGTH + RECORD_OVERHEAD;
  }

  /**
   * @return {@code max.request.size} for the application's producers: Kafka's default (1 MiB), or the record limit
   *     plus Kafka's overheads when that is more
   */
  public int producerMaxRequestBytes() {
    return Math.max(KAFKA_MAX_REQUEST_SIZE, maxRecordBytes + RECORD_OVERHEAD);
  }

  /**
   * @return the least {@code max.message.bytes} a topic the application writes needs: a batch holding one largest
   *     record (the producer batches smaller records up to its {@code batch.size}, 512 KiB)
   */
  public int requiredTopicMaxMessageBytes() {
    return maxRecordBytes + 2 * RECORD_OVERHEAD;
  }

  /**
   * @return {@code max.message.bytes} for the topics the application creates: the broker's default (1,048,588), or
   *     {@link #requiredTopicMaxMessageBytes} when that is more
   */
  public int topicMaxMessageBytes() {
    return Math.max(KAFKA_MAX_MESSAGE_BYTES, requiredTopicMaxMessageBytes());
  }

  /**
   * @param eventTimeMs an event time, epoch ms
   * @return whether it lies in [{@link #minEventTimeMs}, {@link #maxEventTimeMs}]
   */
  public boolean eventTimeInRange(long eventTimeMs) {
    return eventTimeMs >= minEventTimeMs && eventTimeMs <= maxEventTimeMs;
  }

  /** @return the accepted event-time range as text, e.g. {@code 1970-01-01T00:00:00Z..2100-01-01T00:00:00Z} */
  public String eventTimeRange() {
    return Instant.ofEpochMilli(minEventTimeMs) + ".." + Instant.ofEpochMilli(maxEventTimeMs);
  }
}
