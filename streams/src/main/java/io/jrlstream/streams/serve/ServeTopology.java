package io.jrlstream.streams.serve;

import io.jrlstream.core.serve.ItemIndex;
import io.jrlstream.core.serve.Popularity;
import io.jrlstream.core.serve.UserProfile;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.streams.serde.AvroSerde;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The serving topology (DESIGN.md §2 "Serving"): materialises the embedding topics of the served views and
 * the users' interactions for top-N queries.
 * <ul>
 *   <li>User vectors ({@code USER:<id>}) are re-keyed by user id and repartitioned into
 *       {@code partitions} partitions, into one partitioned store per view ({@link ViewTopics#userStore}, named
 *       per served version).
 *   <li>Interactions (review and rating events of the validated topic) are repartitioned the same way into
 *       the {@value #INTERACTIONS_STORE} store (each user's items, excluded from answers) and counted in
 *       {@link Popularity}. Every user-side processor is connected to every user-side store, which puts them
 *       in one sub-topology: a user's vectors and interactions live in the same task, on the same instance.
 *   <li>Item vectors ({@code ITEM:<id>}) are routed to the serving application's items topic
 *       ({@link ViewTopics#itemsTopic}), read back by every instance into a global store per view and kept
 *       in the {@link ItemIndex} by an {@link ItemVectorProcessor}.
 * </ul>
 * The embedding topics' values go through {@link AvroSerde} (the schemas module's codec), keys are the
 * trainer's {@code USER:<id>} / {@code ITEM:<id>}.
 *
 * <p>A pure function of its arguments: nothing here creates a {@code KafkaStreams}; the index and the
 * popularity counts passed in are the objects the topology's processors update, and the query service reads.
 */
public final class ServeTopology {
  /** The partitioned store of each user's interacted items. */
  public static final String INTERACTIONS_STORE = "jrl-serve-interactions";

  private ServeTopology() {}

  /**
   * The serving topology for the served views of {@code serve}.
   *
   * @param topics where each view's vectors come from, and the serving topics' names
   * @param serve served views, partitions, history cap
   * @param index receives the item vectors (its views must be the served views)
   * @param popularity receives interaction counts
   */
  public static Topology build(ViewTopics topics, ServeSettings serve, ItemIndex index, Popularity popularity) {
    if (!index.views().equals(serve.views())) {
      throw new IllegalArgumentException("index serves " + index.views() + ", settings " + serve.views());
    }
    AvroSerde<EmbeddingRecord> embeddings = AvroSerde.of(EmbeddingRecord.class);
    AvroSerde<TrainingEvent> events = AvroSerde.of(TrainingEvent.class);
    StreamsBuilder b = new StreamsBuilder();
    List<String> userStores = new ArrayList<>();
    for (String view : serve.views()) {
      userStores.add(topics.userStore(view));
      b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(topics.userStore(view)),
          Serdes.String(), embeddings));
    }
    userStores.add(INTERACTIONS_STORE);
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(INTERACTIONS_STORE),
        Serdes.String(), Serdes.ByteArray()));
    String[] stores = userStores.toArray(new String[0]);

    for (String view : serve.views()) {
      KStream<String, EmbeddingRecord> all = b.stream(topics.embeddingsTopic(view),
          Consumed.with(Serdes.String(), embeddings).withName("jrl-serve-source-" + view));
      all.filter((key, r) -> EmbeddingKey.isItem(key), Named.as("jrl-serve-items-" + view))
          .to(topics.itemsTopic(view), Produced.with(Serdes.String(), embeddings)
              .withName("jrl-serve-items-sink-" + view));
      all.filter((key, r) -> EmbeddingKey.isUser(key), Named.as("jrl-serve-users-" + view))
          .selectKey((key, r) -> EmbeddingKey.entityId(key), Named.as("jrl-serve-user-key-" + view))
          .repartition(Repartitioned.<String, EmbeddingRecord>as(topics.userRepartition(view))
              .withKeySerde(Serdes.String()).withValueSerde(embeddings).withNumberOfPartitions(serve.partitions()))
          .process(() -> new UserVectorProcessor(topics.userStore(view)), Named.as("jrl-serve-user-store-" + view),
              stores);
      b.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(topics.itemStore(view)),
          Serdes.String(), embeddings).withLoggingDisabled(), topics.itemsTopic(view),
          Consumed.with(Serdes.String(), embeddings).withName("jrl-serve-items-source-" + view),
          () -> new ItemVectorProcessor(view, topics.itemStore(view), index));
    }
    b.stream(topics.settings().validatedTopic(), Consumed.with(Serdes.String(), events)
            .withName("jrl-serve-interactions-source"))
        .filter((key, e) -> isInteraction(e), Named.as("jrl-serve-interactions"))
        .selectKey((key, e) -> e.getUserId(), Named.as("jrl-serve-interaction-key"))
        .repartition(Repartitioned.<String, TrainingEvent>as("jrl-serve-interactions")
            .withKeySerde(Serdes.String()).withValueSerde(events).withNumberOfPartitions(serve.partitions()))
        .process(() -> new InteractionProcessor(popularity, serve.historyCap()),
            Named.as("jrl-serve-interaction-store"), stores);
    return b.build();
  }

  /** Whether a validated event is a user's interaction with an item (reviews and ratings). */
  static boolean isInteraction(TrainingEvent e) {
    return e != null && e.getUserId() != null
        && (e.getKind() == TrainingEventKind.REVIEW || e.getKind() == TrainingEventKind.RATING);
  }

  /** A user's stored vector record as the recommender takes it. */
  static UserProfile.UserVector userVector(EmbeddingRecord r) {
    return new UserProfile.UserVector(floats(r), r.getUpdateCount(), r.getEventTime().toEpochMilli());
  }

  /**
   * The Kafka Streams properties the serving topology needs (the caller adds application id, bootstrap
   * servers, state dir and {@code application.server}): at-least-once (serving state is idempotent: the
   * latest vector per key, a set of items per user), reading only committed vectors of the exactly-once
   * trainers, a short commit interval and no producer linger for freshness, and undecodable records
   * skipped with a log line instead of stopping serving.
   */
  public static Properties streamsDefaults() {
    Properties p = new Properties();
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        StreamsConfig.AT_LEAST_ONCE);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
    p.put(StreamsConfig.producerPrefix(
        ProducerConfig.LINGER_MS_CONFIG), "0");
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        LogAndContinueExceptionHandler.class.getName());
    return p;
  }

  /** The record's vector as a float array. */
  static float[] floats(EmbeddingRecord r) {
    List<Float> v = r.getVector();
    float[] out = new float[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }
}
