package io.jrlstream.core.view.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.math.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The streaming vocabulary's documented contract (its class javadoc, DESIGN.md §1 review view): min-count
 * admission, the cap with its eviction policy, noise ∝ count^0.75, word2vec subsampling, and rebuilds on
 * growth.
 */
class VocabularyTest {
  private final List<Integer> reused = new ArrayList<>();

  private Vocabulary vocab(int minCount, int cap, double sample) {
    return new Vocabulary(minCount, cap, sample, reused::add);
  }

  private static int[] repeat(int token, int times) {
    int[] a = new int[times];
    Arrays.fill(a, token);
    return a;
  }

  /** word2vec's keep probability: (√(c / (s·T)) + 1) · (s·T) / c, capped at 1. */
  private static double word2vecKeep(long count, long total, double sample) {
    double t = sample * total;
    return Math.min(1.0, (Math.sqrt(count / t) + 1) * t / count);
  }

  @Test
  void shouldAdmitATokenOnlyOnceItReachesMinCount() {
    Vocabulary v = vocab(3, 100, 0);
    assertFalse(v.ready());
    v.observe(new int[] {7, 7, 2});
    assertEquals(-1, v.row(7), "2 of 3 occurrences");
    assertEquals(0, v.size());
    assertEquals(0, v.total());
    assertFalse(v.ready());
    assertEquals(2, v.count(7));
    v.observe(new int[] {7});
    assertEquals(0, v.row(7));
    assertEquals(7, v.token(0));
    assertEquals(1, v.size());
    assertEquals(3, v.total(), "the occurrences before admission count towards the total");
    assertTrue(v.ready());
    v.observe(new int[] {2, 2, 7});
    assertEquals(1, v.row(2));
    assertEquals(7, v.total());
    assertEquals(-1, v.row(12345), "unknown token");
  }

  @Test
  void shouldEvictTheLowestCountForANewcomerThatCountsMore() {
    Vocabulary v = vocab(1, 2, 0);
    v.observe(new int[] {0, 0, 0, 1, 1});
    int rowOf1 = v.row(1);
    assertEquals(2, v.size());
    v.observe(new int[] {2});
    assertEquals(-1, v.row(2), "count 1 waits: every trainable count is higher");
    v.observe(new int[] {2});
    assertEquals(-1, v.row(2), "count 2 waits: the lowest trainable count (2) is not lower");
    assertTrue(reused.isEmpty());
    v.observe(new int[] {2});
    assertEquals(rowOf1, v.row(2), "count 3 beats the lowest count 2: takes its row");
    assertEquals(-1, v.row(1), "evicted");
    assertEquals(List.of(rowOf1), reused, "owner told which row is reused");
    assertEquals(2, v.size(), "cap holds");
    assertEquals(6, v.total(), "total counts trainable tokens only: 3 + 3");
    assertEquals(2, v.token(rowOf1));
  }

  @Test
  void shouldLetAnEvictedTokenComeBackWhenItOutgrowsTheLowest() {
    Vocabulary v = vocab(1, 2, 0);
    v.observe(new int[] {0, 0, 0, 1, 1, 2, 2, 2}); // 2 evicts 1
    assertEquals(-1, v.row(1));
    v.observe(new int[] {1}); // count 3: ties the lowest (3), waits
    assertEquals(-1, v.row(1));
    v.observe(new int[] {1}); // count 4 > 3
    assertTrue(v.row(1) >= 0, "token 1 (count 4) must displace a token of count 3");
    assertEquals(1, (v.row(0) < 0 ? 1 : 0) + (v.row(2) < 0 ? 1 : 0), "exactly one of the count-3 tokens left");
    assertEquals(2, reused.size());
  }

  /**
   * The policy names the lowest <em>running</em> count. Here the token that was lowest when the eviction
   * candidates were last sorted (token 0) has since become the most frequent, and token 1 (count 3) is the
   * lowest: a newcomer of count 4, and later of count 100, must take token 1's row.
   */
  @Test
  void shouldEvictTheCurrentLowestCountAfterCountsChange() {
    Vocabulary v = vocab(1, 2, 0);
    v.observe(new int[] {0, 0, 1, 1, 1}); // counts: 0 → 2, 1 → 3
    v.observe(new int[] {2}); // waits (lowest is 2)
    assertEquals(-1, v.row(2));
    v.observe(repeat(0, 10)); // token 0 → 12: token 1 (3) is now the lowest
    v.observe(new int[] {2, 2}); // count 3: waits (3 is not lower than 3)
    assertEquals(-1, v.row(2));
    int rowOf1 = v.row(1);
    v.observe(new int[] {2}); // count 4 > 3
    assertEquals(rowOf1, v.row(2), "newcomer of count 4 should take the row of token 1 (count 3, the lowest); "
        + "counts now: token0=" + v.count(0) + " token1=" + v.count(1) + " token2=" + v.count(2));
  }

  /** Same stale-candidate situation: the frequent token 0 must survive, the rare token 1 must go. */
  @Test
  void shouldNotEvictAFrequentTokenWhileARareOneIsTrainable() {
    Vocabulary v = vocab(1, 2, 0);
    v.observe(new int[] {0, 0, 1, 1, 1});
    v.observe(new int[] {2});
    v.observe(repeat(0, 10)); // token 0 → 12, token 1 stays at 3
    v.observe(repeat(2, 99)); // token 2 → 100
    assertTrue(v.row(2) >= 0, "token 2 (count 100) must be trainable");
    assertTrue(v.row(0) >= 0 && v.row(1) < 0, "the lowest count (token 1: " + v.count(1) + ") must be evicted, "
        + "not token 0 (count " + v.count(0) + "); trainable: token0=" + (v.row(0) >= 0) + " token1="
        + (v.row(1) >= 0));
  }

  /** A newcomer far above the lowest count must not wait because a stale candidate keeps growing. */
  @Test
  void shouldNotStarveANewcomerThatOutgrowsTheLowestCount() {
    Vocabulary v = vocab(1, 2, 0);
    v.observe(new int[] {0, 0, 1, 1, 1});
    for (int i = 0; i < 50; i++) {
      v.observe(new int[] {2, 0, 0}); // token 2 → 50, token 0 grows faster, token 1 stays at 3
    }
    assertTrue(v.row(2) >= 0, "token 2 seen " + v.count(2) + " times still waits although token 1 has only "
        + v.count(1));
  }

  @Test
  void shouldDrawNoiseProportionalToCountToTheThreeQuarters() {
    Vocabulary v = vocab(1, 100, 0);
    long[] counts = {1, 5, 20, 100, 400, 37};
    for (int t = 0; t < counts.length; t++) {
      v.observe(repeat(t, (int) counts[t]));
    }
    v.rebuild();
    double norm = 0;
    for (long c : counts) {
      norm += Math.pow(c, 0.75);
    }
    int n = 400_000;
    int[] hits = new int[v.size()];
    Rng rng = new Rng(2024);
    for (int i = 0; i < n; i++) {
      hits[v.sampleNoise(rng)]++;
    }
    for (int row = 0; row < v.size(); row++) {
      double p = Math.pow(counts[v.token(row)], 0.75) / norm;
      double observed = hits[row] / (double) n;
      double tol = 5 * Math.sqrt(p * (1 - p) / n) + 1e-4;
      assertEquals(p, observed, tol, "noise frequency of token " + v.token(row) + " (count " + counts[v.token(row)]
          + ")");
    }
  }

  @Test
  void shouldFollowWord2vecSubsampling() {
    double sample = 1e-3;
    Vocabulary v = vocab(1, 100, sample);
    long[] counts = {5000, 3000, 10, 1, 250};
    long total = 0;
    for (int t = 0; t < counts.length; t++) {
      v.observe(repeat(t, (int) counts[t]));
      total += counts[t];
    }
    v.rebuild();
    assertEquals(total, v.total());
    for (int t = 0; t < counts.length; t++) {
      double expected = word2vecKeep(counts[t], total, sample);
      assertEquals(expected, v.keepProbability(v.row(t)), 1e-6 * expected, "keep probability of count " + counts[t]);
    }
    assertTrue(v.keepProbability(v.row(0)) < 0.05, "the most frequent word is mostly dropped");
    assertEquals(1f, v.keepProbability(v.row(3)), "rare words are always kept");

    Vocabulary off = vocab(1, 100, 0);
    off.observe(repeat(0, 1000));
    off.rebuild();
    assertEquals(1f, off.keepProbability(off.row(0)), "sample 0 disables subsampling");
  }

  @Test
  void shouldRebuildOnlyAfterTenPercentGrowth() {
    double sample = 0.01;
    Vocabulary v = vocab(1, 100, sample);
    v.observe(repeat(0, 50));
    v.observe(repeat(1, 50)); // rows 1 → 2: rebuilt with total 100
    assertEquals(word2vecKeep(50, 100, sample), v.keepProbability(v.row(0)), 1e-6);

    v.observe(repeat(0, 5)); // total 105 < 110: no rebuild yet
    assertEquals(word2vecKeep(50, 100, sample), v.keepProbability(v.row(0)), 1e-6, "stale until 10% growth");
    v.observe(repeat(0, 6)); // total 111 > 1.1 × 100: rebuilt
    assertEquals(word2vecKeep(61, 111, sample), v.keepProbability(v.row(0)), 1e-6, "rebuilt after 10% growth");

    // A new trainable word (rows 2 → 3 ≥ 2 × 1.1) triggers a rebuild: it becomes a possible noise word.
    assertEquals(1f, v.keepProbability(2), "a row not yet built is kept");
    Rng rng = new Rng(1);
    for (int i = 0; i < 20_000; i++) {
      assertNotEquals(2, v.sampleNoise(rng), "no row 2 before it exists");
    }
    v.observe(new int[] {9});
    int row9 = v.row(9);
    assertEquals(2, row9);
    int hits = 0;
    for (int i = 0; i < 20_000; i++) {
      if (v.sampleNoise(rng) == row9) {
        hits++;
      }
    }
    assertTrue(hits > 50, "new word drawn as noise after the rebuild (" + hits + " of 20000)");
  }
}
