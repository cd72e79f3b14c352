package io.jrlstream.streams.serve;

import io.jrlstream.streams.config.StreamsSettings;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The one place that maps a served view to where its vectors come from (its embedding topic, i.e. its active
 * version) and to the names of the serving stores and topics derived from it. A version switch (a view trained
 * again into another topic and made active in the control topic {@code jrl.view-versions}) changes this
 * mapping, and only this mapping: version 0 is the live pipeline's {@code jrl.embeddings.<view>} and keeps the
 * original names; version N ≥ 1 has its own items topic, stores and repartition topic (suffix {@code -v<N>}), so
 * the vectors of two versions never meet in one store or index.
 *
 * <p>Immutable and thread-safe.
 *
 * @param settings the application's topics
 * @param serveApplicationId the serving application's id (prefix of its own topics)
 * @param active per view, the version served when it is not 0 (views absent: version 0, the live topic)
 */
public record ViewTopics(StreamsSettings settings, String serveApplicationId, Map<String, Version> active) {
  /**
   * A served version of a view.
   *
   * @param number the version (≥ 1; 0 is never stored: it is the absence of an entry)
   * @param topic its embedding topic
   */
  public record Version(int number, String topic) {
    public Version {
      if (number < 1) {
        throw new IllegalArgumentException("a replayed version is numbered from 1, got " + number);
      }
      Objects.requireNonNull(topic, "topic");
    }
  }

  public ViewTopics {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(serveApplicationId, "serveApplicationId");
    active = Collections.unmodifiableMap(new TreeMap<>(active));
  }

  /** Every view served from its live topic (version 0). */
  public ViewTopics(StreamsSettings settings, String serveApplicationId) {
    this(settings, serveApplicationId, Map.of());
  }

  /** The serving application id for a trainer application id: its own consumer group and state. */
  public static String serveApplicationId(StreamsSettings settings) {
    return settings.applicationId() + "-serve";
  }

  /** Topics of the trainer application {@code settings}, served by its default serving application id. */
  public static ViewTopics of(StreamsSettings settings) {
    return new ViewTopics(settings, serveApplicationId(settings));
  }

  /**
   * A copy serving {@code view} from version {@code number} of it ({@code topic}); number 0 is the live topic
   * (topic ignored).
   */
  public ViewTopics withVersion(String view, int number, String topic) {
    Map<String, Version> m = new TreeMap<>(active);
    if (number == 0) {
      m.remove(view);
    } else {
      m.put(view, new Version(number, topic));
    }
    return new ViewTopics(settings, serveApplicationId, m);
  }

  /** The version of {@code view} served: 0 for the live topic. */
  public int version(String view) {
    Version v = active.get(view);
    return v == null ? 0 : v.number();
  }

  /** The compacted topic the served version of {@code view} is published to. */
  public String embeddingsTopic(String view) {
    Version v = active.get(view);
    return v == null ? settings.embeddingsTopic(view) : v.topic();
  }

  /**
   * The serving application's compacted copy of the view's item vectors: the source of the global item
   * store. Kafka Streams cannot read one topic both as a partitioned stream (for the users) and as a global
   * store (for the items), so the serving topology routes item records here.
   */
  public String itemsTopic(String view) {
    return serveApplicationId + "-items-" + view + suffix(view);
  }

  /** The partitioned store of the view's user vectors, keyed by user id. */
  public String userStore(String view) {
    return "jrl-serve-users-" + view + suffix(view);
  }

  /** The global store of the view's item vectors, keyed {@code ITEM:<id>}, from which the index is rebuilt. */
  public String itemStore(String view) {
    return "jrl-serve-items-" + view + suffix(view);
  }

  /** The repartition step of the view's user vectors. */
  String userRepartition(String view) {
    return "jrl-serve-users-" + view + suffix(view);
  }

  /** The internal topic Kafka Streams names for {@link #userRepartition}: the user vectors on their way in. */
  public String userRepartitionTopic(String view) {
    return serveApplicationId + "-" + userRepartition(view) + "-repartition";
  }

  /** Nothing for version 0 (the names serving had before versions existed), {@code -v<N>} otherwise. */
  private String suffix(String view) {
    int n = version(view);
    return n == 0 ? "" : "-v" + n;
  }
}
