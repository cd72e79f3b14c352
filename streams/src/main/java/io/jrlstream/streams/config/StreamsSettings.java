package io.jrlstream.streams.config;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Typed, validated settings of the streaming application: topics, validation limits and the Kafka
 * client properties passed through. Keys, defaults and meanings are declared in {@link StreamsKeys};
 * {@link #from} reads them from a {@link Configuration}.
 *
 * <p>Every constructor argument is checked: legal and distinct topic names, no input or dead-letter
 * topic under the embeddings prefix, positive counts, and a pass-through map that holds no key this
 * record types. A failure is an {@link IllegalArgumentException} naming the offending key or value.
 *
 * <p>Immutable and thread-safe; {@code withX} methods return validated copies. {@link #toString()}
 * hides pass-through values that look secret (passwords, JAAS configs, keys, tokens).
 *
 * @param applicationId         Kafka Streams {@code application.id}
 * @param bootstrapServers      Kafka {@code bootstrap.servers}; not blank
 * @param reviews               ReviewEvent input topic
 * @param ratings               RatingEvent input topic
 * @param imageFeatures         ImageFeatureEvent input topic
 * @param deadLetters           topic of rejected input records
 * @param validatedTopic        TrainingEvent topic: each view's event log, written by the trainer
 * @param embeddingsTopicPrefix prefix of the per-view embedding topics
 * @param maxTextChars          longest accepted review text (summary + " " + reviewText), in chars; >= 1
 * @param featureDim            length every image feature vector must have; >= 1
 * @param passthrough           other Kafka client or Streams properties, passed unchanged; no
 *                              {@code jrl.*}, {@code application.id} or {@code bootstrap.servers} key
 * @param limits                size and range limits of input records ({@link Limits}); the largest validated
 *                              event they allow must fit {@link Limits#maxRecordBytes()}
 */
public record StreamsSettings(
    String applicationId,
    String bootstrapServers,
    TopicSpec reviews,
    TopicSpec ratings,
    TopicSpec imageFeatures,
    TopicSpec deadLetters,
    String validatedTopic,
    String embeddingsTopicPrefix,
    int maxTextChars,
    int featureDim,
    Map<String, String> passthrough,
    Limits limits) {

  /**
   * @throws IllegalArgumentException naming the setting that is out of range, or the two topics that
   *                                  collide
   * @throws NullPointerException     naming a missing argument
   */
  public StreamsSettings {
    TopicSpec.requireLegalName(applicationId, StreamsKeys.APPLICATION_ID.key());
    StreamsKeys.BOOTSTRAP_SERVERS.require(bootstrapServers);
    Objects.requireNonNull(reviews, "reviews");
    Objects.requireNonNull(ratings, "ratings");
    Objects.requireNonNull(imageFeatures, "imageFeatures");
    Objects.requireNonNull(deadLetters, "deadLetters");
    TopicSpec.requireLegalName(validatedTopic, StreamsKeys.VALIDATED.key());
    TopicSpec.requireLegalName(embeddingsTopicPrefix, StreamsKeys.EMBEDDINGS_PREFIX.key());
    StreamsKeys.MAX_TEXT_CHARS.require(maxTextChars);
    StreamsKeys.FEATURE_DIM.require(featureDim);
    List<String> names = List.of(reviews.name(), ratings.name(), imageFeatures.name(), deadLetters.name(),
        validatedTopic);
    Set<String> seen = new HashSet<>();
    for (String name : names) {
      if (!seen.add(name)) {
        throw new IllegalArgumentException("topic " + name
            + " is configured for two purposes; the reviews, ratings, image-features, dead-letter"
            + " and validated topics must all differ, got " + names);
      }
      if (name.startsWith(embeddingsTopicPrefix)) {
        throw new IllegalArgumentException("topic " + name + " starts with the embeddings prefix '"
            + embeddingsTopicPrefix + "' (" + StreamsKeys.EMBEDDINGS_PREFIX.key()
            + "), so an embedding topic could collide with it");
      }
    }
    passthrough = copyPassthrough(passthrough);
    Objects.requireNonNull(limits, "limits");
    long bound = limits.validatedEventBound(maxTextChars, featureDim);
    if (bound > limits.maxRecordBytes()) {
      throw new IllegalArgumentException("a validated event may take " + bound + " bytes with "
          + StreamsKeys.MAX_TEXT_CHARS.key() + " = " + maxTextChars + ", " + StreamsKeys.FEATURE_DIM.key() + " = "
          + featureDim + ", " + StreamsKeys.MAX_ID_BYTES.key() + " = " + limits.maxIdBytes() + " and "
          + StreamsKeys.MAX_HEADER_BYTES.key() + " = " + limits.maxHeaderBytes() + ", more than "
          + StreamsKeys.MAX_RECORD_BYTES.key() + " = " + limits.maxRecordBytes() + ": lower a limit or raise "
          + StreamsKeys.MAX_RECORD_BYTES.key());
    }
  }

  /**
   * Settings with the default {@link Limits}: the signature from before the limits existed.
   *
   * @throws IllegalArgumentException as the canonical constructor
   */
  public StreamsSettings(String applicationId, String bootstrapServers, TopicSpec reviews, TopicSpec ratings,
      TopicSpec imageFeatures, TopicSpec deadLetters, String validatedTopic, String embeddingsTopicPrefix,
      int maxTextChars, int featureDim, Map<String, String> passthrough) {
    this(applicationId, bootstrapServers, reviews, ratings, imageFeatures, deadLetters, validatedTopic,
        embeddingsTopicPrefix, maxTextChars, featureDim, passthrough, Limits.DEFAULTS);
  }

  private static Map<String, String> copyPassthrough(Map<String, String> given) {
    Objects.requireNonNull(given, "passthrough");
    Map<String, String> copy = new TreeMap<>();
    for (Map.Entry<String, String> e : given.entrySet()) {
      String key = Objects.requireNonNull(e.getKey(), "passthrough key");
      Objects.requireNonNull(e.getValue(), () -> "passthrough value of " + key);
      if (key.startsWith(Catalog.PREFIX) || key.equals(StreamsKeys.APPLICATION_ID.key())
          || key.equals(StreamsKeys.BOOTSTRAP_SERVERS.key())) {
        throw new IllegalArgumentException("pass-through properties must not set " + key
            + ": it is a typed setting of StreamsSettings");
      }
      copy.put(key, e.getValue());
    }
    return Collections.unmodifiableMap(copy);
  }

  /**
   * Settings with every default ({@link StreamsKeys}) and no pass-through properties.
   *
   * @param bootstrapServers the Kafka cluster
   * @return the settings
   */
  public static StreamsSettings defaults(String bootstrapServers) {
    return from(Configuration.defaults(StreamsKeys.CATALOG)
        .with(StreamsKeys.BOOTSTRAP_SERVERS.key(), bootstrapServers, Origin.DEFAULT));
  }

  /**
   * Reads settings from properties: {@link #from} of a configuration of the keys of {@link StreamsKeys#CATALOG}
   * (other {@code jrl.*} keys are refused; a command reads a configuration of every module's keys instead).
   *
   * @param properties the properties; not modified; every key and value must be a String
   * @return the validated settings
   * @throws ConfigurationException as {@link #from}, or naming unknown {@code jrl.*} keys
   */
  public static StreamsSettings fromProperties(Properties properties) {
    return from(Configuration.of(StreamsKeys.CATALOG, properties));
  }

  /**
   * Reads the settings of {@link StreamsKeys}, with their defaults where absent, and every pass-through property
   * of the configuration (Kafka client and Streams properties), value unchanged.
   *
   * @param c the configuration; its catalog must hold {@link StreamsKeys#CATALOG}'s keys
   * @return the validated settings
   * @throws ConfigurationException naming a missing required key, a value that does not parse or is out of range,
   *     or any check of the constructor, with the origin of every key involved
   */
  public static StreamsSettings from(Configuration c) {
    return c.build(x -> new StreamsSettings(
        x.get(StreamsKeys.APPLICATION_ID),
        x.get(StreamsKeys.BOOTSTRAP_SERVERS).strip(),
        StreamsKeys.REVIEWS.read(x),
        StreamsKeys.RATINGS.read(x),
        StreamsKeys.IMAGE_FEATURES.read(x),
        StreamsKeys.DEAD_LETTERS.read(x),
        x.get(StreamsKeys.VALIDATED),
        x.get(StreamsKeys.EMBEDDINGS_PREFIX),
        x.get(StreamsKeys.MAX_TEXT_CHARS),
        x.get(StreamsKeys.FEATURE_DIM),
        x.passthrough(),
        Limits.from(x)));
  }

  /**
   * The embedding topic of one view.
   *
   * @param viewName the view's name, e.g. {@code review}
   * @return {@code embeddingsTopicPrefix + viewName}
   * @throws IllegalArgumentException if the result is not a legal topic name
   */
  public String embeddingsTopic(String viewName) {
    Objects.requireNonNull(viewName, "viewName");
    return TopicSpec.requireLegalName(embeddingsTopicPrefix + viewName, "embeddings topic of view " + viewName);
  }

  /** @return the input topics: reviews, ratings and image features, in that order */
  public List<TopicSpec> inputTopics() {
    return List.of(reviews, ratings, imageFeatures);
  }

  /**
   * The properties to give Kafka clients and Kafka Streams: the pass-through properties, then
   * {@code application.id} and {@code bootstrap.servers}.
   *
   * @return a new, mutable copy; the caller may add its own entries
   */
  public Properties kafkaProperties() {
    Properties p = new Properties();
    p.putAll(passthrough);
    p.setProperty(StreamsKeys.APPLICATION_ID.key(), applicationId);
    p.setProperty(StreamsKeys.BOOTSTRAP_SERVERS.key(), bootstrapServers);
    return p;
  }

  /** @return a copy with other bootstrap servers, e.g. those of an embedded broker */
  public StreamsSettings withBootstrapServers(String newBootstrapServers) {
    return new StreamsSettings(applicationId, newBootstrapServers, reviews, ratings, imageFeatures, deadLetters,
        validatedTopic, embeddingsTopicPrefix, maxTextChars, featureDim, passthrough, limits);
  }

  /** @return a copy with another application id */
  public StreamsSettings withApplicationId(String newApplicationId) {
    return new StreamsSettings(newApplicationId, bootstrapServers, reviews, ratings, imageFeatures, deadLetters,
        validatedTopic, embeddingsTopicPrefix, maxTextChars, featureDim, passthrough, limits);
  }

  /** @return a copy with another text limit */
  public StreamsSettings withMaxTextChars(int newMaxTextChars) {
    return new StreamsSettings(applicationId, bootstrapServers, reviews, ratings, imageFeatures, deadLetters,
        validatedTopic, embeddingsTopicPrefix, newMaxTextChars, featureDim, passthrough, limits);
  }

  /** @return a copy with another expected feature dimension */
  public StreamsSettings withFeatureDim(int newFeatureDim) {
    return new StreamsSettings(applicationId, bootstrapServers, reviews, ratings, imageFeatures, deadLetters,
        validatedTopic, embeddingsTopicPrefix, maxTextChars, newFeatureDim, passthrough, limits);
  }

  /** @return a copy with other limits */
  public StreamsSettings withLimits(Limits newLimits) {
    return new StreamsSettings(applicationId, bootstrapServers, reviews, ratings, imageFeatures, deadLetters,
        validatedTopic, embeddingsTopicPrefix, maxTextChars, featureDim, passthrough, newLimits);
  }

  /** @return a copy with another embeddings topic prefix (a replayed version publishes under its own) */
  public StreamsSettings withEmbeddingsTopicPrefix(String newPrefix) {
    return new StreamsSettings(applicationId, bootstrapServers, reviews, ratings, imageFeatures, deadLetters,
        validatedTopic, newPrefix, maxTextChars, featureDim, passthrough, limits);
  }

  @Override
  public String toString() {
    Map<String, String> shown = new TreeMap<>();
    passthrough.forEach((k, v) -> shown.put(k, Configuration.SECRET.matcher(k).matches() ? "[hidden]" : v));
    return "StreamsSettings[applicationId=" + applicationId + ", bootstrapServers=" + bootstrapServers
        + ", reviews=" + reviews + ", ratings=" + ratings + ", imageFeatures=" + imageFeatures
        + ", deadLetters=" + deadLetters + ", validatedTopic=" + validatedTopic
        + ", embeddingsTopicPrefix=" + embeddingsTopicPrefix + ", maxTextChars=" + maxTextChars
        + ", featureDim=" + featureDim + ", passthrough=" + shown + ", limits=" + limits + "]";
  }
}
