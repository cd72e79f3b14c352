package io.jrlstream.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Interaction;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReservoirTest {
  private static List<Interaction> events(int n) {
    List<Interaction> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      xs.add(new Interaction(i % 7, i, Float.NaN, -1, i));
    }
    return xs;
  }

  @Test
  void shouldHoldEverythingUntilFullThenStayBounded() {
    Reservoir r = new Reservoir(100, 1);
    List<Interaction> xs = events(1_000);
    for (int i = 0; i < 60; i++) {
      r.offer(xs.get(i));
    }
    assertEquals(60, r.size());
    for (int i = 0; i < 60; i++) {
      assertSame(xs.get(i), r.get(i), "slot " + i + " before the reservoir is full");
    }
    for (int i = 60; i < xs.size(); i++) {
      r.offer(xs.get(i));
    }
    assertEquals(100, r.size());
    assertEquals(1_000, r.offered());
    assertThrows(IndexOutOfBoundsException.class, () -> r.get(100));
    long late = 0;
    for (int i = 0; i < r.size(); i++) {
      late += r.get(i).item() >= 500 ? 1 : 0;
    }
    assertTrue(late > 20 && late < 80, "half the stream came late, so should about half the sample: " + late);
  }

  @Test
  void shouldSampleEveryPositionUniformlyInExpectation() {
    int n = 200;
    int capacity = 20;
    int trials = 4_000;
    List<Interaction> xs = events(n);
    int[] kept = new int[n];
    for (int t = 0; t < trials; t++) {
      Reservoir r = new Reservoir(capacity, 1_000 + t);
      xs.forEach(r::offer);
      for (int i = 0; i < r.size(); i++) {
        kept[r.get(i).item()]++;
      }
    }
    // Each position is kept with probability capacity / n = 0.1: 400 of 4,000 trials, σ ≈ 19.
    double expected = (double) trials * capacity / n;
    for (int i = 0; i < n; i++) {
      assertEquals(expected, kept[i], 5 * Math.sqrt(expected), "position " + i);
    }
    int firstTenth = 0;
    int lastTenth = 0;
    for (int i = 0; i < n / 10; i++) {
      firstTenth += kept[i];
      lastTenth += kept[n - 1 - i];
    }
    assertEquals(1.0, (double) firstTenth / lastTenth, 0.08, "early and late events equally likely");
  }

  @Test
  void shouldBeAFunctionOfTheSeedAndTheEventsOnly() {
    List<Interaction> xs = events(5_000);
    Reservoir a = new Reservoir(64, 42);
    Reservoir b = new Reservoir(64, 42);
    Reservoir c = new Reservoir(64, 43);
    xs.forEach(a::offer);
    xs.forEach(b::offer);
    xs.forEach(c::offer);
    boolean differs = false;
    for (int i = 0; i < 64; i++) {
      assertSame(a.get(i), b.get(i), "slot " + i);
      differs |= a.get(i) != c.get(i);
    }
    assertTrue(differs, "another seed must keep another sample");
  }

  @Test
  void shouldKeepNothingWithCapacityZeroAndRefuseANegativeOne() {
    Reservoir r = new Reservoir(0, 1);
    events(10).forEach(r::offer);
    assertEquals(0, r.size());
    assertEquals(10, r.offered());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Reservoir(-1, 1));
    assertTrue(e.getMessage().contains("capacity"), e.getMessage());
  }
}
