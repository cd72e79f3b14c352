package io.jrlstream.core.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.StreamOrder;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.view.ModelConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrequentialTest {
  private static final Experiment.Progress QUIET = Experiment.Progress.NONE;

  private static final ModelConfig SMALL = ModelConfig.defaults().mapViews(v -> v.withDim(8));

  /**
   * Users a–d, items p, q, r (numbered p = 0, q = 1, r = 2 by first appearance). Input order is scrambled; the
   * times give the stream order e0..e10 listed in the comments.
   */
  private static Dataset tiny() {
    Dataset.Builder b = new Dataset.Builder("tiny");
    b.add("c", "r", 4f, null, 107); // e7: c had q, p: only r left: rank 1
    b.add("a", "p", 4f, null, 100); // e0: a's first event: cold user
    b.add("b", "p", 4f, null, 101); // e1: cold user
    b.add("c", "q", 4f, null, 102); // e2: cold user
    b.add("a", "q", 4f, null, 103); // e3: a had p: only q left: rank 1
    b.add("d", "p", 4f, null, 104); // e4: cold user
    b.add("b", "r", 4f, null, 105); // e5: r is new: a miss
    b.add("c", "p", 4f, null, 106); // e6: c had q: p (3 events) before r (1): rank 1
    b.add("d", "r", 4f, null, 108); // e8: d had p: q and r have 2 events each; q has the lower index: r rank 2
    b.add("a", "p", 4f, null, 109); // e9: a had p: a repeat, skipped
    b.add("b", "q", 4f, null, 110); // e10: b had p, r: only q left: rank 1
    return b.build();
  }

  private static Prequential.Result run(Dataset d, Prequential.Options o, List<String> models) {
    return new Prequential(d, SMALL, o, QUIET).run(models, List.of(1L)).get(0);
  }

  @Test
  void shouldRankATinyStreamAsWorkedOutByHand() {
    Prequential.Options o = Prequential.Options.defaults().withWindow(4).withWarmUp(0).withHalfLife(1);
    Prequential.Result r = run(tiny(), o, List.of("pop", "recent-pop", "bpr"));
    assertEquals(StreamOrder.Kind.EVENT_TIME, r.order());
    assertEquals(11, r.events());
    assertEquals(11, r.measured());
    assertEquals(4, r.coldUsers());
    assertEquals(1, r.repeats());
    assertEquals(1, r.newItems());
    Prequential.ModelResult pop = r.models().get(0);
    assertEquals(6, pop.ranked());
    assertEquals(5, pop.hits());
    assertEquals(4 + 1 / log2(3), pop.ndcgSum(), 1e-12);
    // Recency, half-life 1 event: at e6, r (e5) outweighs p (e0, e1, e4): p ranks 2nd; at e8, r (e5, e7)
    // outweighs q (e2, e3): r ranks 1st. Same totals as pop, other windows.
    Prequential.ModelResult recent = r.models().get(1);
    assertEquals(5, recent.hits());
    assertEquals(4 + 1 / log2(3), recent.ndcgSum(), 1e-12);
    assertArrayEquals(new double[] {1, (1 + 1 / log2(3)) / 3, 1}, recent.windowNdcg(), 1e-12);
    // Every model ranks the same events.
    assertEquals(6, r.models().get(2).ranked());
    // Windows [0,4) [4,8) [8,11): pop ranked e3 | e5 e6 e7 | e8 e10.
    assertArrayEquals(new long[] {1, 3, 2}, pop.windowRanked());
    assertArrayEquals(new double[] {1, 2.0 / 3, 1}, pop.windowHitRate(), 1e-12);
    assertArrayEquals(new double[] {1, 2.0 / 3, (1 + 1 / log2(3)) / 2}, pop.windowNdcg(), 1e-12);
    assertArrayEquals(new long[] {0, 4, 8}, r.windowStart());
    assertEquals(3, r.loss().get("collaborative").length);
  }

  @Test
  void shouldLeaveTheWarmUpOutOfTheTotalsButNotOutOfTheWindows() {
    Prequential.Options o = Prequential.Options.defaults().withWindow(4).withWarmUp(4);
    Prequential.Result r = run(tiny(), o, List.of("pop"));
    Prequential.ModelResult pop = r.models().get(0);
    assertEquals(5, pop.ranked(), "e5 e6 e7 e8 e10");
    assertEquals(4, pop.hits());
    assertEquals(7, r.measured());
    assertEquals(1, r.coldUsers(), "e4");
    assertArrayEquals(new long[] {1, 3, 2}, pop.windowRanked());
  }

  @Test
  void shouldSampleEveryKthEventOnly() {
    Prequential.Options o = Prequential.Options.defaults().withWindow(4).withWarmUp(0).withSampleEvery(2);
    Prequential.Result r = run(tiny(), o, List.of("pop"));
    // Sampled e0 e2 e4 e6 e8 e10: three cold users, e6 e8 e10 ranked (hits: e6, e8 at rank 2, e10).
    assertEquals(6, r.measured());
    assertEquals(3, r.coldUsers());
    assertEquals(3, r.models().get(0).ranked());
    assertEquals(3, r.models().get(0).hits());
  }

  @Test
  void shouldRunEveryModelOnTheSameEventsAndRepeatBitForBit() {
    Dataset d = SyntheticData.generate(SyntheticSpec.defaults().withUsers(60).withWordsPerReview(5), 4);
    Prequential.Options o = Prequential.Options.defaults().withWindow(200);
    List<String> models = List.of("pop", "recent-pop", "bpr", "review", "rating", "ejrl");
    Prequential.Result a = run(d, o, models);
    Prequential.Result b = run(d, o, models);
    assertEquals(1200, a.events());
    assertEquals(120, a.warmUp(), "10 % by default");
    assertEquals(6, a.windowStart().length);
    long ranked = a.models().get(0).ranked();
    assertTrue(ranked > 900, "ranked " + ranked);
    for (int i = 0; i < models.size(); i++) {
      assertEquals(models.get(i), a.models().get(i).model());
      assertEquals(ranked, a.models().get(i).ranked(), models.get(i));
      assertEquals(a.models().get(i).ndcgSum(), b.models().get(i).ndcgSum(), models.get(i));
      assertArrayEquals(a.models().get(i).windowNdcg(), b.models().get(i).windowNdcg(), models.get(i));
    }
    assertEquals(6, a.ejrlWeights().size());
    assertEquals(List.of("collaborative", "review", "rating"), List.copyOf(a.ejrlWeights().get(0).keySet()));
    assertEquals(List.of(1.0, 1.0, 1.0), List.copyOf(a.ejrlWeights().get(0).values()), "equal weights at first");
    assertTrue(a.models().get(0).ndcg() > 0.02, "popularity finds the planted head: " + a.models().get(0).ndcg());
    for (String view : List.of("collaborative", "review", "rating")) {
      assertTrue(a.eventsPerSecond().get(view)[0] > 0, view);
      assertTrue(Double.isFinite(a.loss().get(view)[5]), view);
    }
  }

  @Test
  void shouldRefuseUnknownModelsAndModelsWithoutData() {
    Dataset d = tiny();
    Prequential p = new Prequential(d, SMALL, Prequential.Options.defaults(), QUIET);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.check(List.of("jrl")));
    assertTrue(e.getMessage().contains("unknown model 'jrl'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> p.check(List.of("pop", "review")));
    assertTrue(e.getMessage().contains("needs review texts"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Prequential.Options.defaults().withSampleEvery(0));
    assertThrows(IllegalArgumentException.class, () -> Prequential.Options.defaults().withHalfLife(0));
  }

  @Test
  void shouldOfferOneArmPerGridPointWithEqualWeightsFirst() {
    double[][] arms = PrequentialEnsemble.arms(List.of("collaborative", "review", "rating"));
    assertEquals(16, arms.length);
    assertArrayEquals(new double[] {1, 1, 1}, arms[0]);
    for (double[] a : arms) {
      assertEquals(1.0, a[0], "the collaborative weight is fixed");
    }
    assertEquals(1, PrequentialEnsemble.arms(List.of("collaborative")).length);
    assertEquals(4, PrequentialEnsemble.arms(List.of("review", "rating")).length);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
