package io.jrlstream.streams.ingest;

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

    private DeadLetterHeaders() {
    }
}
