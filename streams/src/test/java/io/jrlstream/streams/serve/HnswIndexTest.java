package io.jrlstream.streams.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.math.Rng;
import io.jrlstream.core.serve.ItemIndex;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HnswIndexTest {
  /** Over two concatenated views with weights, HNSW finds nearly the exact top-10 and honours exclusions. */
  @Test
  void shouldFindNearlyTheExactTopNWithWeightsAndExclusions() {
    Rng rng = new Rng(5);
    ItemIndex index = new ItemIndex(List.of("a", "b"));
    float[][] centroids = new float[8][16];
    for (float[] c : centroids) {
      fill(rng, c, 1f);
    }
    for (int v = 0; v < 1000; v++) {
      for (int k = 0; k < 2; k++) {
        float[] x = new float[16];
        fill(rng, x, 0.3f);
        float[] c = centroids[rng.nextInt(8)];
        for (int i = 0; i < 16; i++) {
          x[i] += c[i];
        }
        index.upsert(k, "i" + v, x, 0);
      }
    }
    for (boolean luceneScorer : new boolean[] {false, true}) {
      assertRecall(index, HnswIndex.build(index, List.of("a", "b"), 16, 64, 1, luceneScorer, 1), rng);
    }
    assertRecall(index, HnswIndex.build(index, List.of("a", "b"), 16, 64, 1, false, 2), rng);
  }

  private static void assertRecall(ItemIndex index, HnswIndex hnsw, Rng rng) {
    assertEquals(1000, hnsw.size());
    float[] w = {1f, 0.5f};
    double recall = 0;
    int queries = 30;
    for (int q = 0; q < queries; q++) {
      float[][] u = {new float[16], new float[16]};
      fill(rng, u[0], 1f);
      fill(rng, u[1], 1f);
      List<String> exact = index.topN(u, w, Set.of(), 12).stream().map(ItemIndex.Hit::itemId).toList();
      Set<String> excluded = Set.of(exact.get(0), exact.get(3));
      List<String> wanted = exact.stream().filter(id -> !excluded.contains(id)).limit(10).toList();
      List<String> got = hnsw.topN(u, w, excluded, 10, 100);
      assertEquals(10, got.size());
      assertFalse(got.stream().anyMatch(excluded::contains), "excluded items came back: " + got);
      recall += got.stream().filter(wanted::contains).count() / 10.0;
    }
    assertTrue(recall / queries > 0.9, "recall@10 " + recall / queries);
  }

  private static void fill(Rng rng, float[] x, float scale) {
    for (int i = 0; i < x.length; i++) {
      x[i] = (rng.nextFloat() * 2 - 1) * scale;
    }
  }
}
