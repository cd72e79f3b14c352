package io.jrlstream.streams.serve;

import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.serve.ItemIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.TaskExecutor;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.VectorUtil;
import org.apache.lucene.util.hnsw.HnswConcurrentMergeBuilder;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;
import org.apache.lucene.util.hnsw.RandomVectorScorer;
import org.apache.lucene.util.hnsw.RandomVectorScorerSupplier;

/**
 * The approximate index option (issue 4): a Lucene HNSW graph (maximum inner product) over a snapshot of the
 * {@link ItemIndex}, with the served views' item vectors concatenated, so that one graph answers any weights:
 * the query is the concatenation of w_k · u_k, whose inner product with an item's concatenation is exactly
 * s(u, v). The graph returns {@code max(ef, n + excluded)} candidates; the excluded ones are dropped and the
 * rest ranked by their exact score.
 *
 * <p>Inner products: by default {@link Vectors#dot} (SIMD on Java 17, where Lucene 9.12's own scorer falls back
 * to scalar code), scaled to Lucene's maximum-inner-product score as its own scorer does; {@code luceneScorer}
 * keeps Lucene's (the reference for build-time figures).
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
  private final DotScorers dotScorers;
  private final OnHeapHnswGraph graph;

  private HnswIndex(List<String> views, int[] dims, String[] ids, RandomAccessVectorValues.Floats vectors,
      DotScorers dotScorers, OnHeapHnswGraph graph) {
    this.views = views;
    this.dims = dims;
    this.ids = ids;
    this.vectors = vectors;
    this.dotScorers = dotScorers;
    this.graph = graph;
  }

  /** Lucene's maximum-inner-product scores over read-only rows, with {@link Vectors#dot}. Thread-safe. */
  private record DotScorers(float[][] rows) implements RandomVectorScorerSupplier {
    @Override
    public RandomVectorScorer scorer(int ord) {
      return scorer(rows[ord]);
    }

    RandomVectorScorer scorer(float[] q) {
      return new RandomVectorScorer() {
        @Override
        public float score(int node) {
          return VectorUtil.scaleMaxInnerProductScore(Vectors.dot(q, 0, rows[node], 0, q.length));
        }

        @Override
        public int maxOrd() {
          return rows.length;
        }
      };
    }

    @Override
    public RandomVectorScorerSupplier copy() {
      return this; // stateless
    }
  }

  /** {@link #build(ItemIndex, List, int, int, long, boolean, int)} with {@link Vectors#dot}, one thread. */
  public static HnswIndex build(ItemIndex index, List<String> views, int maxConn, int beamWidth, long seed) {
    return build(index, views, maxConn, beamWidth, seed, false, 1);
  }

  /**
   * Builds the graph over every item of {@code index} in the given views.
   *
   * @param maxConn HNSW M (neighbours per node; Lucene's default 16)
   * @param beamWidth candidates kept while inserting (Lucene's default 100)
   * @param luceneScorer score with Lucene's own inner product instead of {@link Vectors#dot}
   * @param threads insert with this many threads (Lucene's concurrent merge builder when above 1; its graph
   *     then depends on thread timing, not only on the seed)
   */
  public static HnswIndex build(ItemIndex index, List<String> views, int maxConn, int beamWidth, long seed,
      boolean luceneScorer, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
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
      DotScorers dot = luceneScorer ? null : new DotScorers(snap.vectors());
      RandomVectorScorerSupplier scorers = luceneScorer ? DefaultFlatVectorScorer.INSTANCE
          .getRandomVectorScorerSupplier(VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT, values) : dot;
      int n = snap.ids().length;
      HnswGraphBuilder builder = HnswGraphBuilder.create(scorers, maxConn, beamWidth, seed, n);
      if (threads == 1) {
        return new HnswIndex(List.copyOf(views), dims, snap.ids(), values, dot, builder.build(n));
      }
      ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "jrl-hnsw-build");
        t.setDaemon(true);
        return t;
      });
      try {
        OnHeapHnswGraph graph = new HnswConcurrentMergeBuilder(new TaskExecutor(pool), threads, scorers, maxConn,
            beamWidth, builder.getGraph(), null).build(n);
        return new HnswIndex(List.copyOf(views), dims, snap.ids(), values, dot, graph);
      } finally {
        pool.shutdownNow();
      }
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
      RandomVectorScorer scorer = dotScorers != null ? dotScorers.scorer(q) : DefaultFlatVectorScorer.INSTANCE
          .getRandomVectorScorer(VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT, vectors.copy(), q);
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
