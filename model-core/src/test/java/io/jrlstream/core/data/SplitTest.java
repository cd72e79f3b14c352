package io.jrlstream.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.math.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitTest {
  /** 60 users with 1..30 interactions each, interleaved at random; time is the input position. */
  private static List<Interaction> interactions(long seed) {
    Rng rng = new Rng(seed);
    List<int[]> pending = new ArrayList<>();
    for (int u = 0; u < 60; u++) {
      int n = 1 + u % 30;
      for (int i = 0; i < n; i++) {
        pending.add(new int[] {u, rng.nextInt(500)});
      }
    }
    for (int i = pending.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int[] t = pending.get(i);
      pending.set(i, pending.get(j));
      pending.set(j, t);
    }
    List<Interaction> xs = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      xs.add(new Interaction(pending.get(i)[0], pending.get(i)[1], Float.NaN, -1, i));
    }
    return xs;
  }

  private static Map<Integer, Integer> countByUser(List<Interaction> xs) {
    Map<Integer, Integer> m = new HashMap<>();
    for (Interaction x : xs) {
      m.merge(x.user(), 1, Integer::sum);
    }
    return m;
  }

  @Test
  void shouldPutRoundedFractionOfEachUserIntoTrainAndAtLeastOne() {
    List<Interaction> xs = interactions(7);
    Split s = Split.perUser(xs, 0.7, 42);
    Map<Integer, Integer> all = countByUser(xs);
    Map<Integer, Integer> train = countByUser(s.train());
    for (Map.Entry<Integer, Integer> e : all.entrySet()) {
      int n = e.getValue();
      int expected = (int) Math.max(1, Math.round(0.7 * n));
      assertEquals(expected, train.getOrDefault(e.getKey(), 0), "user " + e.getKey() + " with " + n);
    }
    // n = 1 -> 1 train; n = 2 -> round(1.4) = 1; n = 5 -> round(3.5) = 4; n = 10 -> 7.
    assertEquals(1, train.get(0));
    assertEquals(1, train.get(1));
    assertEquals(4, train.get(4));
    assertEquals(7, train.get(9));
  }

  @Test
  void shouldPartitionWithoutOverlapAndKeepInputOrder() {
    List<Interaction> xs = interactions(8);
    Split s = Split.perUser(xs, 0.7, 1);
    assertEquals(xs.size(), s.train().size() + s.test().size());
    Set<Long> trainTimes = new HashSet<>();
    s.train().forEach(x -> trainTimes.add(x.time()));
    for (Interaction x : s.test()) {
      assertTrue(!trainTimes.contains(x.time()), "in both parts: " + x);
    }
    for (List<Interaction> part : List.of(s.train(), s.test())) {
      for (int i = 1; i < part.size(); i++) {
        assertTrue(part.get(i - 1).time() < part.get(i).time(), "order kept");
      }
    }
  }

  @Test
  void shouldBeDeterministicForASeedAndVaryAcrossSeeds() {
    List<Interaction> xs = interactions(9);
    assertEquals(Split.perUser(xs, 0.7, 5), Split.perUser(xs, 0.7, 5));
    assertNotEquals(Split.perUser(xs, 0.7, 5).train(), Split.perUser(xs, 0.7, 6).train());
  }

  @Test
  void shouldNotChangeAUsersSplitWhenOtherUsersAreAdded() {
    List<Interaction> xs = interactions(10);
    List<Interaction> user3 = xs.stream().filter(x -> x.user() == 3).toList();
    Split alone = Split.perUser(user3, 0.7, 11);
    Split together = Split.perUser(xs, 0.7, 11);
    assertEquals(alone.train(), together.train().stream().filter(x -> x.user() == 3).toList());
  }

  @Test
  void shouldCarveAValidationSplitFromTrain() {
    List<Interaction> xs = interactions(12);
    Split test = Split.perUser(xs, 0.7, 3);
    Split validation = Split.perUser(test.train(), 0.8, 4);
    assertEquals(test.train().size(), validation.train().size() + validation.test().size());
    assertTrue(validation.test().size() > 0);
  }

  @Test
  void shouldRejectFractionsOutsideZeroToOne() {
    List<Interaction> xs = interactions(1);
    assertThrows(IllegalArgumentException.class, () -> Split.perUser(xs, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Split.perUser(xs, 1.5, 1));
    assertThrows(IllegalArgumentException.class, () -> Split.perUser(xs, Double.NaN, 1));
    assertEquals(xs, Split.perUser(xs, 1, 1).train());
  }
}
