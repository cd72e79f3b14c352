package io.jrlstream.core.view.review;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrlstream.core.math.Rng;
import io.jrlstream.core.state.StateFake;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Vocabulary#state}: a vocabulary restored from incremental checkpoints behaves exactly as the original from
 * then on — same rows, evictions, counts, subsampling and noise draws — across chunk boundaries, while filling up
 * and once full (evictions through the heap).
 */
class VocabularyStateTest {
  /** A Zipf-ish stream of token ids over {@code distinct} tokens, seeded. */
  private static int[] text(Rng rng, int distinct, int length) {
    int[] t = new int[length];
    for (int i = 0; i < length; i++) {
      double u = rng.nextDouble();
      t[i] = (int) Math.min(distinct - 1, Math.floor(Math.pow(distinct, u)) - 1 + rng.nextInt(3));
    }
    return t;
  }

  @ParameterizedTest
  @ValueSource(ints = {40, 700, 5_000})
  void shouldGoOnExactlyAsTheOriginalAfterARestore(int cap) {
    List<Integer> evictedA = new ArrayList<>();
    List<Integer> evictedB = new ArrayList<>();
    Vocabulary a = new Vocabulary(2, cap, 1e-3, evictedA::add);
    StateFake store = new StateFake();
    Rng rng = new Rng(7);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 200; i++) {
        a.observe(text(rng, 3_000, 30));
      }
      store.checkpoint(a.state("vocab"));
    }
    Vocabulary b = new Vocabulary(2, cap, 1e-3, evictedB::add);
    store.restore(b.state("vocab"));
    assertSame(a, b); // right after the restore: the tables of the last rebuild, not rebuilt ones
    evictedA.clear();
    for (int i = 0; i < 300; i++) {
      int[] t = text(rng, 3_000, 30);
      a.observe(t);
      b.observe(t);
    }
    assertEquals(evictedA, evictedB, "the same rows are evicted");
    assertSame(a, b);
  }

  private static void assertSame(Vocabulary a, Vocabulary b) {
    assertEquals(a.size(), b.size());
    assertEquals(a.total(), b.total());
    for (int r = 0; r < a.size(); r++) {
      assertEquals(a.token(r), b.token(r), "row " + r);
      assertEquals(a.keepProbability(r), b.keepProbability(r), "keep " + r);
    }
    for (int t = 0; t < 3_000; t++) {
      assertEquals(a.count(t), b.count(t), "count " + t);
      assertEquals(a.row(t), b.row(t), "row of " + t);
    }
    Rng ra = new Rng(11);
    Rng rb = new Rng(11);
    for (int i = 0; i < 1_000; i++) {
      assertEquals(a.sampleNoise(ra), b.sampleNoise(rb), "noise draw " + i);
    }
  }

  @Test
  void shouldWriteOnlyTheChunksThatChanged() {
    Vocabulary v = new Vocabulary(1, 10_000, 0, r -> { });
    StateFake store = new StateFake();
    int[] many = new int[2_000];
    for (int i = 0; i < many.length; i++) {
      many[i] = i;
    }
    v.observe(many);
    store.checkpoint(v.state("vocab"));
    int before = store.written();
    v.observe(new int[] {3, 4, 5});
    store.checkpoint(v.state("vocab"));
    assertEquals(2, store.written() - before, "one chunk of counts and the scalars (no new row, no rebuild)");
  }
}
