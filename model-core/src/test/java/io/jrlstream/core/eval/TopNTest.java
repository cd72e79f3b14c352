package io.jrlstream.core.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jrlstream.core.math.Rng;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopNTest {
  /** Brute force: sort all non-excluded items by (score desc, index asc), NaN as -inf, take k. */
  private static int[] bruteForce(float[] scores, int[] excluded, int k) {
    Comparator<Integer> order = Comparator.<Integer>comparingDouble(v -> {
      float s = scores[v];
      return Float.isNaN(s) ? Double.POSITIVE_INFINITY : -(double) s; // NaN last
    }).thenComparingInt(v -> v);
    return IntStream.range(0, scores.length)
        .filter(v -> Arrays.binarySearch(excluded, v) < 0)
        .boxed().sorted(order).limit(k).mapToInt(Integer::intValue).toArray();
  }

  @Test
  void shouldMatchBruteForceWithTiesAndExclusions() {
    Rng rng = new Rng(2024);
    for (int trial = 0; trial < 500; trial++) {
      int n = 1 + rng.nextInt(200);
      float[] scores = new float[n];
      int levels = 1 + rng.nextInt(8); // few distinct values: many ties
      for (int v = 0; v < n; v++) {
        scores[v] = rng.nextInt(levels) - levels / 2f;
        if (rng.nextInt(50) == 0) {
          scores[v] = Float.NaN;
        }
      }
      int[] excluded = IntStream.range(0, n).filter(v -> rng.nextInt(4) == 0).toArray();
      int k = 1 + rng.nextInt(Math.min(n + 5, 40));
      int[] out = new int[k];
      int got = TopN.select(scores, excluded, k, out);
      int[] expected = bruteForce(scores, excluded, k);
      assertArrayEquals(expected, Arrays.copyOf(out, got), "trial " + trial + " n=" + n + " k=" + k);
    }
  }

  @Test
  void shouldBreakTiesByLowerIndex() {
    float[] scores = {1, 3, 3, 2, 3};
    int[] out = new int[3];
    assertEquals(3, TopN.select(scores, null, 3, out));
    assertArrayEquals(new int[] {1, 2, 4}, out);
    assertEquals(3, TopN.select(scores, new int[] {2}, 3, out));
    assertArrayEquals(new int[] {1, 4, 3}, out);
  }

  @Test
  void shouldRankNanLast() {
    float[] scores = {Float.NaN, Float.NEGATIVE_INFINITY, -5, Float.NaN};
    int[] out = new int[4];
    assertEquals(4, TopN.select(scores, new int[0], 4, out));
    assertArrayEquals(new int[] {2, 0, 1, 3}, out);
  }

  @Test
  void shouldReturnFewerWhenFewerItemsRemain() {
    float[] scores = {0.5f, 0.1f, 0.9f};
    int[] out = new int[10];
    assertEquals(1, TopN.select(scores, new int[] {0, 0, 2}, 10, out));
    assertEquals(1, out[0]);
    assertEquals(0, TopN.select(scores, null, 0, out));
  }

  @Test
  void shouldUseARangeOfTheExclusionArrayAndItemCount() {
    float[] scores = {5, 4, 3, 2, 1, 9};
    int[] csr = {0, 1, /* user */ 1, 3, /* next */ 2};
    int[] out = new int[3];
    // Items 0..4 only (item 5 beyond itemCount), excluding {1, 3}.
    assertEquals(3, TopN.select(scores, 5, csr, 2, 4, 3, out));
    assertArrayEquals(new int[] {0, 2, 4}, out);
  }

  @Test
  void shouldRejectBadArguments() {
    float[] scores = new float[4];
    assertThrows(IllegalArgumentException.class, () -> TopN.select(scores, null, 3, new int[2]));
    assertThrows(IllegalArgumentException.class, () -> TopN.select(scores, null, -1, new int[2]));
    assertThrows(IllegalArgumentException.class,
        () -> TopN.select(scores, 5, new int[0], 0, 0, 1, new int[1]));
  }

  @Test
  void shouldKeepTheKLargestValuesOfAStreamWithTheKthAtTheRoot() {
    Rng rng = new Rng(31);
    for (int trial = 0; trial < 200; trial++) {
      int k = rng.nextInt(12);
      int n = rng.nextInt(60);
      double[] heap = new double[k];
      int size = 0;
      double[] seen = new double[n];
      int numbers = 0;
      for (int i = 0; i < n; i++) {
        double x = rng.nextInt(10) == 0 ? Double.NaN : rng.nextInt(7) - 3; // ties and NaN
        size = TopN.offerLargest(heap, size, k, x);
        if (x == x) {
          seen[numbers++] = x;
        }
        assertEquals(Math.min(k, numbers), size, "NaN is never kept, trial " + trial);
      }
      double[] sorted = Arrays.copyOf(seen, numbers);
      Arrays.sort(sorted);
      double[] kept = Arrays.copyOf(heap, size);
      Arrays.sort(kept);
      assertArrayEquals(Arrays.copyOfRange(sorted, numbers - size, numbers), kept, "trial " + trial);
      if (size == k && k > 0) {
        assertEquals(sorted[numbers - k], heap[0], "the root is the k-th largest");
      }
    }
    assertEquals(0, TopN.offerLargest(new double[0], 0, 0, 1.0), "k = 0 keeps nothing");
  }
}
