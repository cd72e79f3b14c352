package io.jrlstream.streams.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every configuration key that {@link StreamsSettings#fromProperties} reads, with its default: the one
 * place where the keys are documented. Any key that is neither one of these nor starts with
 * {@value #PREFIX} is passed through unchanged to the Kafka clients (e.g. {@code security.protocol},
 * {@code sasl.jaas.config}, {@code processing.guarantee}); an unknown {@value #PREFIX} key is an error.
 *
 * <p>Each constant's arguments are its key, its default (null: required) and a one-line description;
 * {@link #describeAll()} prints them all, e.g. for {@code jrl run --help}. Topic keys come in threes:
 * {@code jrl.topic.X} (name), {@code jrl.topic.X.partitions} and {@code jrl.topic.X.replication.factor}
 * (used when the topic is created).
 *
 * <p>Immutable and thread-safe.
 */
public enum SettingKey {
    APPLICATION_ID("application.id", "jrl", "Kafka Streams application id"),
    BOOTSTRAP_SERVERS("bootstrap.servers", null, "Kafka cluster to connect to, e.g. localhost:9092 (required)"),
    TOPIC_REVIEWS("jrl.topic.reviews", "jrl.reviews", "ReviewEvent input topic"),
    TOPIC_REVIEWS_PARTITIONS("jrl.topic.reviews.partitions", "1", "partitions of the reviews topic"),
    TOPIC_REVIEWS_REPLICATION("jrl.topic.reviews.replication.factor", "1", "replication factor of the reviews topic"),
    TOPIC_RATINGS("jrl.topic.ratings", "jrl.ratings", "RatingEvent input topic"),
    TOPIC_RATINGS_PARTITIONS("jrl.topic.ratings.partitions", "1", "partitions of the ratings topic"),
    TOPIC_RATINGS_REPLICATION("jrl.topic.ratings.replication.factor", "1", "replication factor of the ratings topic"),
    TOPIC_IMAGE_FEATURES("jrl.topic.image.features", "jrl.image-features", "ImageFeatureEvent input topic"),
    TOPIC_IMAGE_FEATURES_PARTITIONS("jrl.topic.image.features.partitions", "1",
            "partitions of the image-features topic"),
    TOPIC_IMAGE_FEATURES_REPLICATION("jrl.topic.image.features.replication.factor", "1",
            "replication factor of the image-features topic"),
    TOPIC_DEAD_LETTERS("jrl.topic.dead.letters", "jrl.dead-letters", "dead-letter topic for rejected records"),
    TOPIC_DEAD_LETTERS_PARTITIONS("jrl.topic.dead.letters.partitions", "1", "partitions of the dead-letter topic"),
    TOPIC_DEAD_LETTERS_REPLICATION("jrl.topic.dead.letters.replication.factor", "1",
            "replication factor of the dead-letter topic"),
    TOPIC_VALIDATED("jrl.topic.validated", "jrl.validated",
            "validated TrainingEvent topic: written by the trainer in the order its views read them (jrl replay trains from it) and by the stand-alone ingestion topology"),
    TOPIC_EMBEDDINGS_PREFIX("jrl.topic.embeddings.prefix", "jrl.embeddings.",
            "prefix of the embedding topics; view V publishes to prefix + V"),
    MAX_TEXT_CHARS("jrl.max.text.chars", "100000", "longest accepted review text, in chars"),
    FEATURE_DIM("jrl.feature.dim", "4096", "expected image feature dimension"),
    VIEWS("jrl.views", "collaborative,review,rating", "views to train, comma-separated (collaborative, review, rating, image)"),
    BATCH_SIZE("jrl.batch.size", "64", "positive interactions per mini-batch"),
    CHECKPOINT_BATCHES("jrl.checkpoint.batches", "500",
            "mini-batches between checkpoints of a view's parameter rows; a restart re-trains at most this many"),
    SEED("jrl.seed", "1", "run seed: every random draw derives from it, the view and the event's position"),
    ROCKSDB_CACHE_BYTES("jrl.rocksdb.cache.bytes", "268435456",
            "RocksDB memory bound of the process: shared block cache including memtables"),
    ROCKSDB_WRITE_BUFFER_BYTES("jrl.rocksdb.write.buffer.bytes", "67108864",
            "part of the RocksDB bound that memtables may take"),
    // jrl import (issue 6): progress markers, committed in the same transaction as the events they cover.
    TOPIC_IMPORTS("jrl.topic.imports", "jrl.imports",
            "compacted topic of jrl import's progress markers (source fingerprint -> lines done)"),
    IMPORT_CHUNK_LINES("jrl.import.chunk.lines", "5000",
            "lines (records) jrl import commits per transaction, together with its progress marker"),
    // jrl replay (issue 6): each view's versions and the one serving uses.
    TOPIC_VIEW_VERSIONS("jrl.topic.view.versions", "jrl.view-versions",
            "compacted control topic of jrl replay: per view its versions, whether each caught up, the active one");

    /** Keys starting with this belong to this application; an unknown one is rejected. */
    public static final String PREFIX = "jrl.";

    private static final List<SettingKey> ALL = List.of(values());

    private final String key;
    private final String defaultValue;
    private final String description;

    SettingKey(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** @return the property name, e.g. {@code jrl.topic.reviews} */
    public String key() {
        return key;
    }

    /** @return the default as written in a properties file, or empty when the key is required */
    public Optional<String> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** @return one line saying what the key sets */
    public String description() {
        return description;
    }

    /**
     * @param key a property name
     * @return the setting with that name, or empty when it is not one of these keys
     */
    public static Optional<SettingKey> forKey(String key) {
        return ALL.stream().filter(k -> k.key.equals(key)).findFirst();
    }

    /** @return every key, one per line with its default and description, e.g. for command-line help */
    public static String describeAll() {
        StringBuilder sb = new StringBuilder();
        Arrays.stream(values()).forEach(k -> sb.append(k.key).append(" = ")
                .append(k.defaultValue == null ? "(required)" : k.defaultValue)
                .append("  # ").append(k.description).append('\n'));
        return sb.toString();
    }
}
