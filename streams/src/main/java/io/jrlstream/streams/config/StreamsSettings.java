package io.jrlstream.streams.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Typed, validated settings of the streaming application: topics, validation limits and the Kafka
 * client properties passed through. Keys, defaults and meanings are documented in one place,
 * {@link SettingKey}; {@link #fromProperties} reads them.
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
 * @param validatedTopic        TrainingEvent topic written by the stand-alone ingestion topology
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

  private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|jaas|token|credential|\\.key$).*");

  /**
   * @throws IllegalArgumentException naming the setting that is out of range, or the two topics that
   *                                  collide
   * @throws NullPointerException     naming a missing argument
   */
  public StreamsSettings {
    TopicSpec.requireLegalName(applicationId, SettingKey.APPLICATION_ID.key());
    Objects.requireNonNull(bootstrapServers, SettingKey.BOOTSTRAP_SERVERS.key());
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(SettingKey.BOOTSTRAP_SERVERS.key() + " must not be blank");
    }
    Objects.requireNonNull(reviews, "reviews");
    Objects.requireNonNull(ratings, "ratings");
    Objects.requireNonNull(imageFeatures, "imageFeatures");
    Objects.requireNonNull(deadLetters, "deadLetters");
    TopicSpec.requireLegalName(validatedTopic, SettingKey.TOPIC_VALIDATED.key());
    TopicSpec.requireLegalName(embeddingsTopicPrefix, SettingKey.TOPIC_EMBEDDINGS_PREFIX.key());
    if (maxTextChars < 1) {
      throw new IllegalArgumentException(SettingKey.MAX_TEXT_CHARS.key() + " must be >= 1, got " + maxTextChars);
    }
    if (featureDim < 1) {
      throw new IllegalArgumentException(SettingKey.FEATURE_DIM.key() + " must be >= 1, got " + featureDim);
    }
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
            + embeddingsTopicPrefix + "' (" + SettingKey.TOPIC_EMBEDDINGS_PREFIX.key()
            + "), so an embedding topic could collide with it");
      }
    }
    passthrough = copyPassthrough(passthrough);
    Objects.requireNonNull(limits, "limits");
    long bound = limits.validatedEventBound(maxTextChars, featureDim);
    if (bound > limits.maxRecordBytes()) {
      throw new IllegalArgumentException("a validated event may take " + bound + " bytes with "
          + SettingKey.MAX_TEXT_CHARS.key() + " = " + maxTextChars + ", " + SettingKey.FEATURE_DIM.key() + " = "
          + featureDim + ", " + SettingKey.MAX_ID_BYTES.key() + " = " + limits.maxIdBytes() + " and "
          + SettingKey.MAX_HEADER_BYTES.key() + " = " + limits.maxHeaderBytes() + ", more than "
          + SettingKey.MAX_RECORD_BYTES.key() + " = " + limits.maxRecordBytes() + ": lower a limit or raise "
          + SettingKey.MAX_RECORD_BYTES.key());
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
      if (key.startsWith(SettingKey.PREFIX) || key.equals(SettingKey.APPLICATION_ID.key())
          || key.equals(SettingKey.BOOTSTRAP_SERVERS.key())) {
        throw new IllegalArgumentException("pass-through properties must not set " + key
            + ": it is a typed setting of StreamsSettings");
      }
      copy.put(key, e.getValue());
    }
    return Collections.unmodifiableMap(copy);
  }

  /**
   * Settings with every default of {@link SettingKey} and no pass-through properties.
   *
   * @param bootstrapServers the Kafka cluster
   * @return the settings
   */
  public static StreamsSettings defaults(String bootstrapServers) {
    Properties p = new Properties();
    p.setProperty(SettingKey.BOOTSTRAP_SERVERS.key(), bootstrapServers);
    return fromProperties(p);
  }

  /**
   * Reads settings from properties (e.g. a {@code --config} file): the keys of {@link SettingKey}, with
   * their defaults where absent (values are stripped of surrounding white space), and every other key
   * that does not start with {@value SettingKey#PREFIX} as a pass-through property, value unchanged.
   * Keys from the properties' defaults count as present.
   *
   * @param properties the properties; not modified; every key and value must be a String
   * @return the validated settings
   * @throws IllegalArgumentException naming unknown {@code jrl.*} keys (all of them, with the known
   *                                  ones), a missing required key, a value that is not a number where
   *                                  one is expected, a non-String entry, or any check of the
   *                                  constructor
   */
  public static StreamsSettings fromProperties(Properties properties) {
    Objects.requireNonNull(properties, "properties");
    for (Map.Entry<Object, Object> e : properties.entrySet()) {
      if (!(e.getKey() instanceof String) || !(e.getValue() instanceof String)) {
        throw new IllegalArgumentException("property " + e.getKey() + " is a "
            + e.getKey().getClass().getSimpleName() + " -> " + e.getValue().getClass().getSimpleName()
            + " entry; only String keys and values are read");
      }
    }
    Map<String, String> given = new TreeMap<>();
    for (String key : properties.stringPropertyNames()) {
      given.put(key, properties.getProperty(key));
    }
    Set<String> unknown = new TreeSet<>();
    Map<String, String> passthrough = new TreeMap<>();
    for (Map.Entry<String, String> e : given.entrySet()) {
      String key = e.getKey();
      if (SettingKey.forKey(key).isPresent()) {
        continue;
      }
      if (key.startsWith(SettingKey.PREFIX)) {
        unknown.add(key);
      } else {
        passthrough.put(key, e.getValue());
      }
    }
    if (!unknown.isEmpty()) {
      List<String> known = new ArrayList<>();
      for (SettingKey k : SettingKey.values()) {
        if (k.key().startsWith(SettingKey.PREFIX)) {
          known.add(k.key());
        }
      }
      throw new IllegalArgumentException("unknown configuration key" + (unknown.size() > 1 ? "s " : " ")
          + String.join(", ", unknown) + "; the " + SettingKey.PREFIX + "* keys are " + known);
    }
    Reader r = new Reader(given);
    return new StreamsSettings(
        r.string(SettingKey.APPLICATION_ID),
        r.string(SettingKey.BOOTSTRAP_SERVERS),
        r.topic(SettingKey.TOPIC_REVIEWS, SettingKey.TOPIC_REVIEWS_PARTITIONS,
            SettingKey.TOPIC_REVIEWS_REPLICATION),
        r.topic(SettingKey.TOPIC_RATINGS, SettingKey.TOPIC_RATINGS_PARTITIONS,
            SettingKey.TOPIC_RATINGS_REPLICATION),
        r.topic(SettingKey.TOPIC_IMAGE_FEATURES, SettingKey.TOPIC_IMAGE_FEATURES_PARTITIONS,
            SettingKey.TOPIC_IMAGE_FEATURES_REPLICATION),
        r.topic(SettingKey.TOPIC_DEAD_LETTERS, SettingKey.TOPIC_DEAD_LETTERS_PARTITIONS,
            SettingKey.TOPIC_DEAD_LETTERS_REPLICATION),
        r.string(SettingKey.TOPIC_VALIDATED),
        r.string(SettingKey.TOPIC_EMBEDDINGS_PREFIX),
        r.integer(SettingKey.MAX_TEXT_CHARS, Integer.MAX_VALUE),
        r.integer(SettingKey.FEATURE_DIM, Integer.MAX_VALUE),
        passthrough,
        new Limits(r.integer(SettingKey.MAX_ID_BYTES, Integer.MAX_VALUE),
            r.integer(SettingKey.MAX_HEADER_BYTES, Integer.MAX_VALUE),
            r.longValue(SettingKey.MIN_EVENT_TIME_MS), r.longValue(SettingKey.MAX_EVENT_TIME_MS),
            r.integer(SettingKey.MAX_RECORD_BYTES, Integer.MAX_VALUE),
            r.integer(SettingKey.DEAD_LETTER_VALUE_BYTES, Integer.MAX_VALUE)));
  }

  /** Reads typed values of known keys, falling back to defaults. */
  private record Reader(Map<String, String> given) {

    String string(SettingKey key) {
      String value = given.get(key.key());
      if (value == null) {
        return key.defaultValue().orElseThrow(() -> new IllegalArgumentException(
            key.key() + " is required: " + key.description()));
      }
      return value.strip();
    }

    int integer(SettingKey key, int max) {
      String value = string(key);
      try {
        int parsed = Integer.parseInt(value);
        if (parsed > max || parsed < -max) { // so that a cast to short cannot wrap
          throw new NumberFormatException();
        }
        return parsed;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key.key() + " must be an integer"
            + (max < Integer.MAX_VALUE ? " up to " + max : "") + ", got '" + value + "'");
      }
    }

    long longValue(SettingKey key) {
      String value = string(key);
      try {
        return Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key.key() + " must be an integer, got '" + value + "'");
      }
    }

    TopicSpec topic(SettingKey name, SettingKey partitions, SettingKey replication) {
      return new TopicSpec(string(name), integer(partitions, Integer.MAX_VALUE),
          (short) integer(replication, Short.MAX_VALUE));
    }
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
    p.setProperty(SettingKey.APPLICATION_ID.key(), applicationId);
    p.setProperty(SettingKey.BOOTSTRAP_SERVERS.key(), bootstrapServers);
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
    passthrough.forEach((k, v) -> shown.put(k, SECRET.matcher(k).matches() ? "[hidden]" : v));
    return "StreamsSettings[applicationId=" + applicationId + ", bootstrapServers=" + bootstrapServers
        + ", reviews=" + reviews + ", ratings=" + ratings + ", imageFeatures=" + imageFeatures
        + ", deadLetters=" + deadLetters + ", validatedTopic=" + validatedTopic
        + ", embeddingsTopicPrefix=" + embeddingsTopicPrefix + ", maxTextChars=" + maxTextChars
        + ", featureDim=" + featureDim + ", passthrough=" + shown + ", limits=" + limits + "]";
  }
}
