package io.jrlstream.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.math.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PrequentialMeterTest {
  /** Fixed scores for every user (users below {@code users} are known). */
  private static final class Fixed implements RankSource {
    final float[] scores;
    final int users;

    Fixed(int users, float... scores) {
      this.users = users;
      this.scores = scores;
    }

    @Override
    public boolean prepare(int user) {
      return user < users;
    }

    @Override
    public int itemLimit() {
      return scores.length;
    }

    @Override
    public float score(int item) {
      return scores[item];
    }
  }

  private static final InteractedItems NOTHING = (u, v) -> false;

  @Test
  void shouldRankAmongKnownItemsTheUserHasNotHadWithTopNTieBreak() {
    //                         items:  0    1    2    3    4    5    6
    Fixed model = new Fixed(1, 0.9f, 0.5f, 0.7f, 0.5f, Float.NaN, 0.8f, 0.95f);
    PrequentialMeter meter = new PrequentialMeter(new PrequentialMeter.Settings(10, 100, 0, 1), null);
    // Item 3 (0.5): 0, 2, 5 score higher, 1 ties with a lower index; 6 is not known yet (itemsKnown 6).
    assertEquals(PrequentialMeter.Outcome.RANKED, meter.measure(0, model, 0, 3, NOTHING, 6));
    assertEquals(5, meter.lastRank());
    // The user had item 0 and item 2: they are not candidates.
    InteractedItems had = (u, v) -> v == 0 || v == 2;
    meter.measure(1, model, 0, 3, had, 6);
    assertEquals(3, meter.lastRank());
    // NaN ranks last: item 4 is behind everything known.
    meter.measure(2, model, 0, 4, NOTHING, 6);
    assertEquals(6, meter.lastRank());
    // Item 6 once known ranks first.
    meter.measure(3, model, 0, 6, NOTHING, 7);
    assertEquals(1, meter.lastRank());
    PrequentialMeter.Snapshot s = meter.snapshot();
    assertEquals(4, s.ranked());
    assertEquals(4, s.hits());
    double expected = 1 / log2(6) + 1 / log2(4) + 1 / log2(7) + 1;
    assertEquals(expected, s.ndcgSum(), 1e-12);
    assertEquals(expected / 4, s.ndcg(), 1e-12);
  }

  @Test
  void shouldCountOnlyTheTopKAsHitsAndStopAtK() {
    Fixed model = new Fixed(1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    PrequentialMeter meter = new PrequentialMeter(new PrequentialMeter.Settings(3, 100, 0, 1), null);
    meter.measure(0, model, 0, 2, NOTHING, 10);
    assertEquals(3, meter.lastRank());
    meter.measure(1, model, 0, 3, NOTHING, 10);
    assertEquals(4, meter.lastRank(), "rank 4 with k = 3 is reported as k + 1");
    meter.measure(2, model, 0, 9, NOTHING, 10);
    assertEquals(4, meter.lastRank());
    assertEquals(1, meter.snapshot().hits());
    assertEquals(0.5, meter.snapshot().ndcgSum(), 1e-12);
    assertEquals(0.5, meter.gain(3), 1e-12);
    assertEquals(0, meter.gain(4));
  }

  @Test
  void shouldSkipRepeatsAndColdUsersAndCountNewItemsAsMisses() {
    Fixed model = new Fixed(2, 3, 2, 1);
    PrequentialMeter meter = new PrequentialMeter(new PrequentialMeter.Settings(10, 100, 0, 1), null);
    InteractedItems had = (u, v) -> u == 0 && v == 1;
    assertEquals(PrequentialMeter.Outcome.REPEAT, meter.measure(0, model, 0, 1, had, 3));
    assertEquals(PrequentialMeter.Outcome.COLD_USER, meter.measure(1, model, 5, 1, had, 3));
    assertEquals(PrequentialMeter.Outcome.NEW_ITEM, meter.measure(2, model, 1, 2, had, 2));
    assertEquals(PrequentialMeter.Outcome.NEW_ITEM, meter.measure(3, model, 1, 7, had, 8), "no row in the model");
    assertEquals(PrequentialMeter.Outcome.RANKED, meter.measure(4, model, 1, 0, had, 3));
    PrequentialMeter.Snapshot s = meter.snapshot();
    assertEquals(5, s.measured());
    assertEquals(1, s.repeats());
    assertEquals(1, s.coldUsers());
    assertEquals(2, s.newItems());
    assertEquals(3, s.ranked());
    assertEquals(1, s.hits());
    assertEquals(1.0 / 3, s.hitRate(), 1e-12);
  }

  @Test
  void shouldReportWindowsAndLeaveTheWarmUpOutOfTheTotals() {
    List<PrequentialMeter.Window> windows = new ArrayList<>();
    Fixed model = new Fixed(1, 2, 1);
    PrequentialMeter meter = new PrequentialMeter(new PrequentialMeter.Settings(1, 4, 6, 1), windows::add);
    for (int seq = 0; seq < 10; seq++) {
      meter.measure(seq, model, 0, seq < 5 ? 0 : 1, NOTHING, 2); // hits for 0..4, misses after
    }
    assertEquals(2, windows.size(), "the third window is still open");
    meter.finish();
    assertEquals(3, windows.size());
    assertEquals(List.of(0L, 4L, 8L), windows.stream().map(PrequentialMeter.Window::firstSequence).toList());
    assertEquals(List.of(1.0, 0.25, 0.0), windows.stream().map(PrequentialMeter.Window::hitRate).toList());
    // Totals from sequence 6 on: four misses.
    assertEquals(4, meter.snapshot().ranked());
    assertEquals(0, meter.snapshot().hits());
    assertEquals(windows.get(2), meter.latest().last());
    assertThrows(IllegalArgumentException.class, () -> meter.measure(3, model, 0, 0, NOTHING, 2));
  }

  @Test
  void shouldMeasureEveryKthSequenceOnlyWhateverTheCallPattern() {
    Fixed model = new Fixed(1, 2, 1);
    PrequentialMeter every = new PrequentialMeter(new PrequentialMeter.Settings(10, 1000, 0, 3), null);
    PrequentialMeter gaps = new PrequentialMeter(new PrequentialMeter.Settings(10, 1000, 0, 3), null);
    int measured = 0;
    for (int seq = 0; seq < 30; seq++) {
      PrequentialMeter.Outcome o = every.measure(seq, model, 0, 0, NOTHING, 2);
      assertEquals(seq % 3 == 0, o != PrequentialMeter.Outcome.NOT_SAMPLED, "sequence " + seq);
      measured += o == PrequentialMeter.Outcome.NOT_SAMPLED ? 0 : 1;
      if (seq % 2 == 0) { // a caller that sees only some sequence numbers measures the same ones among them
        gaps.measure(seq, model, 0, 0, NOTHING, 2);
      }
    }
    assertEquals(10, measured);
    assertEquals(10, every.snapshot().measured());
    assertEquals(5, gaps.snapshot().measured(), "0, 6, 12, 18, 24");
  }

  @Test
  void shouldAgreeWithTopNOnRandomScores() {
    Rng rng = new Rng(5);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rng.nextInt(60);
      float[] scores = new float[n];
      for (int v = 0; v < n; v++) {
        scores[v] = rng.nextInt(8) / 4f; // many ties
      }
      boolean[] had = new boolean[n];
      for (int v = 0; v < n; v++) {
        had[v] = rng.nextDouble() < 0.2;
      }
      int item = rng.nextInt(n);
      had[item] = false;
      int k = 1 + rng.nextInt(12);
      int rank = PrequentialMeter.rank(new Fixed(1, scores), 0, item, (u, v) -> had[v], n, k);
      int[] excluded = IntStream.range(0, n).filter(v -> had[v]).toArray();
      int[] top = new int[n];
      int got = TopN.select(scores, n, excluded, 0, excluded.length, n, top);
      int position = Arrays.asList(Arrays.stream(top, 0, got).boxed().toArray(Integer[]::new)).indexOf(item) + 1;
      assertEquals(position <= k ? position : k + 1, rank, "trial " + trial);
    }
  }

  @Test
  void shouldBeDeterministicAndPublishNothingBeforeAWindowCloses() {
    Rng rng = new Rng(11);
    float[] scores = new float[50];
    for (int v = 0; v < scores.length; v++) {
      scores[v] = rng.nextFloat();
    }
    double[] ndcg = new double[2];
    for (int run = 0; run < 2; run++) {
      PrequentialMeter meter = new PrequentialMeter(new PrequentialMeter.Settings(10, 7, 3, 2), null);
      assertNull(meter.latest().last());
      Rng events = new Rng(12);
      for (int seq = 0; seq < 200; seq++) {
        meter.measure(seq, new Fixed(1, scores), 0, events.nextInt(50), NOTHING, 50);
      }
      ndcg[run] = meter.snapshot().ndcgSum();
      assertTrue(meter.snapshot().ranked() > 80);
    }
    assertEquals(ndcg[0], ndcg[1]);
  }

  @Test
  void shouldRefuseBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new PrequentialMeter.Settings(0, 10, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new PrequentialMeter.Settings(10, 0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new PrequentialMeter.Settings(10, 10, -1, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new PrequentialMeter.Settings(10, 10, 0, 0));
    assertTrue(e.getMessage().contains("sampleEvery"), e.getMessage());
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
