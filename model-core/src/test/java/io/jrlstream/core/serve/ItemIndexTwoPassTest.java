package io.jrlstream.core.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrlstream.core.math.Rng;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The two-pass scan (8-bit first pass, float re-scoring) answers exactly what the float full scan answers:
 * same items, same order, bit-identical scores and contributions, on random and adversarial data (ties,
 * near ties, quantisation errors aligned with the query, exclusions, missing views, tombstones, non-finite
 * and subnormal rows, negative and zero weights).
 */
class ItemIndexTwoPassTest {
  private static void assertSameAnswer(ItemIndex index, float[][] q, float[] w, Set<String> excluded, int n) {
    List<ItemIndex.Hit> expected = index.topNFullScan(q, w, excluded, n);
    List<ItemIndex.Hit> actual = index.topN(q, w, excluded, n);
    assertEquals(ids(expected), ids(actual), "n=" + n + " excluded=" + excluded);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(Float.floatToIntBits(expected.get(i).score()), Float.floatToIntBits(actual.get(i).score()));
      assertArrayEquals(expected.get(i).contributions(), actual.get(i).contributions());
    }
  }

  private static List<String> ids(List<ItemIndex.Hit> hits) {
    List<String> ids = new ArrayList<>();
    for (ItemIndex.Hit h : hits) {
      ids.add(h.itemId());
    }
    return ids;
  }

  private static float[] gaussian(Rng rng, int dim, float scale) {
    float[] x = new float[dim];
    for (int i = 0; i < dim; i++) {
      x[i] = (rng.nextFloat() + rng.nextFloat() + rng.nextFloat() - 1.5f) * scale;
    }
    return x;
  }

  @Test
  void shouldAnswerLikeTheFullScanOnRandomClusteredData() {
    Rng rng = new Rng(11);
    int[] dims = {37, 64, 5};
    ItemIndex index = new ItemIndex(List.of("a", "b", "c"));
    float[][][] centroids = new float[3][8][];
    for (int k = 0; k < 3; k++) {
      for (int c = 0; c < 8; c++) {
        centroids[k][c] = gaussian(rng, dims[k], 1f);
      }
    }
    int items = 3000;
    for (int v = 0; v < items; v++) {
      for (int k = 0; k < 3; k++) {
        if ((v + k) % 11 == 0) {
          continue; // missing views
        }
        float[] x = gaussian(rng, dims[k], 0.3f);
        float[] c = centroids[k][rng.nextInt(8)];
        for (int i = 0; i < x.length; i++) {
          x[i] += c[i];
        }
        index.upsert(k, "i" + v, x, 0);
      }
    }
    for (int v = 0; v < items; v += 97) {
      index.remove(1, "i" + v); // tombstones
    }
    for (int t = 0; t < 60; t++) {
      float[][] q = new float[3][];
      for (int k = 0; k < 3; k++) {
        q[k] = t % 7 == k ? null : gaussian(rng, dims[k], 1f);
      }
      float[] w = {1f, t % 5 == 0 ? -0.5f : 0.7f, t % 3 == 0 ? 0f : 2f};
      Set<String> excluded = new HashSet<>();
      for (String id : ids(index.topNFullScan(q, w, Set.of(), 5))) {
        if (rng.nextInt(2) == 0) {
          excluded.add(id); // exclude some of the best items
        }
      }
      excluded.add("unknown");
      assertSameAnswer(index, q, w, excluded, 1 + t % 30);
    }
    float[][] q = {gaussian(rng, 37, 1f), gaussian(rng, 64, 1f), gaussian(rng, 5, 1f)};
    float[] w = {1f, 1f, 1f};
    assertSameAnswer(index, q, w, Set.of(), 0);
    assertSameAnswer(index, q, w, Set.of(), items + 10);
  }

  @Test
  void shouldStayExactWhenAViewArrivesAfterItemsAndRowsGrow() {
    Rng rng = new Rng(15);
    ItemIndex index = new ItemIndex(List.of("a", "b"));
    for (int v = 0; v < 1500; v++) { // grows past the initial capacity with view a only
      index.upsert(0, "i" + v, gaussian(rng, 20, 1f), 0);
    }
    float[][] q = {gaussian(rng, 20, 1f), gaussian(rng, 7, 3f)};
    assertSameAnswer(index, q, new float[] {1f, 1f}, Set.of(), 10);
    for (int v = 0; v < 1500; v += 2) { // view b arrives: the 8-bit rows are laid out again
      index.upsert(1, "i" + v, gaussian(rng, 7, 0.01f * (v % 5)), 0);
    }
    for (int v = 1500; v < 2100; v++) {
      index.upsert(1, "i" + v, gaussian(rng, 7, 1f), 0);
    }
    for (int n : new int[] {1, 10, 64}) {
      assertSameAnswer(index, q, new float[] {1f, 1f}, Set.of("i3"), n);
      assertSameAnswer(index, q, new float[] {0.1f, 4f}, Set.of(), n);
      assertSameAnswer(index, new float[][] {null, q[1]}, new float[] {1f, 1f}, Set.of(), n);
    }
  }

  @Test
  void shouldKeepTiesAndNearTiesInSlotOrder() {
    Rng rng = new Rng(12);
    int dim = 48;
    ItemIndex index = new ItemIndex(List.of("a"));
    float[] base = gaussian(rng, dim, 1f);
    float[] q = gaussian(rng, dim, 1f);
    for (int v = 0; v < 400; v++) {
      float[] x = base.clone();
      if (v % 3 == 1) {
        // one ulp apart in one component: the same 8-bit copy, a different (or equal) float score
        x[v % dim] = Math.nextUp(x[v % dim]);
      } else if (v % 3 == 2) {
        x[v % dim] = Math.nextDown(x[v % dim]);
      }
      index.upsert(0, "i" + v, x, 0);
    }
    for (int n : new int[] {1, 10, 50, 133, 399, 400}) {
      assertSameAnswer(index, new float[][] {q}, new float[] {1f}, Set.of("i0", "i5"), n);
      assertSameAnswer(index, new float[][] {q}, new float[] {-3f}, Set.of(), n);
    }
  }

  @Test
  void shouldStayExactWhenQuantisationErrorsAllPointTheQuerysWay() {
    Rng rng = new Rng(13);
    int dim = 300;
    ItemIndex index = new ItemIndex(List.of("a"));
    float[] q = gaussian(rng, dim, 1f);
    // Values just below half a step between 8-bit levels, signed like the query: the largest rounding error
    // at every component, all adding up in the same direction; a plain 8-bit ranking gets these wrong.
    for (int v = 0; v < 500; v++) {
      float step = 1f / 127f;
      float[] x = new float[dim];
      x[0] = 1f; // fixes the scale at 1/127
      for (int i = 1; i < dim; i++) {
        int level = rng.nextInt(100);
        float frac = v % 2 == 0 ? 0.4999f : 0.5001f;
        x[i] = Math.signum(q[i]) * (level + frac) * step;
      }
      index.upsert(0, "i" + v, x, 0);
    }
    for (int n : new int[] {1, 10, 100}) {
      assertSameAnswer(index, new float[][] {q}, new float[] {1f}, Set.of(), n);
    }
  }

  @Test
  void shouldRescoreNonFiniteHugeZeroAndSubnormalRows() {
    Rng rng = new Rng(14);
    int dim = 16;
    ItemIndex index = new ItemIndex(List.of("a", "b"));
    for (int v = 0; v < 200; v++) {
      index.upsert(0, "i" + v, gaussian(rng, dim, 1f), 0);
      index.upsert(1, "i" + v, gaussian(rng, 4, 1f), 0);
    }
    float[] nan = gaussian(rng, dim, 1f);
    nan[3] = Float.NaN;
    index.upsert(0, "nan", nan, 0);
    float[] inf = gaussian(rng, dim, 1f);
    inf[2] = Float.POSITIVE_INFINITY;
    index.upsert(0, "inf", inf, 0);
    float[] huge = gaussian(rng, dim, 1e30f);
    index.upsert(0, "huge", huge, 0);
    index.upsert(0, "zero", new float[dim], 0);
    float[] tiny = gaussian(rng, dim, 1e-40f);
    index.upsert(0, "tiny", tiny, 0);
    index.upsert(1, "only-b", gaussian(rng, 4, 1f), 0);
    for (int t = 0; t < 20; t++) {
      float[][] q = {gaussian(rng, dim, t % 4 == 0 ? 1e-38f : 1f), t % 2 == 0 ? null : gaussian(rng, 4, 1f)};
      for (int n : new int[] {1, 5, 20, 300}) {
        assertSameAnswer(index, q, new float[] {1f, 1f}, Set.of("i7"), n);
        assertSameAnswer(index, q, new float[] {-1f, 0.5f}, Set.of("inf", "nan"), n);
      }
    }
    float[][] infiniteQuery = {gaussian(rng, dim, 1f), null};
    infiniteQuery[0][0] = Float.POSITIVE_INFINITY;
    assertSameAnswer(index, infiniteQuery, new float[] {1f, 1f}, Set.of(), 10);
  }
}
