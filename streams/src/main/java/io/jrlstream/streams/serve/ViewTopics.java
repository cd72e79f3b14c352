package io.jrlstream.streams.serve;

import io.jrlstream.streams.config.StreamsSettings;
import java.util.Objects;

/**
 * The one place that maps a served view to where its vectors come from (its embedding topic) and to the
 * names of the serving stores and topics derived from it. A later version switch (a view trained again
 * into another topic, made active by a control topic) changes this mapping, and only this mapping.
 *
 * <p>Immutable and thread-safe.
 *
 * @param settings the application's topics
 * @param serveApplicationId the serving application's id (prefix of its own topics)
 */
public record ViewTopics(StreamsSettings settings, String serveApplicationId) {
  public ViewTopics {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(serveApplicationId, "serveApplicationId");
  }

  /** The serving application id for a trainer application id: its own consumer group and state. */
  public static String serveApplicationId(StreamsSettings settings) {
    return settings.applicationId() + "-serve";
  }

  /** Topics of the trainer application {@code settings}, served by its default serving application id. */
  public static ViewTopics of(StreamsSettings settings) {
    return new ViewTopics(settings, serveApplicationId(settings));
  }

  /** The compacted topic the trainer of {@code view} publishes its vectors to. */
  public String embeddingsTopic(String view) {
    return settings.embeddingsTopic(view);
  }

  /**
   * The serving application's compacted copy of the view's item vectors: the source of the global item
   * store. Kafka Streams cannot read one topic both as a partitioned stream (for the users) and as a global
   * store (for the items), so the serving topology routes item records here.
   */
  public String itemsTopic(String view) {
    return serveApplicationId + "-items-" + view;
  }

  /** The partitioned store of the view's user vectors, keyed by user id. */
  public static String userStore(String view) {
    return "jrl-serve-users-" + view;
  }

  /** The global store of the view's item vectors, keyed {@code ITEM:<id>}, from which the index is rebuilt. */
  public static String itemStore(String view) {
    return "jrl-serve-items-" + view;
  }

  /** The repartition step of the view's user vectors. */
  static String userRepartition(String view) {
    return "jrl-serve-users-" + view;
  }
}
