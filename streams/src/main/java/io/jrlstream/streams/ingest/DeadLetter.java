package io.jrlstream.streams.ingest;

import io.jrlstream.streams.config.Limits;
import java.util.Arrays;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * One dead letter as it is written: the rejected record's key, value and headers with the
 * {@link DeadLetterHeaders} added, or, when that would be larger than {@link Limits#maxRecordBytes()} (a 1 MB
 * value that the broker accepted on an input topic, plus the headers ingestion adds, no longer fits a request),
 * a cut copy: the first {@link Limits#deadLetterValueBytes()} bytes of the value, the first
 * {@link Limits#maxIdBytes()} bytes of the key, none of the original headers, and the dead-letter headers plus
 * {@link DeadLetterHeaders#ORIGINAL_VALUE_BYTES}, {@link DeadLetterHeaders#ORIGINAL_KEY_BYTES} and
 * {@link DeadLetterHeaders#ORIGINAL_HEADER_BYTES}. The source topic, partition and offset name the original,
 * which stays in its input topic. So a dead letter can always be written and no record stops a topology
 * (issue 13).
 *
 * <p>Immutable (the arrays are not copied: the caller hands them over).
 *
 * @param key     the key to write, or null
 * @param value   the value to write, or null
 * @param headers the headers to write
 * @param cut     whether this is the cut copy
 */
public record DeadLetter(byte[] key, byte[] value, Headers headers, boolean cut) {

  /**
   * The dead letter of a rejected record.
   *
   * @param key       the record's key; may be null
   * @param value     the record's value; may be null
   * @param original  the record's headers; not modified
   * @param reason    why it was rejected
   * @param message   the human-readable reason (cut to {@link DeadLetterHeaders#MAX_REASON_CHARS})
   * @param topic     source topic
   * @param partition source partition
   * @param offset    source offset
   * @param limits    the record size bound and the cut sizes
   * @return the whole record with the dead-letter headers, or its cut copy when that is too large
   */
  public static DeadLetter of(byte[] key, byte[] value, Headers original, RejectReason reason, String message,
      String topic, int partition, long offset, Limits limits) {
    long keyBytes = key == null ? 0 : key.length;
    long valueBytes = value == null ? 0 : value.length;
    long headerBytes = DeadLetterHeaders.bytes(original);
    if (keyBytes + valueBytes + headerBytes + Limits.DEAD_LETTER_HEADER_BYTES <= limits.maxRecordBytes()) {
      return new DeadLetter(key, value,
          DeadLetterHeaders.of(original, reason, message, topic, partition, offset), false);
    }
    Headers headers = DeadLetterHeaders.of(new RecordHeaders(), reason, message, topic, partition, offset);
    DeadLetterHeaders.put(headers, DeadLetterHeaders.ORIGINAL_KEY_BYTES, Long.toString(keyBytes));
    DeadLetterHeaders.put(headers, DeadLetterHeaders.ORIGINAL_VALUE_BYTES, Long.toString(valueBytes));
    DeadLetterHeaders.put(headers, DeadLetterHeaders.ORIGINAL_HEADER_BYTES, Long.toString(headerBytes));
    return new DeadLetter(prefix(key, limits.maxIdBytes()), prefix(value, limits.deadLetterValueBytes()), headers,
        true);
  }

  private static byte[] prefix(byte[] bytes, int max) {
    return bytes == null || bytes.length <= max ? bytes : Arrays.copyOf(bytes, max);
  }
}
