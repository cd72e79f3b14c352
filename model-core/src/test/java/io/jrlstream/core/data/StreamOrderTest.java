package io.jrlstream.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.math.Rng;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StreamOrderTest {
  private static Interaction at(int user, int item, long time) {
    return new Interaction(user, item, Float.NaN, -1, time);
  }

  @Test
  void shouldOrderByTimeWithTiesInInputOrder() {
    List<Interaction> xs = List.of(at(0, 0, 30), at(1, 1, 10), at(2, 2, 20), at(3, 3, 10), at(4, 4, 30),
        at(5, 5, 10));
    assertEquals(StreamOrder.Kind.EVENT_TIME, StreamOrder.kind(xs));
    assertArrayEqualsInts(new int[] {1, 3, 5, 2, 0, 4}, StreamOrder.order(xs, 1));
    // The seed plays no part when the data has times.
    assertArrayEqualsInts(StreamOrder.order(xs, 1), StreamOrder.order(xs, 99));
  }

  @Test
  void shouldInterleaveUntimedUsersKeepingEachUsersOrder() {
    List<Interaction> xs = new ArrayList<>();
    Rng rng = new Rng(3);
    for (int u = 0; u < 40; u++) {
      int n = 1 + rng.nextInt(12);
      for (int i = 0; i < n; i++) {
        xs.add(at(u, 100 * u + i, 0)); // item encodes the user's own position
      }
    }
    assertEquals(StreamOrder.Kind.INTERLEAVED, StreamOrder.kind(xs));
    List<Interaction> a = StreamOrder.ordered(xs, 7);
    assertEquals(xs.size(), a.size());
    Map<Integer, Integer> nextPosition = new HashMap<>();
    for (Interaction x : a) {
      int expected = nextPosition.getOrDefault(x.user(), 0);
      assertEquals(100 * x.user() + expected, x.item(), "user " + x.user() + " out of its own order");
      nextPosition.put(x.user(), expected + 1);
    }
    // Users really are interleaved (input lists them one after another), the same seed gives the same order,
    // another seed another.
    assertNotEquals(xs, a);
    assertEquals(a, StreamOrder.ordered(xs, 7));
    assertNotEquals(a, StreamOrder.ordered(xs, 8));
    int switches = 0;
    for (int i = 1; i < a.size(); i++) {
      switches += a.get(i).user() != a.get(i - 1).user() ? 1 : 0;
    }
    assertTrue(switches > a.size() / 2, "only " + switches + " user switches in " + a.size() + " events");
  }

  @Test
  void shouldRefuseANegativeUserWhenInterleaving() {
    assertThrows(IllegalArgumentException.class, () -> StreamOrder.order(List.of(at(-1, 0, 0)), 1));
  }

  @Test
  void shouldCountRepeatsAndKeepTheEarliestOccurrence() {
    Dataset.Builder b = new Dataset.Builder("repeats");
    b.add("u1", "i1", 5f, null, 300);
    b.add("u1", "i2", 4f, null, 100);
    b.add("u1", "i1", 3f, null, 200); // a repeat of u1-i1, but the earlier one
    b.add("u2", "i1", 2f, null, 100);
    b.add("u1", "i1", 1f, null, 200); // a third copy, as early as the second: input order breaks the tie
    Dataset d = b.build();
    assertEquals(2, d.repeats());
    List<Interaction> firsts = d.firstOccurrences();
    assertEquals(3, firsts.size());
    assertEquals(List.of(4f, 3f, 2f), firsts.stream().map(Interaction::stars).toList(), "input order kept");
  }

  @Test
  void shouldReturnTheSameListWhenNothingRepeats() {
    Dataset d = SyntheticData.generate(SyntheticSpec.defaults().withUsers(30), 1);
    assertEquals(0, d.repeats());
    assertSame(d.interactions(), d.firstOccurrences());
  }

  @Test
  void shouldFindNoRepeatsInTheRealFilesSoTheirSplitsDoNotChange() {
    Path file = RealDataTest.sharedFile(RealDataTest.MUSICAL);
    Dataset d = DatasetReader.read(file);
    assertEquals(0, d.repeats());
    assertSame(d.interactions(), d.firstOccurrences(), "offline figures on this file cannot move");
    int[] order = StreamOrder.order(d.interactions(), 1);
    for (int i = 1; i < order.length; i++) {
      Interaction prev = d.interactions().get(order[i - 1]);
      Interaction x = d.interactions().get(order[i]);
      assertTrue(prev.time() < x.time() || (prev.time() == x.time() && order[i - 1] < order[i]), "at " + i);
    }
    Path beauty = RealDataTest.sharedFile(RealDataTest.BEAUTY);
    Dataset pairs = DatasetReader.read(beauty);
    assertEquals(0, pairs.repeats());
    assertEquals(StreamOrder.Kind.INTERLEAVED, StreamOrder.kind(pairs.interactions()));
  }

  private static void assertArrayEqualsInts(int[] expected, int[] actual) {
    assertEquals(Arrays.toString(expected), Arrays.toString(actual));
    assertFalse(expected.length == 0);
  }
}
