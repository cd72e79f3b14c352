package io.jrlstream.schemas.codec;

/**
 * Root of the unchecked exceptions of the schemas module: a schema history that cannot be loaded or
 * is inconsistent, a record that cannot be encoded, or a message that cannot be decoded.
 *
 * <p>Instances are immutable and thread-safe.
 */
public class SchemaException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong, naming the record type or resource concerned
   */
  public SchemaException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong, naming the record type or resource concerned
   * @param cause   the underlying failure
   */
  public SchemaException(String message, Throwable cause) {
    super(message, cause);
  }
}
