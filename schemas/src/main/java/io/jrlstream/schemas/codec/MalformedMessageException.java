package io.jrlstream.schemas.codec;

/**
 * Bytes that are not a well-formed single-object-encoded message of the expected type: shorter than
 * the 10-byte header, wrong magic bytes, a body that is truncated or corrupt, or trailing bytes after
 * the record.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class MalformedMessageException extends SchemaException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what is wrong with the bytes, naming the expected record type
   */
  public MalformedMessageException(String message) {
    super(message);
  }

  /**
   * @param message what is wrong with the bytes, naming the expected record type
   * @param cause   the Avro or I/O failure that revealed it
   */
  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
