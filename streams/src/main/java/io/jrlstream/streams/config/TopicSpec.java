package io.jrlstream.streams.config;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.TopicConfig;

/**
 * A topic the application reads or writes, with the settings it must have: created with them when absent, checked
 * against them when present ({@code io.jrlstream.ops.kafka.TopicAdmin#ensureTopics}). The one topic type of the
 * project: the settings' topics ({@link StreamsSettings}, {@code ImageSettings}) and those the applications create.
 *
 * <p>Immutable and thread-safe; validated on construction, failures name the topic.
 *
 * @param name        a legal Kafka topic name: 1 to {@value #MAX_NAME_LENGTH} characters from [a-zA-Z0-9._-], not
 *                    "." or ".."
 * @param partitions  the number of partitions, at least 1
 * @param replication the replication factor, at least 1, or {@code -1} for the broker's
 *                    {@code default.replication.factor} (then not checked on existing topics)
 * @param configs     topic-level configs applied at creation (e.g. {@code cleanup.policy=compact}); copied, iterated
 *                    in key order. Of these {@code cleanup.policy}, {@code retention.ms}, {@code retention.bytes} and
 *                    {@code max.message.bytes} (as a lower bound) are checked on existing topics.
 * @param floors      of {@code retention.ms} and {@code retention.bytes}, the least value an existing topic may have
 *                    instead of the one it is created with ({@code -1}, unbounded, always passes); a key without a
 *                    floor must equal the created value. Copied, iterated in key order.
 */
public record TopicSpec(String name, int partitions, short replication, Map<String, String> configs,
    Map<String, Long> floors) {

  /** Longest topic name Kafka accepts. */
  public static final int MAX_NAME_LENGTH = 249;

  // Kafka's own rule (org.apache.kafka.common.internals.Topic), restated to stay off internal API.
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

  /** A spec without floors: every checked config must be as created. */
  public TopicSpec(String name, int partitions, short replication, Map<String, String> configs) {
    this(name, partitions, replication, configs, Map.of());
  }

  /**
   * @throws IllegalArgumentException naming the topic when a part is out of range
   */
  public TopicSpec {
    requireLegalName(name, "topic name");
    Objects.requireNonNull(configs, "configs");
    Objects.requireNonNull(floors, "floors");
    if (partitions < 1) {
      throw new IllegalArgumentException("topic '" + name + "': partitions must be at least 1, got " + partitions);
    }
    if (replication < 1 && replication != -1) {
      throw new IllegalArgumentException("topic '" + name
          + "': replication must be at least 1 (or -1 for the broker default), got " + replication);
    }
    configs.forEach((k, v) -> {
      if (k == null || v == null) {
        throw new IllegalArgumentException("topic '" + name + "': null config key or value");
      }
    });
    configs = Collections.unmodifiableMap(new TreeMap<>(configs));
    floors.forEach((k, v) -> {
      if (!TopicConfig.RETENTION_MS_CONFIG.equals(k) && !TopicConfig.RETENTION_BYTES_CONFIG.equals(k)) {
        throw new IllegalArgumentException("topic '" + name + "': a floor is for retention.ms or retention.bytes, not '"
            + k + "'");
      }
      if (v == null || v < 0) {
        throw new IllegalArgumentException("topic '" + name + "': floor of " + k + " must be ≥ 0, got " + v);
      }
    });
    floors = Collections.unmodifiableMap(new TreeMap<>(floors));
  }

  /** @return a spec with no topic-level configs (the broker's defaults apply) */
  public static TopicSpec of(String name, int partitions, short replication) {
    return new TopicSpec(name, partitions, replication, Map.of());
  }

  /**
   * @return a log-compacted topic ({@code cleanup.policy=compact}), as for the embedding topics where only the
   *     latest vector per key matters
   */
  public static TopicSpec compacted(String name, int partitions, short replication) {
    return new TopicSpec(name, partitions, replication,
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /** @return a copy of this spec for topic {@code other} */
  public TopicSpec renamed(String other) {
    return new TopicSpec(other, partitions, replication, configs, floors);
  }

  /** @return a copy of this spec with {@code key=value} added to (or replaced in) the configs */
  public TopicSpec withConfig(String key, String value) {
    Map<String, String> copy = new TreeMap<>(configs);
    copy.put(key, value);
    return new TopicSpec(name, partitions, replication, copy, floors);
  }

  /**
   * @return a copy of this spec where an existing topic's {@code key} (retention.ms or retention.bytes) may be any
   *     value of at least {@code floor}, or -1, rather than the created one
   */
  public TopicSpec withFloor(String key, long floor) {
    Map<String, Long> copy = new TreeMap<>(floors);
    copy.put(key, floor);
    return new TopicSpec(name, partitions, replication, configs, copy);
  }

  /** @return whether {@code name} is a legal Kafka topic name */
  public static boolean isLegalName(String name) {
    return name != null && !name.isEmpty() && !name.equals(".") && !name.equals("..")
        && name.length() <= MAX_NAME_LENGTH && LEGAL.matcher(name).matches();
  }

  /**
   * Checks Kafka's topic-name rules (the broker's own check is internal API).
   *
   * @param name what to check
   * @param what how a failure message names it, e.g. "topic name"
   * @return {@code name}
   * @throws IllegalArgumentException if it is null, empty, too long, "." or "..", or has other characters
   */
  public static String requireLegalName(String name, String what) {
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
