package io.jrlstream.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.math.Rng;
import io.jrlstream.core.state.StateFake;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The negative sampler's bounded histories and its checkpoint: {@link IntSet#remove} against a HashSet, the latest
 * {@code historyCap} items kept per user, and a sampler restored from incremental checkpoints that answers and
 * draws exactly as the original from then on.
 */
class NegativeSamplerStateTest {
  @Test
  void shouldRemoveFromTheSetLikeAHashSet() {
    IntSet s = new IntSet();
    Set<Integer> ref = new HashSet<>();
    Rng rng = new Rng(3);
    for (int i = 0; i < 20_000; i++) {
      int v = rng.nextInt(300);
      if (rng.nextInt(3) == 0) {
        assertEquals(ref.remove(v), s.remove(v), "remove " + v);
      } else {
        assertEquals(ref.add(v), s.add(v), "add " + v);
      }
      assertEquals(ref.size(), s.size());
    }
    for (int v = 0; v < 300; v++) {
      assertEquals(ref.contains(v), s.contains(v), "contains " + v);
    }
  }

  @Test
  void shouldKeepTheLatestItemsOfEachUser() {
    NegativeSampler s = new NegativeSampler(3);
    for (int item = 0; item < 5; item++) {
      s.add(7, item);
    }
    s.add(7, 4); // a repeat changes nothing
    assertFalse(s.interacted(7, 0));
    assertFalse(s.interacted(7, 1));
    assertTrue(s.interacted(7, 2) && s.interacted(7, 3) && s.interacted(7, 4));
    assertEquals(5, s.itemCount(), "every item seen stays a candidate negative");
    assertThrows(IllegalArgumentException.class, () -> new NegativeSampler(0));
  }

  @ParameterizedTest
  @ValueSource(ints = {5, Integer.MAX_VALUE})
  void shouldAnswerAndDrawAsTheOriginalAfterARestore(int cap) {
    NegativeSampler a = new NegativeSampler(cap);
    StateFake store = new StateFake();
    Rng events = new Rng(5);
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 1_500; i++) {
        a.add(events.nextInt(200), events.nextInt(1_200));
      }
      store.checkpoint(a.state("sampler"));
    }
    NegativeSampler b = new NegativeSampler(cap);
    store.restore(b.state("sampler"));
    for (int i = 0; i < 2_000; i++) {
      int u = events.nextInt(220);
      int v = events.nextInt(1_300);
      assertEquals(a.interacted(u, v), b.interacted(u, v), "interacted(" + u + ", " + v + ")");
      a.add(u, v);
      b.add(u, v);
    }
    assertEquals(a.itemCount(), b.itemCount());
    Rng ra = new Rng(9);
    Rng rb = new Rng(9);
    for (int i = 0; i < 5_000; i++) {
      int u = i % 220;
      assertEquals(a.sample(u, ra), b.sample(u, rb), "draw " + i);
    }
  }
}
