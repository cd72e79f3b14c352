package io.jrlstream.streams.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.serve.ItemIndex;
import io.jrlstream.core.serve.Popularity;
import io.jrlstream.core.serve.Query;
import io.jrlstream.core.serve.Recommendations;
import io.jrlstream.core.serve.Recommender;
import io.jrlstream.core.serve.ServeException;
import io.jrlstream.core.serve.UserProfile;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.EntityKind;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving topology in a {@link TopologyTestDriver}: embedding records and interactions in, and the
 * recommender over what the stores and the index hold answers with the right items, scores and exclusions.
 */
class ServeTopologyTest {
  private static final List<String> VIEWS = List.of("review", "rating");
  private static final long NOW = 1_000_000L;

  @TempDir
  Path stateDir;

  private final StreamsSettings settings = StreamsSettings.defaults("unused:9092");
  private final ViewTopics topics = ViewTopics.of(settings);
  private final ServeSettings serve = ServeSettings.defaults(VIEWS).withPartitions(3);

  private Properties props() {
    Properties p = ServeTopology.streamsDefaults();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, topics.serveApplicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    return p;
  }

  private static EmbeddingRecord vector(String view, EntityKind kind, String id, long time, float... v) {
    List<Float> floats = new ArrayList<>();
    for (float f : v) {
      floats.add(f);
    }
    return EmbeddingRecord.newBuilder().setViewName(view).setKind(kind).setEntityId(id).setVector(floats)
        .setUpdateCount(7).setEventTime(Instant.ofEpochMilli(time)).build();
  }

  private static TrainingEvent interaction(String user, String item, TrainingEventKind kind) {
    return TrainingEvent.newBuilder().setEventId(user + item).setEventTime(Instant.ofEpochMilli(1)).setKind(kind)
        .setUserId(kind == TrainingEventKind.FEATURES ? null : user).setItemId(item)
        .setStars(kind == TrainingEventKind.RATING ? 4f : null).setSourceTopic("t").setSourcePartition(0)
        .setSourceOffset(0).build();
  }

  @Test
  void shouldServeEjrlScoresFromTheMaterialisedVectorsExcludingInteractedItems() {
    ItemIndex index = new ItemIndex(VIEWS);
    Popularity popularity = new Popularity();
    AvroSerde<EmbeddingRecord> emb = AvroSerde.of(EmbeddingRecord.class);
    try (TopologyTestDriver driver = new TopologyTestDriver(ServeTopology.build(topics, serve, index, popularity),
        props())) {
      TestInputTopic<String, EmbeddingRecord> review = driver.createInputTopic(topics.embeddingsTopic("review"),
          new StringSerializer(), emb.serializer());
      TestInputTopic<String, EmbeddingRecord> rating = driver.createInputTopic(topics.embeddingsTopic("rating"),
          new StringSerializer(), emb.serializer());
      TestInputTopic<String, TrainingEvent> validated = driver.createInputTopic(settings.validatedTopic(),
          new StringSerializer(), AvroSerde.of(TrainingEvent.class).serializer());
      review.pipeInput(EmbeddingKey.item("a").toString(), vector("review", EntityKind.ITEM, "a", 10, 1, 0));
      review.pipeInput(EmbeddingKey.item("b").toString(), vector("review", EntityKind.ITEM, "b", 20, 0, 1));
      review.pipeInput(EmbeddingKey.item("c").toString(), vector("review", EntityKind.ITEM, "c", 30, 2, 2));
      // wrong length
      review.pipeInput(EmbeddingKey.item("bad").toString(), vector("review", EntityKind.ITEM, "bad", 30, 1, 1, 1));
      review.pipeInput(EmbeddingKey.user("u").toString(), vector("review", EntityKind.USER, "u", 900, 1, 0.5f));
      rating.pipeInput(EmbeddingKey.item("a").toString(), vector("rating", EntityKind.ITEM, "a", 10, 3));
      rating.pipeInput(EmbeddingKey.item("b").toString(), vector("rating", EntityKind.ITEM, "b", 10, -1));
      rating.pipeInput(EmbeddingKey.user("u").toString(), vector("rating", EntityKind.USER, "u", 950, 1));
      validated.pipeInput("u", interaction("u", "c", TrainingEventKind.REVIEW));
      validated.pipeInput("u", interaction("u", "c", TrainingEventKind.RATING)); // counted once
      validated.pipeInput("v", interaction("v", "b", TrainingEventKind.RATING));
      validated.pipeInput("a", interaction(null, "a", TrainingEventKind.FEATURES)); // not an interaction

      assertEquals(3, index.stats(0).items());
      assertEquals(2, index.stats(1).items());
      Recommender r = new Recommender(index, popularity, "test:1", Clock.fixed(Instant.ofEpochMilli(NOW),
          ZoneOffset.UTC));
      UserProfile u = profile(driver, "u");
      assertEquals(List.of("c"), u.interacted());
      Recommendations rec = r.recommend("u", u, Query.of(5, null, List.of(1.0, 0.5), serve));
      assertEquals(Recommendations.PERSONAL, rec.kind());
      // a: 1·(1·1 + 0.5·0) + 0.5·(1·3) = 2.5; b: 1·0.5 + 0.5·(−1) = 0; c excluded (interacted).
      assertEquals(List.of("a", "b"), rec.items().stream().map(Recommendations.ScoredItem::item).toList());
      assertEquals(2.5, rec.items().get(0).score(), 1e-6);
      assertEquals(Map.of("review", 1.0, "rating", 1.5), rec.items().get(0).contributions());
      assertEquals(NOW - 900, rec.views().get("review").ageMs());
      assertEquals(7L, rec.views().get("rating").version());

      // A tombstone removes b's review vector; its rating vector still counts.
      review.pipeInput(EmbeddingKey.item("b").toString(), (EmbeddingRecord) null);
      Recommendations after = r.recommend("u", profile(driver, "u"), Query.of(5, List.of("review"), null, serve));
      assertEquals(List.of("a"), after.items().stream().map(Recommendations.ScoredItem::item).toList());

      // A user without vectors gets the popular items, flagged so.
      Recommendations unknown = r.recommend("nobody", profile(driver, "nobody"), Query.of(5, null, null, serve));
      assertEquals(Recommendations.POPULAR, unknown.kind());
      assertEquals(List.of("b", "c"), unknown.items().stream().map(Recommendations.ScoredItem::item).toList());
    }
  }

  @Test
  void shouldSkipUndecodableEmbeddingRecordsAndKeepServing() {
    ItemIndex index = new ItemIndex(VIEWS);
    try (TopologyTestDriver driver = new TopologyTestDriver(ServeTopology.build(topics, serve, index,
        new Popularity()), props())) {
      TestInputTopic<String, byte[]> raw = driver.createInputTopic(topics.embeddingsTopic("review"),
          new StringSerializer(), new ByteArraySerializer());
      raw.pipeInput(EmbeddingKey.item("x").toString(), new byte[] {1, 2, 3});
      raw.pipeInput(EmbeddingKey.item("a").toString(), AvroSerde.of(EmbeddingRecord.class).serializer().serialize("t",
          vector("review", EntityKind.ITEM, "a", 10, 1, 0)));
      assertEquals(1, index.stats(0).items());
      assertTrue(index.vector(0, "x") == null);
    }
  }

  @Test
  void shouldServeAViewsActiveVersionFromItsOwnTopicStoresAndItemsTopic() {
    ViewTopics v1 = topics.withVersion("review", 1, "jrl.embeddings.v1.review");
    assertEquals(1, v1.version("review"));
    assertEquals(0, v1.version("rating"));
    assertEquals("jrl.embeddings.v1.review", v1.embeddingsTopic("review"));
    assertEquals(topics.embeddingsTopic("rating"), v1.embeddingsTopic("rating"));
    assertEquals("jrl-serve-users-review-v1", v1.userStore("review"));
    assertEquals("jrl-serve-items-review-v1", v1.itemStore("review"));
    assertEquals(topics.itemsTopic("review") + "-v1", v1.itemsTopic("review"));
    assertEquals(topics.serveApplicationId() + "-jrl-serve-users-review-v1-repartition",
        v1.userRepartitionTopic("review"));
    assertEquals(topics.userStore("rating"), v1.userStore("rating"));
    assertEquals(topics, v1.withVersion("review", 0, null), "version 0 is the live mapping again");
    assertThrows(IllegalArgumentException.class, () -> topics.withVersion("review", -1, "t"));

    ItemIndex index = new ItemIndex(VIEWS);
    AvroSerde<EmbeddingRecord> emb = AvroSerde.of(EmbeddingRecord.class);
    try (TopologyTestDriver driver = new TopologyTestDriver(ServeTopology.build(v1, serve, index, new Popularity()),
        props())) {
      // The live topic is not read for a view served at version 1: its vectors never meet version 1's.
      assertThrows(IllegalArgumentException.class, () -> driver.createInputTopic(topics.embeddingsTopic("review"),
          new StringSerializer(), emb.serializer())
          .pipeInput(EmbeddingKey.item("a").toString(), vector("review", EntityKind.ITEM, "a", 1, 9, 9)));
      TestInputTopic<String, EmbeddingRecord> review = driver.createInputTopic("jrl.embeddings.v1.review",
          new StringSerializer(), emb.serializer());
      review.pipeInput(EmbeddingKey.item("a").toString(), vector("review", EntityKind.ITEM, "a", 10, 1, 2));
      review.pipeInput(EmbeddingKey.user("u").toString(), vector("review", EntityKind.USER, "u", 10, 3, 4));
      assertEquals(1, index.stats(0).items());
      assertEquals(List.of(1f, 2f), driver.<String, EmbeddingRecord>getKeyValueStore("jrl-serve-items-review-v1")
          .get(EmbeddingKey.item("a").toString()).getVector());
      assertEquals(List.of(3f, 4f), driver.<String, EmbeddingRecord>getKeyValueStore("jrl-serve-users-review-v1")
          .get("u").getVector());
      assertNull(driver.getKeyValueStore("jrl-serve-users-review"), "no store of version 0 for the review view");
      UserProfile u = profile(driver, v1, "u");
      Recommendations rec = new Recommender(index, new Popularity(), "test:1", Clock.systemUTC())
          .recommend("u", u, Query.of(5, List.of("review"), null, serve)).withViewVersions(v1::version);
      assertEquals(11.0, rec.items().get(0).score(), 1e-6);
      assertEquals(1, rec.views().get("review").viewVersion());
    }
  }

  @Test
  void shouldRejectAnIndexOverOtherViewsAndBadQueries() {
    assertThrows(IllegalArgumentException.class, () -> ServeTopology.build(topics, serve,
        new ItemIndex(List.of("review")), new Popularity()));
    assertThrows(ServeException.InvalidQuery.class, () -> Query.of(0, null, null, serve));
    assertThrows(ServeException.InvalidQuery.class, () -> Query.of(5, List.of("image"), null, serve));
    assertThrows(ServeException.InvalidQuery.class, () -> Query.of(5, List.of("review"), List.of(1.0, 2.0), serve));
    assertThrows(ServeException.InvalidQuery.class, () -> Query.of(5, null, List.of(1.0, Double.NaN), serve));
    assertThrows(IllegalArgumentException.class, () -> ServeSettings.fromProperties(props("jrl.serve.weights",
        "image=2"), VIEWS));
    assertThrows(IllegalArgumentException.class, () -> ServeSettings.fromProperties(props("jrl.serve.weights",
        "review:2"), VIEWS));
    assertEquals(0.5, ServeSettings.fromProperties(props("jrl.serve.weights", "rating=0.5"), VIEWS).weights()
        .get("rating"));
    assertFalse(ServeSettings.defaults(VIEWS).weights().isEmpty());
  }

  private static Properties props(String k, String v) {
    Properties p = new Properties();
    p.setProperty(k, v);
    return p;
  }

  private UserProfile profile(TopologyTestDriver driver, String user) {
    return profile(driver, topics, user);
  }

  private static UserProfile profile(TopologyTestDriver driver, ViewTopics topics, String user) {
    Map<String, UserProfile.UserVector> vectors = new HashMap<>();
    for (String view : VIEWS) {
      KeyValueStore<String, EmbeddingRecord> s = driver.getKeyValueStore(topics.userStore(view));
      EmbeddingRecord r = s.get(user);
      if (r != null) {
        vectors.put(view, ServeTopology.userVector(r));
      }
    }
    KeyValueStore<String, byte[]> items = driver.getKeyValueStore(ServeTopology.INTERACTIONS_STORE);
    assertNull(items.get("a"));
    return new UserProfile(vectors, ItemIdList.decode(items.get(user)));
  }
}
