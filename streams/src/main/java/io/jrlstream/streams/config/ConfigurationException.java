package io.jrlstream.streams.config;

/**
 * A configuration that cannot be used: a value that does not parse or is out of range, an unknown {@code jrl.*}
 * key, a missing required key, or settings that contradict each other. The message names every key involved and
 * where its value came from ({@link Origin}). An {@link IllegalArgumentException}, so that commands report it as a
 * usage error.
 */
public class ConfigurationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConfigurationException(String message) {
    super(message);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
