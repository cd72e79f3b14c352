package io.jrlstream.streams.ingest;

import java.util.Objects;

/**
 * An input record that fails validation: its {@link #reason()} code and a human-readable message for
 * the dead-letter headers.
 *
 * <p>Thrown for bad input, which is expected in a stream, so it records no stack trace (the message
 * says what is wrong; a stack trace would only point into the validator). Immutable and thread-safe.
 */
public final class InvalidEventException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why the record was rejected. */
  private final RejectReason reason;

  /**
   * @param reason  why the record is rejected
   * @param message what is wrong, naming the event where it is known
   * @param cause   the decoding failure behind it, or null
   */
  public InvalidEventException(RejectReason reason, String message, Throwable cause) {
    super(message, cause, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * @param reason  why the record is rejected
   * @param message what is wrong, naming the event where it is known
   */
  public InvalidEventException(RejectReason reason, String message) {
    this(reason, message, null);
  }

  /** @return why the record was rejected */
  public RejectReason reason() {
    return reason;
  }
}
