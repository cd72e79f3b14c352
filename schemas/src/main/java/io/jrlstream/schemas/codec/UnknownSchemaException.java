package io.jrlstream.schemas.codec;

/**
 * A message's writer-schema fingerprint is not a published version of the expected record type:
 * either no published schema has that fingerprint, or it belongs to another record type.
 *
 * <p>The message says which fingerprint (16 hex digits, the fingerprint as an unsigned number; the
 * wire bytes are its little-endian form) and which record type was expected, so that a dead-letter
 * entry can be traced to the producer that wrote it. Instances are immutable and thread-safe.
 */
public class UnknownSchemaException extends SchemaException {

  private static final long serialVersionUID = 1L;

  /** The fingerprint read from the message. */
  private final long fingerprint;
  /** Full name of the record type that was expected. */
  private final String expectedType;

  /**
   * @param fingerprint  the CRC-64-AVRO fingerprint read from the message
   * @param expectedType full name of the record type the decoder expected
   * @param message      the complete message, naming both of the above
   */
  public UnknownSchemaException(long fingerprint, String expectedType, String message) {
    super(message);
    this.fingerprint = fingerprint;
    this.expectedType = expectedType;
  }

  /** @return the CRC-64-AVRO fingerprint read from the message */
  public long fingerprint() {
    return fingerprint;
  }

  /** @return the fingerprint as 16 lower-case hex digits, as in {@link SchemaVersion#fingerprintHex()} */
  public String fingerprintHex() {
    return SchemaVersion.hex(fingerprint);
  }

  /** @return full name of the record type the decoder expected, e.g. {@code io.jrlstream.schemas.ReviewEvent} */
  public String expectedType() {
    return expectedType;
  }
}
