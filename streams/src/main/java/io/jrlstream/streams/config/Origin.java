package io.jrlstream.streams.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a configuration value came from, for messages and {@code jrl config --effective}. Sources override each
 * other in the order of {@link Kind}: command line over environment over file over default.
 *
 * <p>Immutable and thread-safe.
 *
 * @param kind  the kind of source
 * @param where the file, environment variable or command-line option; empty for a default
 */
public record Origin(Kind kind, String where) {
  /** Kinds of sources, from the weakest to the strongest. */
  public enum Kind {
    DEFAULT, FILE, ENVIRONMENT, COMMAND_LINE
  }

  /** A declared default. */
  public static final Origin DEFAULT = new Origin(Kind.DEFAULT, "");

  public Origin {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(where, "where");
  }

  /** @return a value read from a properties file */
  public static Origin file(Path file) {
    return new Origin(Kind.FILE, file.toString());
  }

  /** @return a value read from an environment variable */
  public static Origin environment(String variable) {
    return new Origin(Kind.ENVIRONMENT, variable);
  }

  /** @return a value given on the command line, by {@code option} (e.g. {@code --http-port}) */
  public static Origin commandLine(String option) {
    return new Origin(Kind.COMMAND_LINE, option);
  }

  /**
   * @return e.g. {@code default}, {@code file t.properties}, {@code environment JRL_BATCH_SIZE},
   *     {@code command line --http-port}
   */
  @Override
  public String toString() {
    return switch (kind) {
      case DEFAULT -> "default";
      case FILE -> "file " + where;
      case ENVIRONMENT -> "environment " + where;
      case COMMAND_LINE -> "command line " + where;
    };
  }
}
