package io.jrlstream.streams.ingest;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Names of the headers that ingestion adds to every dead letter. A dead letter carries the rejected
 * record's original key, value, timestamp and headers; these headers are added (replacing any of the
 * same names, e.g. when a dead letter is replayed). Every value is a UTF-8 string; partition and offset
 * are decimal numbers.
 */
public final class DeadLetterHeaders {

  /** Human-readable reason, e.g. {@code "rating ev-7: stars 7.0 outside 1-5"}. */
  public static final String REASON = "jrl.reason";
  /** Short code: the name of a {@link RejectReason}, e.g. {@code STARS_OUT_OF_RANGE}. */
  public static final String ERROR = "jrl.error";
  /** Topic the record was read from. */
  public static final String SOURCE_TOPIC = "jrl.source.topic";
  /** Partition the record was read from, in decimal. */
  public static final String SOURCE_PARTITION = "jrl.source.partition";
  /** Offset of the record in its partition, in decimal. */
  public static final String SOURCE_OFFSET = "jrl.source.offset";
  /**
   * On a dead letter cut to fit {@code jrl.max.record.bytes} only: the original value's length in bytes, in decimal
   * (the value kept is its first {@code jrl.dead.letter.value.bytes}; the original stays in the source topic).
   */
  public static final String ORIGINAL_VALUE_BYTES = "jrl.original.value.bytes";
  /** On a cut dead letter only: the original key's length in bytes (the key kept is its first jrl.max.id.bytes). */
  public static final String ORIGINAL_KEY_BYTES = "jrl.original.key.bytes";
  /** On a cut dead letter only: the original headers' size in bytes (a cut dead letter keeps none of them). */
  public static final String ORIGINAL_HEADER_BYTES = "jrl.original.header.bytes";
  /** On a dead letter of the production exception handler: the topic the refused record was for. */
  public static final String TARGET_TOPIC = "jrl.target.topic";
  /** Longest human-readable reason kept in {@link #REASON}, in chars. */
  public static final int MAX_REASON_CHARS = 500;

  private DeadLetterHeaders() {
  }

  /**
   * The headers of a dead letter: a copy of the rejected record's headers with these added (replacing any of
   * the same names).
   *
   * @param original  the rejected record's headers; not modified
   * @param reason    why it was rejected
   * @param message   the human-readable reason
   * @param topic     source topic
   * @param partition source partition
   * @param offset    source offset
   * @return new headers
   */
  public static Headers of(Headers original, RejectReason reason, String message, String topic, int partition,
      long offset) {
    Headers headers = new RecordHeaders(original.toArray());
    put(headers, REASON, message.length() <= MAX_REASON_CHARS ? message : message.substring(0, MAX_REASON_CHARS));
    put(headers, ERROR, reason.name());
    put(headers, SOURCE_TOPIC, topic);
    put(headers, SOURCE_PARTITION, Integer.toString(partition));
    put(headers, SOURCE_OFFSET, Long.toString(offset));
    return headers;
  }

  /**
   * The size of headers as a record carries them: names in UTF-8 and values, plus a few bytes of framing each.
   *
   * @param headers the headers; may be null
   * @return the size in bytes
   */
  public static long bytes(Headers headers) {
    if (headers == null) {
      return 0;
    }
    long n = 0;
    for (Header h : headers) {
      n += h.key().length() * 3L + (h.value() == null ? 0 : h.value().length) + 10;
    }
    return n;
  }

  static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(StandardCharsets.UTF_8));
  }
}
