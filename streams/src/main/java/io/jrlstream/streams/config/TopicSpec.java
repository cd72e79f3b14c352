package io.jrlstream.streams.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A topic the application reads or writes, with the partitions and replication factor it is created
 * with when absent.
 *
 * <p>Immutable and thread-safe; validated on construction.
 *
 * @param name              a legal Kafka topic name (letters, digits, '.', '_', '-'; at most 249
 *                          characters; not "." or "..")
 * @param partitions        partition count, at least 1
 * @param replicationFactor replication factor, at least 1
 */
public record TopicSpec(String name, int partitions, short replicationFactor) {

  /** Longest topic name Kafka accepts. */
  public static final int MAX_NAME_LENGTH = 249;

  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

  /**
   * @throws IllegalArgumentException naming the topic when a part is out of range
   */
  public TopicSpec {
    requireLegalName(name, "topic name");
    if (partitions < 1) {
      throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1, got " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "topic " + name + ": replication factor must be >= 1, got " + replicationFactor);
    }
  }

  /**
   * A topic with one partition and replication factor 1, as for a single-broker cluster.
   *
   * @param name a legal topic name
   * @return the spec
   */
  public static TopicSpec single(String name) {
    return new TopicSpec(name, 1, (short) 1);
  }

  /** @return a copy with another name */
  public TopicSpec withName(String newName) {
    return new TopicSpec(newName, partitions, replicationFactor);
  }

  /**
   * Checks Kafka's topic-name rules (the broker's own check is internal API).
   *
   * @param name what to check
   * @param what how a failure message names it, e.g. "topic name"
   * @return {@code name}
   * @throws IllegalArgumentException if it is null, empty, too long, "." or "..", or has other characters
   */
  static String requireLegalName(String name, String what) {
    Objects.requireNonNull(name, what);
    if (name.isEmpty() || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException(what + " '" + name + "' is not a legal topic name");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(what + " '" + name + "' is " + name.length()
          + " characters long; Kafka allows at most " + MAX_NAME_LENGTH);
    }
    if (!LEGAL.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " '" + name
          + "' may contain only ASCII letters, digits, '.', '_' and '-'");
    }
    return name;
  }
}
