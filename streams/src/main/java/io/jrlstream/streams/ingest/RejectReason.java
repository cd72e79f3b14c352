package io.jrlstream.streams.ingest;

/**
 * Why ingestion rejected an input record: the short code written to the {@value DeadLetterHeaders#ERROR}
 * header of its dead letter and counted by {@link DeadLetterCounter}. The human-readable detail goes to
 * {@value DeadLetterHeaders#REASON}.
 *
 * <p>Codes are part of the dead-letter topic's contract: add new ones, never rename one.
 */
public enum RejectReason {
  /** The value is null, or not a well-formed Avro single-object message (bad magic, truncated, corrupt). */
  UNDECODABLE,
  /** The message's schema fingerprint is not a published version of the topic's record type. */
  UNKNOWN_SCHEMA,
  /** An id (eventId, userId, itemId, or modelId of image features) is blank. */
  MISSING_ID,
  /** Stars outside 1–5, or NaN; a review may have no stars, a rating must have them. */
  STARS_OUT_OF_RANGE,
  /** A review whose summary and text hold no word the tokeniser keeps (no letter a–z). */
  EMPTY_TEXT,
  /** A review whose text (summary + " " + reviewText) is longer than the configured maximum. */
  TEXT_TOO_LONG,
  /** A feature vector holding NaN or an infinity. */
  BAD_VECTOR,
  /** A feature vector whose length differs from its declared dimension or the configured one. */
  WRONG_DIMENSION,
  /** Image bytes that are empty, not an image in a readable format, truncated or corrupt, or of zero size. */
  BAD_IMAGE,
  /** An image with more bytes or more pixels (width x height) than the configured limits. */
  IMAGE_TOO_LARGE,
  /** An id longer than {@code jrl.max.id.bytes} in UTF-8 bytes (after stripping surrounding white space). */
  ID_TOO_LONG,
  /**
   * An id holding U+FFFD, the character that invalid UTF-8 decodes to: two different invalid ids could otherwise
   * become one (a genuine U+FFFD in an id is refused as well).
   */
  INVALID_UTF8,
  /** An event time outside [{@code jrl.min.event.time.ms}, {@code jrl.max.event.time.ms}]. */
  EVENT_TIME_OUT_OF_RANGE,
  /** An input record whose headers (names and values) hold more than {@code jrl.max.header.bytes} bytes. */
  HEADERS_TOO_LARGE,
  /**
   * A record that Kafka refused to write (e.g. larger than {@code max.request.size}, or not serialisable), sent to
   * the dead letters by the production exception handler ({@code DeadLetterProductionHandler}) instead of
   * stopping the application; the dead letter holds the refused record, cut when it is too large.
   */
  PRODUCE_FAILED
}
