package io.jrlstream.ops.kafka;

/**
 * Root of the unchecked exceptions thrown by this package: a broker that does not start, an admin
 * request that fails, topics that exist with other settings than configured.
 */
public class KafkaOpsException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the broker, directory or topic concerned */
  public KafkaOpsException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the broker, directory or topic concerned
   * @param cause the underlying failure
   */
  public KafkaOpsException(String message, Throwable cause) {
    super(message, cause);
  }
}
