package io.jrlstream.core.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.eval.TopN;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.rank.EjrlModel;
import io.jrlstream.core.view.CollaborativeView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.RatingView;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ItemIndexTest {
  /** The index's top-N equals a brute-force ranking of Σ_k w_k u_k·v_k with the same tie-break. */
  @Test
  void shouldMatchBruteForceTopNWithExclusionsAndWeights() {
    Rng rng = new Rng(3);
    int items = 500;
    int[] dims = {8, 5};
    ItemIndex index = new ItemIndex(List.of("a", "b"));
    float[][][] rows = new float[2][items][];
    for (int v = 0; v < items; v++) {
      for (int k = 0; k < 2; k++) {
        if (k == 1 && v % 7 == 0) {
          continue; // some items have no vector in view b
        }
        rows[k][v] = random(rng, dims[k]);
        assertTrue(index.upsert(k, "i" + v, rows[k][v], 1000 + v));
      }
    }
    float[][] q = {random(rng, 8), random(rng, 5)};
    float[] w = {1f, -0.5f};
    Set<String> excluded = new HashSet<>(List.of("i3", "i10", "i499", "unknown"));
    float[] ref = new float[items];
    for (int v = 0; v < items; v++) {
      ref[v] = w[0] * dot(q[0], rows[0][v]) + (rows[1][v] == null ? 0 : w[1] * dot(q[1], rows[1][v]));
    }
    int[] out = new int[10];
    int[] ex = {3, 10, 499};
    int got = TopN.select(ref, items, ex, 0, ex.length, 10, out);
    List<ItemIndex.Hit> hits = index.topN(q, w, excluded, 10);
    assertEquals(got, hits.size());
    for (int i = 0; i < got; i++) {
      assertEquals("i" + out[i], hits.get(i).itemId());
      assertEquals(ref[out[i]], hits.get(i).score(), 1e-4f);
      float[] c = hits.get(i).contributions();
      assertEquals(hits.get(i).score(), c[0] + c[1], 1e-4f);
    }
  }

  /**
   * Serving and offline evaluation compute s(u, v) the same way: over the same vectors, the index's scores are
   * the bits {@link EjrlModel#scoreAll} gives (one scan, {@code Vectors.dotRows}), so they rank alike.
   */
  @Test
  void shouldScoreWithTheBitsOfTheOfflineEjrlModel() {
    Dataset ds = SyntheticData.generate(SyntheticSpec.defaults().withUsers(20).withItems(150)
        .withWordsPerReview(0), 5);
    int items = ds.itemCount();
    List<View> views = List.of(ViewFactory.create(CollaborativeView.NAME, ModelConfig.defaults(), ds),
        ViewFactory.create(RatingView.NAME, ModelConfig.defaults(), ds));
    ItemIndex index = new ItemIndex(List.of(CollaborativeView.NAME, RatingView.NAME));
    for (int k = 0; k < 2; k++) {
      views.get(k).reserve(ds.userCount(), items);
      for (int v = 0; v < items; v++) {
        index.upsert(k, "i" + v, views.get(k).items().row(v), 0);
      }
    }
    for (double[] w : new double[][] {{1, -0.75}, {0, 2.5}, {0.3, 0}}) {
      EjrlModel model = new EjrlModel(views, w, items);
      float[] fw = {(float) w[0], (float) w[1]};
      float[] offline = new float[items];
      int[] top = new int[10];
      for (int u = 0; u < ds.userCount(); u++) {
        model.scoreAll(u, offline);
        float[][] q = {views.get(0).users().row(u), views.get(1).users().row(u)};
        List<ItemIndex.Hit> all = index.topNFullScan(q, fw, Set.of(), items);
        assertEquals(items, all.size());
        for (ItemIndex.Hit h : all) {
          int v = Integer.parseInt(h.itemId().substring(1));
          assertEquals(Float.floatToIntBits(offline[v]), Float.floatToIntBits(h.score()), "u=" + u + " v=" + v);
        }
        int got = TopN.select(offline, null, 10, top);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < got; i++) {
          expected.add("i" + top[i]);
        }
        assertEquals(expected, ids(index.topN(q, fw, Set.of(), 10)), "two-pass top-10, u=" + u);
        assertEquals(expected, ids(all.subList(0, 10)), "full scan top-10, u=" + u);
      }
    }
  }

  @Test
  void shouldUpdateInPlaceRemoveOnTombstoneAndNeverReturnItemsWithoutQueriedVectors() {
    ItemIndex index = new ItemIndex(List.of("a", "b"));
    index.upsert(0, "x", new float[] {1, 0}, 1);
    index.upsert(0, "y", new float[] {0, 1}, 2);
    index.upsert(1, "z", new float[] {5}, 3); // only in view b
    float[][] q = {{1, 0}, null};
    float[] w = {1, 1};
    assertEquals(List.of("x", "y"), ids(index.topN(q, w, Set.of(), 10)));
    index.upsert(0, "y", new float[] {2, 0}, 4); // y's vector changes in place
    assertEquals(List.of("y", "x"), ids(index.topN(q, w, Set.of(), 10)));
    index.remove(0, "y");
    assertEquals(List.of("x"), ids(index.topN(q, w, Set.of(), 10)));
    assertNull(index.vector(0, "y"));
    assertArrayEquals(new float[] {1, 0}, index.vector(0, "x"));
    assertEquals(1, index.stats(0).items());
    assertEquals(4, index.stats(0).latestEventTime());
  }

  @Test
  void shouldRejectVectorsOfAnotherLengthAndMismatchedQueries() {
    ItemIndex index = new ItemIndex(List.of("a"));
    assertTrue(index.upsert(0, "x", new float[] {1, 2, 3}, 1));
    assertFalse(index.upsert(0, "y", new float[] {1, 2}, 1));
    assertEquals(1, index.size());
    assertThrows(IllegalArgumentException.class, () -> index.topN(new float[][] {{1, 2}}, new float[] {1},
        Set.of(), 3));
  }

  @Test
  void shouldGrowPastItsInitialCapacityKeepingEveryVector() {
    ItemIndex index = new ItemIndex(List.of("a"));
    for (int v = 0; v < 5000; v++) {
      index.upsert(0, "i" + v, new float[] {v, 1}, v);
    }
    assertEquals(5000, index.size());
    assertArrayEquals(new float[] {1234, 1}, index.vector(0, "i1234"));
    assertEquals(List.of("i4999", "i4998"), ids(index.topN(new float[][] {{1, 0}}, new float[] {1}, Set.of(), 2)));
  }

  private static List<String> ids(List<ItemIndex.Hit> hits) {
    List<String> out = new ArrayList<>();
    hits.forEach(h -> out.add(h.itemId()));
    return out;
  }

  private static float[] random(Rng rng, int dim) {
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = rng.nextFloat() * 2 - 1;
    }
    return v;
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
