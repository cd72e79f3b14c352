package io.jrlstream.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.Split;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.math.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
  private static Interaction x(int user, int item) {
    return new Interaction(user, item, Float.NaN, -1, 0);
  }

  /** Scores read from a table: row = user. */
  private static Scorer table(float[][] rows) {
    return (user, out) -> System.arraycopy(rows[user], 0, out, 0, out.length);
  }

  @Test
  void shouldComputeThePapersMetricsOnAHandWorkedExample() {
    // 6 items, k = 3.
    List<Interaction> train = List.of(x(0, 0), x(1, 2), x(1, 3), x(2, 1), x(3, 4));
    // User 0 has item 3 twice in test: it counts once. Item 5 occurs only in test. User 3 has no test.
    List<Interaction> test = List.of(x(0, 1), x(0, 3), x(0, 3), x(1, 0), x(2, 5));
    Scorer s = table(new float[][] {
        {9, 5, 8, 1, 7, 0}, // ranks 2, 4, 1 (0 is trained): hit at rank 3
        {3, 3, 9, 9, 3, 1}, // 2, 3 trained; tie 3,3,3 -> 0, 1, 4: hit at rank 1
        {0, 0, 0, 0, 0, 0}, // 1 trained; all tie -> 0, 2, 3: item 5 missed
        {0, 0, 0, 0, 0, 0}});
    // User 0: hits 1 of |{1,3}| = 2. DCG = 1/log2(4) = 0.5. IDCG = 1 + 1/log2(3) = 1.63093.
    //   NDCG = 0.5 / 1.63093 = 0.30657, recall 1/2, precision 1/3, hit 1.
    // User 1: hit at rank 1 of 1 test item: NDCG 1, recall 1, precision 1/3, hit 1.
    // User 2: nothing: all 0.
    // Means over 3 users: NDCG (0.30657 + 1) / 3 = 0.43552, recall 1.5 / 3 = 0.5,
    //   precision (2/3) / 3 = 0.22222, hit 2/3 = 0.66667.
    Metrics m = Evaluator.evaluate(s, train, test, 6, 3, 1);
    assertEquals(3, m.users());
    assertEquals(0.43552, m.ndcg(), 1e-5);
    assertEquals(0.5, m.recall(), 1e-12);
    assertEquals(0.22222, m.precision(), 1e-5);
    assertEquals(0.66667, m.hit(), 1e-5);

    Evaluator.PerUser per = Evaluator.evaluateUsers(s, train, test, 6, 3, 1);
    assertArrayEquals(new int[] {0, 1, 2}, per.users());
    assertArrayEquals(new double[] {0.30657, 1, 0}, per.ndcg(), 1e-5);
    assertArrayEquals(new double[] {0.5, 1, 0}, per.recall(), 1e-12);
    assertArrayEquals(new double[] {1, 1, 0}, per.hit(), 0);
    assertEquals(m, per.mean());
  }

  @Test
  void shouldCapIdealDcgAtK() {
    // 4 test items, k = 2, both top items hit: NDCG = 1 (ideal DCG over min(4, 2) = 2 hits).
    List<Interaction> test = List.of(x(0, 0), x(0, 1), x(0, 2), x(0, 3));
    Metrics m = Evaluator.evaluate(table(new float[][] {{4, 3, 2, 1, 0}}), List.of(), test, 5, 2, 1);
    assertEquals(1.0, m.ndcg(), 1e-12);
    assertEquals(0.5, m.recall(), 1e-12);
    assertEquals(1.0, m.precision(), 1e-12);
  }

  @Test
  void shouldGiveIdenticalResultsForAnyThreadCount() {
    Dataset ds = SyntheticData.generate(SyntheticSpec.defaults().withWordsPerReview(0), 5);
    Split split = Split.perUser(ds.interactions(), 0.7, 6);
    Scorer noisy = (user, out) -> {
      Rng rng = new Rng(Rng.mix(77, user));
      for (int v = 0; v < out.length; v++) {
        out[v] = rng.nextFloat();
      }
    };
    Evaluator.PerUser one = Evaluator.evaluateUsers(noisy, split.train(), split.test(), ds.itemCount(), 10, 1);
    Evaluator.PerUser three = Evaluator.evaluateUsers(noisy, split.train(), split.test(), ds.itemCount(), 10, 3);
    assertTrue(one.users().length > 3 * Evaluator.CHUNK, "enough users for several chunks");
    assertArrayEquals(one.ndcg(), three.ndcg());
    assertArrayEquals(one.recall(), three.recall());
    assertEquals(one.mean(), three.mean());
    assertEquals(one.mean(), Evaluator.evaluate(noisy, split.train(), split.test(), ds.itemCount(), 10, 8));
  }

  @Test
  void shouldRankPopularItemsFirstAndMeasurePlantedStructure() {
    SyntheticData.Generated g = SyntheticData.generateWithTruth(SyntheticSpec.defaults().withWordsPerReview(0), 8);
    Dataset ds = g.dataset();
    Split split = Split.perUser(ds.interactions(), 0.7, 9);
    PopularityScorer pop = new PopularityScorer(split.train(), ds.itemCount());

    float[] scores = new float[ds.itemCount()];
    pop.scoreAll(0, scores);
    int[] top = new int[ds.itemCount()];
    int n = TopN.select(scores, null, ds.itemCount(), top);
    for (int r = 1; r < n; r++) {
      assertTrue(pop.count(top[r - 1]) >= pop.count(top[r]), "popular first");
    }
    assertTrue(pop.count(top[0]) > pop.count(top[n - 1]));

    // Random < popularity < the planted truth (same cluster first, then popularity).
    Scorer random = (user, out) -> {
      Rng rng = new Rng(Rng.mix(3, user));
      for (int v = 0; v < out.length; v++) {
        out[v] = rng.nextFloat();
      }
    };
    Scorer oracle = (user, out) -> {
      pop.scoreAll(user, out);
      for (int v = 0; v < out.length; v++) {
        out[v] += g.userCluster()[user] == g.itemCluster()[v] ? 1e6f : 0;
      }
    };
    Metrics mRandom = Evaluator.evaluate(random, split.train(), split.test(), ds.itemCount(), 10, 2);
    Metrics mPop = Evaluator.evaluate(pop, split.train(), split.test(), ds.itemCount(), 10, 2);
    Metrics mOracle = Evaluator.evaluate(oracle, split.train(), split.test(), ds.itemCount(), 10, 2);
    assertTrue(mRandom.ndcg() < mPop.ndcg(), mRandom.summary() + " vs " + mPop.summary());
    assertTrue(mPop.ndcg() * 1.5 < mOracle.ndcg(), mPop.summary() + " vs " + mOracle.summary());
  }

  @Test
  void shouldPropagateScorerFailuresFromWorkers() {
    Dataset ds = SyntheticData.generate(SyntheticSpec.defaults().withWordsPerReview(0), 5);
    Split split = Split.perUser(ds.interactions(), 0.7, 6);
    IllegalStateException boom = new IllegalStateException("boom");
    Scorer failing = (user, out) -> {
      if (user == 400) {
        throw boom;
      }
    };
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Evaluator.evaluate(failing, split.train(), split.test(), ds.itemCount(), 10, 3));
    assertSame(boom, e);
  }

  @Test
  void shouldRejectItemsOutsideTheRangeAndBadArguments() {
    Scorer zero = (user, out) -> { };
    assertThrows(IllegalArgumentException.class,
        () -> Evaluator.evaluate(zero, List.of(x(0, 5)), List.of(x(0, 1)), 5, 10, 1));
    assertThrows(IllegalArgumentException.class,
        () -> Evaluator.evaluate(zero, List.of(), List.of(x(0, 1)), 5, 0, 1));
    assertThrows(IllegalArgumentException.class,
        () -> Evaluator.evaluate(zero, List.of(), List.of(x(0, 1)), 5, 10, 0));
    assertEquals(Metrics.EMPTY, Evaluator.evaluate(zero, List.of(x(0, 1)), List.of(), 5, 10, 2));
  }
}
