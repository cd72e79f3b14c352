package io.jrlstream.core.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The serving core answers without Kafka: eJRL scores with per-view contributions and exclusions, the popular
 * fallback, similar items, query validation against the serving settings, and the in-process query service.
 */
class RecommenderTest {
  private static final long NOW = 10_000;
  private static final List<String> VIEWS = List.of("review", "rating");

  private record Settings(List<String> views, Map<String, Double> weights, int maxN) implements QuerySettings {}

  private static final QuerySettings SETTINGS = new Settings(VIEWS, Map.of("review", 1.0, "rating", 2.0), 20);

  private static ItemIndex index() {
    ItemIndex index = new ItemIndex(VIEWS);
    index.upsert(0, "a", new float[] {1, 0}, 1);
    index.upsert(0, "b", new float[] {0, 1}, 2);
    index.upsert(0, "c", new float[] {2, 2}, 3);
    index.upsert(1, "a", new float[] {3}, 1);
    index.upsert(1, "b", new float[] {-1}, 1);
    index.markInitialised(0);
    return index;
  }

  private static UserProfile user() {
    return new UserProfile(Map.of("review", new UserProfile.UserVector(new float[] {1, 0.5f}, 7, 900),
        "rating", new UserProfile.UserVector(new float[] {1}, 8, 950)), List.of("c"));
  }

  private static List<String> items(List<Recommendations.ScoredItem> scored) {
    return scored.stream().map(Recommendations.ScoredItem::item).toList();
  }

  @Test
  void shouldRecommendByWeightedScoresExcludingInteractedItems() {
    Popularity popularity = new Popularity();
    Recommender r = new Recommender(index(), popularity, "here:1", Clock.fixed(Instant.ofEpochMilli(NOW),
        ZoneOffset.UTC));
    Recommendations rec = r.recommend("u", user(), Query.of(5, null, List.of(1.0, 0.5), SETTINGS));
    assertEquals(Recommendations.PERSONAL, rec.kind());
    // a: 1·(1·1 + 0.5·0) + 0.5·(1·3) = 2.5; b: 1·0.5 + 0.5·(−1) = 0; c excluded (interacted).
    assertEquals(List.of("a", "b"), items(rec.items()));
    assertEquals(2.5, rec.items().get(0).score(), 1e-6);
    assertEquals(Map.of("review", 1.0, "rating", 1.5), rec.items().get(0).contributions());
    assertEquals(NOW - 900, rec.views().get("review").ageMs());
    assertEquals(8L, rec.views().get("rating").version());
    assertEquals("here:1", rec.servedBy());

    // Default weights come from the settings: a = 1 + 2·3 = 7, b = 0.5 − 2 = −1.5.
    Recommendations byDefault = r.recommend("u", user(), Query.of(null, null, null, SETTINGS));
    assertEquals(7.0, byDefault.items().get(0).score(), 1e-6);
    assertEquals(-1.5, byDefault.items().get(1).score(), 1e-6);
  }

  @Test
  void shouldAnswerUnknownUsersWithThePopularItemsFlaggedSo() {
    Popularity popularity = new Popularity();
    popularity.add(0, "b");
    popularity.add(1, "b");
    popularity.add(0, "a");
    popularity.add(1, "c");
    Recommender r = new Recommender(index(), popularity, "here:1", Clock.systemUTC());
    Recommendations rec = r.recommend("nobody", UserProfile.unknown(), Query.of(2, null, null, SETTINGS));
    assertEquals(Recommendations.POPULAR, rec.kind());
    assertEquals(List.of("b", "a"), items(rec.items()), "more interactions first, ties by id");
    assertEquals(2.0, rec.items().get(0).score());
    assertTrue(rec.items().get(0).contributions().isEmpty());
    assertFalse(rec.views().get("review").userVector());

    popularity.clear(1); // partition 1 moved away: its counts go with it
    assertEquals(List.of(new Popularity.Count("a", 1), new Popularity.Count("b", 1)),
        popularity.top(5, List.of()));
  }

  @Test
  void shouldFindSimilarItemsAndRefuseAnItemWithoutVectors() {
    Recommender r = new Recommender(index(), new Popularity(), "here:1", Clock.systemUTC());
    SimilarItems similar = r.similar("a", Query.of(5, List.of("review"), null, SETTINGS));
    // against a's review vector (1, 0): c = 2, b = 0; never a itself
    assertEquals(List.of("c", "b"), items(similar.items()));
    assertTrue(similar.views().get("review").itemVector());
    assertThrows(ServeException.NotFound.class, () -> r.similar("nope", Query.of(5, null, null, SETTINGS)));
  }

  @Test
  void shouldRejectBadQueriesNamingTheParameter() {
    assertTrue(assertThrows(ServeException.InvalidQuery.class, () -> Query.of(0, null, null, SETTINGS))
        .getMessage().contains("n must be between 1 and 20"));
    assertThrows(ServeException.InvalidQuery.class, () -> Query.of(21, null, null, SETTINGS));
    assertTrue(assertThrows(ServeException.InvalidQuery.class, () -> Query.of(5, List.of("image"), null,
        SETTINGS)).getMessage().contains("'image' is not served"));
    assertThrows(ServeException.InvalidQuery.class, () -> Query.of(5, List.of(), null, SETTINGS));
    assertThrows(ServeException.InvalidQuery.class, () -> Query.of(5, List.of("review", "review"), null,
        SETTINGS));
    assertThrows(ServeException.InvalidQuery.class, () -> Query.of(5, List.of("review"), List.of(1.0, 2.0),
        SETTINGS));
    assertThrows(ServeException.InvalidQuery.class, () -> Query.of(5, null, List.of(1.0, Double.NaN),
        SETTINGS));
    Query q = Query.of(null, List.of("rating"), null, SETTINGS);
    assertEquals(new Query(10, List.of("rating"), List.of(2.0)), q);
  }

  @Test
  void shouldAnswerLocallyAndBeReadyOnlyOnceEveryViewIsLoaded() {
    ItemIndex index = index();
    Map<String, UserProfile> users = new LinkedHashMap<>(Map.of("u", user()));
    LocalQueryService service = new LocalQueryService(SETTINGS, new Recommender(index, new Popularity(), "here:1",
        Clock.systemUTC()), id -> users.getOrDefault(id, UserProfile.unknown()));
    assertEquals(List.of("a", "b"), items(service.recommend("u", Query.of(5, null, null, SETTINGS), false).items()));
    QueryService.Readiness notYet = service.readiness();
    assertFalse(notYet.ready());
    assertEquals(3, notYet.views().get("review").items());
    index.markInitialised(1);
    assertTrue(service.readiness().ready());
    assertEquals("LOCAL", service.readiness().state());
  }
}
