package io.jrlstream.streams.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;

/**
 * The approximate index option (issue 4): a Lucene HNSW graph (maximum inner product) over a snapshot of the
 * {@link ItemIndex}, with the served views' item vectors concatenated, so that one graph answers any weights:
 * the query is the concatenation of w_k · u_k, whose inner product with an item's concatenation is exactly
 * s(u, v). The graph returns {@code max(ef, n + excluded)} candidates; the excluded ones are dropped and the
 * rest ranked by their exact score.
 *
 * <p>Lifecycle: built once from a snapshot ({@link #build}, expensive: O(items · beamWidth · log items)
 * inner products), then read-only; it does not follow later vector updates (a rebuild policy for live
 * serving is not built yet). Thread-safe for queries.
 */
public final class HnswIndex {
  private final List<String> views;
  private final int[] dims;
  private final String[] ids;
  private final RandomAccessVectorValues.Floats vectors;
  private final OnHeapHnswGraph graph;

  private HnswIndex(List<String> views, int[] dims, String[] ids, RandomAccessVectorValues.Floats vectors,
      OnHeapHnswGraph graph) {
    this.views = views;
    this.dims = dims;
    this.ids = ids;
    this.vectors = vectors;
    this.graph = graph;
  }

  /**
   * Builds the graph over every item of {@code index} in the given views.
   *
   * @param maxConn HNSW M (neighbours per node; Lucene's default 16)
   * @param beamWidth candidates kept while inserting (Lucene's default 100)
   */
  public static HnswIndex build(ItemIndex index, List<String> views, int maxConn, int beamWidth, long seed) {
    int[] ks = views.stream().mapToInt(index::viewIndex).toArray();
    int[] dims = new int[ks.length];
    for (int i = 0; i < ks.length; i++) {
      if (ks[i] < 0) {
        throw new IllegalArgumentException("view " + views.get(i) + " is not in the index " + index.views());
      }
      dims[i] = index.stats(ks[i]).dim();
    }
    ItemIndex.Snapshot snap = index.snapshot(ks);
    int total = Arrays.stream(dims).map(d -> Math.max(0, d)).sum();
    RandomAccessVectorValues.Floats values = RandomAccessVectorValues.fromFloats(Arrays.asList(snap.vectors()),
        total);
    try {
      HnswGraphBuilder builder = HnswGraphBuilder.create(DefaultFlatVectorScorer.INSTANCE
          .getRandomVectorScorerSupplier(VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT, values), maxConn,
          beamWidth, seed);
      return new HnswIndex(List.copyOf(views), dims, snap.ids(), values, builder.build(snap.ids().length));
    } catch (IOException e) {
      throw new UncheckedIOException("building the HNSW graph failed", e);
    }
  }

  /** Items in the graph. */
  public int size() {
    return ids.length;
  }

  /**
   * The (approximately) best n items for per-view query vectors and weights (same order as the views the
   * index was built over; a null vector or zero weight leaves the view out), excluded items skipped.
   *
   * @param ef candidates the graph search keeps (more: better recall, slower)
   * @return item ids, best first by exact s(u, v) among the candidates
   */
  public List<String> topN(float[][] query, float[] weights, Collection<String> excluded, int n, int ef) {
    float[] q = new float[vectors.dimension()];
    for (int i = 0, o = 0; i < dims.length; o += Math.max(0, dims[i]), i++) {
      if (query[i] != null && weights[i] != 0) {
        if (query[i].length != dims[i]) {
          throw new IllegalArgumentException("view " + views.get(i) + ": query vector has " + query[i].length
              + " floats, items have " + dims[i]);
        }
        for (int d = 0; d < dims[i]; d++) {
          q[o + d] = weights[i] * query[i][d];
        }
      }
    }
    try {
      RandomVectorScorer scorer = DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(
          VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT, vectors.copy(), q);
      KnnCollector c = HnswGraphSearcher.search(scorer, Math.max(ef, n + excluded.size()), graph, null,
          Integer.MAX_VALUE);
      TopDocs top = c.topDocs();
      List<String> out = new ArrayList<>(n);
      // Scores come back already ordered by the transformed inner product, which is monotone in s(u, v).
      for (var sd : top.scoreDocs) {
        String id = ids[sd.doc];
        if (!excluded.contains(id)) {
          out.add(id);
          if (out.size() == n) {
            break;
          }
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("HNSW search failed", e);
    }
  }
}
