package io.jrlstream.streams.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The keys of the Kafka cluster, the topics and the input limits ({@link StreamsSettings}, {@link Limits}). Each key
 * the streams module reads is declared once, here or beside the code that reads it ({@code TrainingKeys},
 * {@code ImageKeys}, {@code ServeKeys}), with its type, default, allowed values and meaning;
 * {@code io.jrlstream.streams.StreamsCatalog} lists them all. {@link #CATALOG} holds the groups of this class.
 *
 * <p>Replication factors default to {@code -1}: the broker's {@code default.replication.factor}, which a production
 * cluster sets (typically 3, with {@code min.insync.replicas=2}) and the embedded broker of {@code jrl local} sets
 * to 1. The topics the application writes (validated events, embeddings, import progress, view versions) are
 * created with the replication factor of the reviews topic.
 */
public final class StreamsKeys {
  private StreamsKeys() {}

  /**
   * The three keys of a topic: {@code jrl.topic.X} (its name), {@code jrl.topic.X.partitions} and
   * {@code jrl.topic.X.replication.factor} (used when the application creates it).
   *
   * @param name        the name key
   * @param partitions  the partitions key
   * @param replication the replication factor key
   */
  public record TopicKeys(Setting<String> name, Setting<Integer> partitions, Setting<Short> replication) {
    /**
     * @param key          e.g. {@code jrl.topic.reviews}
     * @param defaultName  e.g. {@code jrl.reviews}
     * @param what         what the topic holds, e.g. "ReviewEvent input topic"
     * @param partitionDoc extra words on the partition count (may be empty)
     * @return the three keys
     */
    public static TopicKeys of(String key, String defaultName, String what, String partitionDoc) {
      String noun = key.substring(key.lastIndexOf("topic.") + "topic.".length()).replace('.', ' ');
      return new TopicKeys(Setting.topic(key, defaultName, what),
          Setting.integer(key + ".partitions", 1, 1, Integer.MAX_VALUE,
              "partitions of the " + noun + " topic" + (partitionDoc.isEmpty() ? "" : " (" + partitionDoc + ")")),
          Setting.replication(key + ".replication.factor", "replication factor of the " + noun + " topic"));
    }

    /** @return the topic these keys configure */
    public TopicSpec read(Configuration c) {
      return TopicSpec.of(c.get(name), c.get(partitions), c.get(replication));
    }

    /** @return the three settings */
    public List<Setting<?>> settings() {
      return List.of(name, partitions, replication);
    }
  }

  public static final Setting<String> BOOTSTRAP_SERVERS = Setting.required("bootstrap.servers", "localhost:9092",
      "Kafka cluster to connect to: host:port pairs, comma-separated (Kafka's own key)");
  public static final Setting<String> APPLICATION_ID = Setting.topic("application.id", "jrl",
      "Kafka Streams application id (Kafka's own key); the trainers, serving and replays derive theirs from it");

  public static final TopicKeys REVIEWS = TopicKeys.of("jrl.topic.reviews", "jrl.reviews", "ReviewEvent input topic",
      "");
  public static final TopicKeys RATINGS = TopicKeys.of("jrl.topic.ratings", "jrl.ratings", "RatingEvent input topic",
      "");
  public static final TopicKeys IMAGE_FEATURES = TopicKeys.of("jrl.topic.image.features", "jrl.image-features",
      "ImageFeatureEvent input topic", "");
  public static final TopicKeys DEAD_LETTERS = TopicKeys.of("jrl.topic.dead.letters", "jrl.dead-letters",
      "dead-letter topic: rejected input records with the reason in their headers", "");
  public static final Setting<String> VALIDATED = Setting.topic("jrl.topic.validated", "jrl.validated",
      "validated TrainingEvent topic: written by the trainer in the order its views read them, kept for good; each"
          + " view's event log (restarts, jrl replay and serving read it). One partition");
  public static final Setting<String> EMBEDDINGS_PREFIX = Setting.topic("jrl.topic.embeddings.prefix",
      "jrl.embeddings.", "prefix of the compacted embedding topics: view V publishes to prefix + V");

  public static final Setting<Integer> MAX_TEXT_CHARS = Setting.integer("jrl.max.text.chars", 100_000, 1,
      Integer.MAX_VALUE, "longest accepted review text (summary and text), in chars");
  public static final Setting<Integer> FEATURE_DIM = Setting.integer("jrl.feature.dim", 4096, 1, Integer.MAX_VALUE,
      "length every image feature vector must have (the image extractor's output dimension)");
  public static final Setting<Integer> MAX_ID_BYTES = Setting.integer("jrl.max.id.bytes", 1024, 1,
      Integer.MAX_VALUE, "longest accepted id (event, user, item, model id and version), in UTF-8 bytes");
  public static final Setting<Integer> MAX_HEADER_BYTES = Setting.integer("jrl.max.header.bytes", 16_384, 0,
      Integer.MAX_VALUE, "most bytes of an input record's headers (names and values) that its validated event keeps");
  public static final Setting<Long> MIN_EVENT_TIME_MS = Setting.longValue("jrl.min.event.time.ms", 0L,
      Long.MIN_VALUE, Long.MAX_VALUE, "earliest accepted event time, epoch ms (0: 1970-01-01T00:00:00Z)");
  public static final Setting<Long> MAX_EVENT_TIME_MS = Setting.longValue("jrl.max.event.time.ms", 4_102_444_800_000L,
      Long.MIN_VALUE, Long.MAX_VALUE, "latest accepted event time, epoch ms (default 2100-01-01T00:00:00Z)");
  public static final Setting<Integer> MAX_RECORD_BYTES = Setting.integer("jrl.max.record.bytes", 1_000_000, 1,
      Integer.MAX_VALUE - 4 * Limits.RECORD_OVERHEAD, "largest record the application writes (validated events, dead"
          + " letters); producers get max.request.size and created topics max.message.bytes above it by Kafka's"
          + " overheads");
  public static final Setting<Integer> DEAD_LETTER_VALUE_BYTES = Setting.integer("jrl.dead.letter.value.bytes",
      65_536, 1, Integer.MAX_VALUE, "a dead letter larger than jrl.max.record.bytes keeps this many bytes of its"
          + " value (the original stays in its input topic)");

  /** The cluster and the application id. */
  public static final SettingGroup CLUSTER = SettingGroup.of("Kafka cluster",
      "The cluster and the Kafka Streams application id; security settings are Kafka client properties (below).",
      BOOTSTRAP_SERVERS, APPLICATION_ID);

  /** Every topic of ingestion and training. */
  public static final SettingGroup TOPICS = new SettingGroup("Topics", "Names, and the partitions and replication"
      + " factor a topic is created with when absent (an existing topic is checked, not changed). Replication -1"
      + " takes the broker's default.replication.factor; for exactly-once durability give the cluster"
      + " default.replication.factor=3 and min.insync.replicas=2.",
      concat(REVIEWS.settings(), RATINGS.settings(), IMAGE_FEATURES.settings(), DEAD_LETTERS.settings(),
          List.of(VALIDATED, EMBEDDINGS_PREFIX)));

  /** What ingestion accepts. */
  public static final SettingGroup INPUT_LIMITS = SettingGroup.of("Input limits",
      "Every input record is checked against these before anything is written for it; a record over a limit is"
          + " dead-lettered with its reason.",
      MAX_TEXT_CHARS, FEATURE_DIM, MAX_ID_BYTES, MAX_HEADER_BYTES, MIN_EVENT_TIME_MS, MAX_EVENT_TIME_MS,
      MAX_RECORD_BYTES, DEAD_LETTER_VALUE_BYTES);

  /** The groups of this class: what {@link StreamsSettings#fromProperties} reads. */
  public static final Catalog CATALOG = Catalog.of(CLUSTER, TOPICS, INPUT_LIMITS);

  @SafeVarargs
  private static List<Setting<?>> concat(List<? extends Setting<?>>... lists) {
    List<Setting<?>> out = new ArrayList<>();
    for (List<? extends Setting<?>> l : lists) {
      out.addAll(l);
    }
    return List.copyOf(out);
  }
}
