package io.jrlstream.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PopularitySoFarTest {
  @Test
  void shouldCountEventsPerItemAndKnowOnlyUsersSeen() {
    PopularitySoFar pop = new PopularitySoFar(0);
    pop.add(0, 2);
    pop.add(1, 2);
    pop.add(3, 0);
    assertEquals(3, pop.itemLimit());
    assertTrue(pop.prepare(3));
    assertFalse(pop.prepare(2));
    assertFalse(pop.prepare(1000));
    assertEquals(2f, pop.score(2));
    assertEquals(1f, pop.score(0));
    assertEquals(0f, pop.score(1));
  }

  @Test
  void shouldWeightRecentEventsMoreWithTheHalfLife() {
    PopularitySoFar recent = new PopularitySoFar(2);
    recent.add(0, 0); // age 2 after the next two events: weight 1/2
    recent.add(0, 1);
    recent.add(0, 1); // ages 1 and 0: 2^-0.5 + 1
    recent.add(0, 2);
    // Relative to the newest event (weight 1 at age 0): item 0 at age 3 weighs 2^-1.5.
    double scale = recent.score(2);
    assertEquals(Math.pow(2, -1.5), recent.score(0) / scale, 1e-6);
    assertEquals(Math.pow(2, -1) + Math.pow(2, -0.5), recent.score(1) / scale, 1e-6);
  }

  @Test
  void shouldKeepRankingItemsCorrectlyAcrossRescaling() {
    PopularitySoFar recent = new PopularitySoFar(1);
    for (int i = 0; i < 500; i++) { // 2^500 would overflow a double: weights are rescaled on the way
      recent.add(0, i % 2 == 0 ? 0 : 1);
    }
    recent.add(0, 2);
    assertTrue(Float.isFinite(recent.score(1)));
    assertTrue(recent.score(2) > recent.score(1), "newest first");
    assertTrue(recent.score(1) > recent.score(0), "item 1 was seen after item 0");
  }

  @Test
  void shouldRefuseBadHalfLivesAndIndices() {
    assertThrows(IllegalArgumentException.class, () -> new PopularitySoFar(-1));
    assertThrows(IllegalArgumentException.class, () -> new PopularitySoFar(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new PopularitySoFar(0).add(-1, 0));
  }
}
