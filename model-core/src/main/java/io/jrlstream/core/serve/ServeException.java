package io.jrlstream.core.serve;

/**
 * Root of the serving errors. Each subtype is one kind of answer a client gets, so that the HTTP layer maps
 * them to status codes in one place; the message is meant for the client and never holds a stack trace.
 */
public class ServeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ServeException(String message) {
    super(message);
  }

  public ServeException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A parameter of the query is invalid (HTTP 400). */
  public static final class InvalidQuery extends ServeException {
    private static final long serialVersionUID = 1L;

    public InvalidQuery(String message) {
      super(message);
    }
  }

  /** The item (or other addressed entity) is unknown (HTTP 404). */
  public static final class NotFound extends ServeException {
    private static final long serialVersionUID = 1L;

    public NotFound(String message) {
      super(message);
    }
  }

  /** Stores are restoring, ownership is moving, or views are still catching up (HTTP 503). */
  public static final class NotReady extends ServeException {
    private static final long serialVersionUID = 1L;

    public NotReady(String message) {
      super(message);
    }

    public NotReady(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The instance that owns the user could not be asked (HTTP 502). */
  public static final class RemoteFailure extends ServeException {
    private static final long serialVersionUID = 1L;

    public RemoteFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
