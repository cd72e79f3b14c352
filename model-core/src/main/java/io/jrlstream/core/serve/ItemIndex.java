package io.jrlstream.core.serve;

import io.jrlstream.core.eval.TopN;
import io.jrlstream.core.math.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The in-memory scoring index of the served item vectors (DESIGN.md §2 "Serving"): one dense row-major
 * {@code float} block per view (contiguous, row = item slot), item ids mapped to dense slots in one place
 * and shared by every view, and exact top-N of s(u, v) = Σ_k w_k · (u_k · v_k) (DESIGN.md §1 "Score";
 * every view's score, the rating view's included, is the plain dot product the model ranks with, see
 * {@code View#score}).
 *
 * <p>An item that has a vector in some views only gets 0 from the others; an item with no vector in any
 * queried view is never returned. Rows are updated in place as vectors change; a removed vector (tombstone)
 * zeroes its row. Slots are never reused, so a slot stays the same item for the life of the index.
 *
 * <p>Two-pass exact scan: next to the float rows the index keeps one 8-bit row per item holding all the
 * served views (one scale per item, a quarter of the bytes) and per view a bound r on how far a score from
 * the 8-bit copy can be from the float score. {@link #topN} scores every item from its 8-bit row first, with
 * one dot product against the query's views concatenated and multiplied by their weights (lower bound
 * a − b, upper bound a + b with b = Σ_k |w_k|·‖q_k‖₂·r_k), keeps the items whose upper bound reaches the n-th
 * best lower bound, and re-scores only those from the float rows, exactly as {@link #topNFullScan} does: the
 * answer is the same, bit for bit and tie for tie (see {@link #quantize} for the bound's terms).
 *
 * <p>The arithmetic lives in the shared kernels: every float score (full scan, re-scoring, contributions) is
 * {@link Vectors#dotRows}, the routine the offline evaluator's {@code EjrlModel} scores with, so serving and
 * evaluation rank by the same bits; the 8-bit rows are {@link Vectors#quantize} and {@link Vectors#dotBytes};
 * selection is {@link TopN} (the n best lower bounds with {@link TopN#offerLargest}, the answer with
 * {@link TopN#select}, whose tie-break is the lower slot).
 *
 * <p>Lifecycle: filled by the serving topology's global item processors (and rebuilt from their stores on
 * restart), read by queries. Thread-safe: writers take a write lock for one row, queries a read lock for
 * their scan. Queries allocate nothing per item; each query thread keeps its scratch arrays of the index's
 * size (grown when the index grows).
 */
public final class ItemIndex {
  private static final int INITIAL_CAPACITY = 1024;
  /**
   * Rows and |w_k|·‖q_k‖₂ above this get no bound (re-scored, resp. full scan): then every float product and
   * sum stays below 2¹²⁷ and the relative rounding model of {@link #quantize} holds.
   */
  private static final float LARGE = 1e12f;

  private final List<String> views;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, Integer> slots = new HashMap<>();
  private final Block[] blocks;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
  private final LongAdder twoPassQueries = new LongAdder();
  private final LongAdder rescored = new LongAdder();
  private String[] ids = new String[INITIAL_CAPACITY];
  /** Bit k set: the item has a vector in view k. */
  private int[] present = new int[INITIAL_CAPACITY];
  private int size;

  /** One view's vectors. Guarded by the index's lock. */
  private static final class Block {
    int dim = -1;
    float[] data = new float[0];
    /** Per row: the bound r of {@link #quantize}; +∞ for a row with a non-finite or huge value. */
    float[] bound = new float[0];
    /** Where this view's values start in an 8-bit row, −1 before its first vector. */
    int offset = -1;
    int count;
    long updates;
    long latestEventTime;
    boolean initialised;

    void allocate(int capacity) {
      data = Arrays.copyOf(data, capacity * dim);
      bound = Arrays.copyOf(bound, capacity);
    }
  }

  /** The 8-bit rows: item v's view k is rowBytes[v·stride + offset_k ..+dim_k) · rowScale[v]. */
  private byte[] rowBytes = new byte[0];
  private float[] rowScale = new float[0];
  private int stride;

  /**
   * Writes item v's 8-bit row (scale = the largest |value| over its views / 127) and per view k its bound
   * r_k = d_k·(1 + ρ) + ρ·‖v_k‖₂, where d_k = ‖v_k − scale·bytes_k‖₂ is the quantisation error
   * (Cauchy–Schwarz: |q_k·v_k − scale·(q_k·bytes_k)| ≤ ‖q_k‖₂·d_k) and ρ = 4·(stride + 64)·2⁻²⁴ covers the
   * float rounding of the full scan's dot product (γ_dim·‖q_k‖₂·‖v_k‖₂), of the one over the 8-bit row
   * (γ_stride·|w_k|·‖q_k‖₂·(‖v_k‖₂ + d_k) for view k's share), of the weights applied to the query and of
   * the weighted sum over at most 31 views (γ_32·|w_k|·‖q_k‖₂·‖v_k‖₂), with room to spare for rows below 2²⁰
   * values. Computed in double, rounded up. A view holding a non-finite value or one above {@link #LARGE}
   * gets r = +∞ (the item is always re-scored) and the item scale 0, so that no float score can overflow.
   */
  private void quantize(int v) {
    float max = 0;
    for (Block b : blocks) {
      max = Math.max(max, Vectors.maxAbs(b.data, v * b.dim, b.dim));
    }
    float sc = max <= LARGE ? max / 127f : 0f; // false for NaN and ∞ too
    double rho = 4.0 * (stride + 64) * 0x1p-24;
    for (Block b : blocks) {
      if (b.dim < 0) {
        continue;
      }
      int o = v * b.dim;
      double err = Vectors.quantize(b.data, o, b.dim, sc, rowBytes, v * stride + b.offset);
      double r = Math.sqrt(err) * (1 + rho) + rho * Math.sqrt(Vectors.squaredNorm(b.data, o, b.dim));
      boolean bounded = Vectors.maxAbs(b.data, o, b.dim) <= LARGE;
      b.bound[v] = bounded ? Math.nextUp((float) (r * (1 + 0x1p-40))) : Float.POSITIVE_INFINITY;
    }
    rowScale[v] = sc;
  }

  /** Lays the 8-bit rows out again after a view got its dimension, and re-quantises every item. */
  private void relayout() {
    stride = 0;
    for (Block b : blocks) {
      if (b.dim > 0) {
        b.offset = stride;
        stride += b.dim;
      }
    }
    rowBytes = new byte[ids.length * stride];
    rowScale = new float[ids.length];
    for (int v = 0; v < size; v++) {
      quantize(v);
    }
  }

  /** One query thread's work arrays. */
  private static final class Scratch {
    float[] scores = new float[0];
    /** Candidates' upper bounds, by position in slots. */
    double[] high = new double[0];
    /** The n best lower bounds so far ({@link TopN#offerLargest}'s min-heap). */
    double[] low = new double[0];
    int[] slots = new int[0];
    int[] heap = new int[0];
    private float[] query = new float[0];

    /** A zeroed array of the given length for the weighted query. */
    float[] query(int length) {
      if (query.length != length) {
        query = new float[length];
      } else {
        Arrays.fill(query, 0f);
      }
      return query;
    }

    void ensure(int size, int n) {
      if (scores.length < size) {
        int cap = Math.max(size, scores.length + (scores.length >> 1));
        scores = new float[cap];
        high = new double[cap];
        slots = new int[cap];
      }
      if (heap.length < n) {
        heap = new int[n];
        low = new double[n];
      }
    }
  }

  /**
   * @param views the served views (at most 31), in a fixed order: index {@code k} below is a position in it
   */
  public ItemIndex(List<String> views) {
    if (views.isEmpty() || views.size() > 31) {
      throw new IllegalArgumentException("an index serves 1 to 31 views, got " + views);
    }
    this.views = List.copyOf(views);
    this.blocks = new Block[views.size()];
    for (int k = 0; k < blocks.length; k++) {
      blocks[k] = new Block();
    }
  }

  /** The served views, in index order. */
  public List<String> views() {
    return views;
  }

  /** The position of {@code view}, or −1 when it is not served. */
  public int viewIndex(String view) {
    return views.indexOf(view);
  }

  /**
   * Sets the item's vector in view k (adding the item when new).
   *
   * @param eventTime event time of the vector's latest training event (ms), for freshness figures
   * @return false when the vector's length differs from the view's dimension (set by its first vector), in
   *     which case nothing changes
   */
  public boolean upsert(int k, String itemId, float[] vector, long eventTime) {
    lock.writeLock().lock();
    try {
      Block b = blocks[k];
      if (b.dim < 0) {
        b.dim = vector.length;
        b.allocate(ids.length);
        relayout();
      } else if (vector.length != b.dim) {
        return false;
      }
      int slot = slotForWrite(itemId);
      System.arraycopy(vector, 0, b.data, slot * b.dim, b.dim);
      quantize(slot);
      if ((present[slot] & (1 << k)) == 0) {
        present[slot] |= 1 << k;
        b.count++;
      }
      b.updates++;
      b.latestEventTime = Math.max(b.latestEventTime, eventTime);
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Removes the item's vector from view k (a tombstone); the item keeps its slot. */
  public void remove(int k, String itemId) {
    lock.writeLock().lock();
    try {
      Integer slot = slots.get(itemId);
      Block b = blocks[k];
      if (slot == null || (present[slot] & (1 << k)) == 0) {
        return;
      }
      Arrays.fill(b.data, slot * b.dim, (slot + 1) * b.dim, 0f);
      quantize(slot);
      present[slot] &= ~(1 << k);
      b.count--;
      b.updates++;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Marks view k as loaded from its store (the index answers for it from now on). */
  public void markInitialised(int k) {
    lock.writeLock().lock();
    try {
      blocks[k].initialised = true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Per-view state for readiness and responses. */
  public record ViewStats(String view, boolean initialised, int items, int dim, long updates, long latestEventTime) {}

  /** The state of view k. */
  public ViewStats stats(int k) {
    lock.readLock().lock();
    try {
      Block b = blocks[k];
      return new ViewStats(views.get(k), b.initialised, b.count, b.dim, b.updates, b.latestEventTime);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Number of item slots (items that have or had a vector in some view). */
  public int size() {
    lock.readLock().lock();
    try {
      return size;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A copy of the item's vector in view k, or null when it has none. */
  public float[] vector(int k, String itemId) {
    lock.readLock().lock();
    try {
      Integer slot = slots.get(itemId);
      Block b = blocks[k];
      if (slot == null || (present[slot] & (1 << k)) == 0) {
        return null;
      }
      return Arrays.copyOfRange(b.data, slot * b.dim, (slot + 1) * b.dim);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * A consistent copy of the items and the given views' vectors, concatenated per item in the given order
   * (zeros where an item has no vector in a view), for building other indexes (e.g. streams' HNSW graph).
   *
   * @param ks view positions
   * @return ids[slot] and one concatenated vector per slot
   */
  public Snapshot snapshot(int... ks) {
    lock.readLock().lock();
    try {
      int total = 0;
      for (int k : ks) {
        total += Math.max(0, blocks[k].dim);
      }
      float[][] vectors = new float[size][total];
      for (int v = 0; v < size; v++) {
        int o = 0;
        for (int k : ks) {
          int dim = blocks[k].dim;
          if (dim > 0) {
            System.arraycopy(blocks[k].data, v * dim, vectors[v], o, dim);
            o += dim;
          }
        }
      }
      return new Snapshot(Arrays.copyOf(ids, size), vectors);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** See {@link #snapshot}. */
  public record Snapshot(String[] ids, float[][] vectors) {}

  /** One selected item: its id, s(u, v), and each view's contribution w_k · (u_k · v_k) (0 where absent). */
  public record Hit(String itemId, float score, float[] contributions) {}

  /**
   * Exact top-n of s(u, v) = Σ_k w_k · (q_k · v_k) over every item with a vector in at least one view k
   * that has a query vector and a non-zero weight, skipping the excluded items. Ties rank the older item
   * (lower slot) first (see {@link TopN}). Scans the 8-bit copies first and re-scores the candidates from
   * the float rows (see the class comment): the same answer as {@link #topNFullScan}, scores included.
   *
   * @param query one query vector per view (index order); null where the view does not take part; read only
   * @param weights one weight per view; read only
   * @param excluded item ids not to return (unknown ids are ignored)
   * @param n how many items, at least 0
   * @return at most n hits, best first
   * @throws IllegalArgumentException when a query vector's length differs from its view's dimension
   */
  public List<Hit> topN(float[][] query, float[] weights, Collection<String> excluded, int n) {
    return topN(query, weights, excluded, n, true);
  }

  /**
   * {@link #topN} by scoring every item from its float rows (the reference the two-pass scan is tested and
   * benchmarked against).
   */
  public List<Hit> topNFullScan(float[][] query, float[] weights, Collection<String> excluded, int n) {
    return topN(query, weights, excluded, n, false);
  }

  private List<Hit> topN(float[][] query, float[] weights, Collection<String> excluded, int n, boolean twoPass) {
    if (query.length != blocks.length || weights.length != blocks.length) {
      throw new IllegalArgumentException("index has " + blocks.length + " views, query has " + query.length
          + " vectors and " + weights.length + " weights");
    }
    if (n < 0) {
      throw new IllegalArgumentException("n must be at least 0, got " + n);
    }
    lock.readLock().lock();
    try {
      int used = 0;
      for (int k = 0; k < blocks.length; k++) {
        if (query[k] != null && weights[k] != 0f && blocks[k].dim > 0) {
          if (query[k].length != blocks[k].dim) {
            throw new IllegalArgumentException("view " + views.get(k) + ": query vector has "
                + query[k].length + " floats, items have " + blocks[k].dim);
          }
          used |= 1 << k;
        }
      }
      int[] ex = slotsOf(excluded);
      int want = Math.min(n, size);
      Scratch sc = scratch.get();
      sc.ensure(size, want);
      int[] out = new int[want];
      float[] scores;
      int got;
      if (twoPass && want > 0 && finiteCoefficients(query, weights, used)) {
        got = twoPass(query, weights, used, ex, want, sc);
        scores = sc.scores;
        for (int i = 0; i < got; i++) {
          out[i] = sc.slots[sc.heap[i]];
        }
      } else {
        scores = sc.scores;
        score(query, weights, used, scores);
        got = TopN.select(scores, size, ex, 0, ex.length, want, out);
        for (int i = 0; i < got; i++) {
          sc.heap[i] = out[i]; // the score of out[i] is scores[heap[i]] in both branches
        }
      }
      List<Hit> hits = new ArrayList<>(got);
      for (int i = 0; i < got; i++) {
        int slot = out[i];
        float score = scores[sc.heap[i]];
        if (Float.isNaN(score)) {
          break; // only items without any queried vector remain
        }
        hits.add(new Hit(ids[slot], score, contributions(query, weights, used, slot)));
      }
      return hits;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Whether |w_k|·‖q_k‖₂ is finite for every used view (else the bounds say nothing: full scan). */
  private boolean finiteCoefficients(float[][] query, float[] weights, int used) {
    for (int k = 0; k < blocks.length; k++) {
      if ((used & (1 << k)) != 0) {
        double c = Math.abs(weights[k]) * Math.sqrt(Vectors.squaredNorm(query[k], 0, blocks[k].dim));
        if (!(c <= LARGE)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The two-pass scan. Pass 1: per eligible item (a vector in a used view, not excluded) a = scale ·
   * (qw · bytes), qw the used views' w_k·q_k laid out like the 8-bit rows (zeros elsewhere), and
   * b = Σ_k |w_k|·‖q_k‖₂·r_k (enlarged to cover the double arithmetic), so the float score s lies in
   * [a − b, a + b]; L = the n-th best lower bound (−∞ when fewer than n items have one). Every item whose
   * upper bound is below L scores below n other items and cannot be in the answer. A min-heap keeps the n
   * best lower bounds seen so far, whose least only rises towards L, so an item whose upper bound is below it
   * is dropped at once and the others are kept as candidates with their upper bound. Pass 2 drops the
   * candidates below the final L and scores the rest from the float rows with the same float operations as
   * {@link #score} into {@code sc.scores[0..m)}, their slots in {@code sc.slots}, ascending, so TopN's
   * tie-break (lower position) is still the lower slot.
   *
   * @return how many answers, their positions in sc.heap[0..got), best first
   */
  private int twoPass(float[][] query, float[] weights, int used, int[] ex, int n, Scratch sc) {
    int views = Integer.bitCount(used);
    int[] ks = new int[views];
    double[] coef = new double[views];
    // Absolute rounding of subnormal results, which the relative model misses: the full scan's products and
    // sums, and the 8-bit row's (each below 2⁻¹⁴⁹ before the scale, which is at most LARGE / 127).
    double underflow = 4.0 * stride * LARGE * 0x1p-149;
    for (int k = 0, j = 0; k < blocks.length; k++) {
      if ((used & (1 << k)) != 0) {
        ks[j] = k;
        coef[j++] = Math.abs(weights[k]) * Math.sqrt(Vectors.squaredNorm(query[k], 0, blocks[k].dim));
        underflow += (Math.abs(weights[k]) * (2.0 * blocks[k].dim + 64) + 2) * 0x1p-147;
      }
    }
    float[] qw = sc.query(stride);
    for (int j = 0; j < views; j++) {
      Block bk = blocks[ks[j]];
      Vectors.scale(weights[ks[j]], query[ks[j]], 0, qw, bk.offset, bk.dim);
    }
    float[][] bounds = new float[views][];
    for (int j = 0; j < views; j++) {
      bounds[j] = blocks[ks[j]].bound;
    }
    double[] low = sc.low;
    double[] high = sc.high;
    int[] slots = sc.slots;
    int filled = 0;
    double least = Double.NEGATIVE_INFINITY; // the least of the n best lower bounds so far
    int m = 0;
    int e = 0;
    for (int v = 0; v < size; v++) {
      while (e < ex.length && ex[e] < v) {
        e++;
      }
      if ((present[v] & used) == 0 || (e < ex.length && ex[e] == v)) {
        continue; // not eligible
      }
      double a = (double) rowScale[v] * Vectors.dotBytes(qw, 0, rowBytes, v * stride, stride);
      double b = 0;
      for (int j = 0; j < views; j++) {
        b += coef[j] * bounds[j][v];
      }
      b = b * (1 + 0x1p-20) + Math.abs(a) * 0x1p-40 + underflow; // + the double arithmetic's own rounding
      double hi = a + b;
      if (hi < least) {
        continue; // NaN (an unbounded row) never compares below: kept
      }
      slots[m] = v;
      high[m++] = hi;
      filled = TopN.offerLargest(low, filled, n, a - b);
      if (filled == n) {
        least = low[0];
      }
    }
    int kept = 0;
    for (int i = 0; i < m; i++) {
      if (!(high[i] < least)) {
        int v = slots[i];
        slots[kept] = v;
        exactScore(query, weights, ks, v, sc.scores, kept++);
      }
    }
    m = kept;
    twoPassQueries.increment();
    rescored.add(m);
    return TopN.select(sc.scores, m, ex, 0, 0, n, sc.heap);
  }

  /** Items re-scored from the float rows per two-pass query so far, on average (0 before any); for figures. */
  public double meanRescored() {
    long q = twoPassQueries.sum();
    return q == 0 ? 0 : rescored.sum() / (double) q;
  }

  /** Writes item v's score to out[at] with the float operations of {@link #score}: views in index order. */
  private void exactScore(float[][] query, float[] weights, int[] ks, int v, float[] out, int at) {
    for (int j = 0; j < ks.length; j++) {
      int k = ks[j];
      int dim = blocks[k].dim;
      Vectors.dotRows(weights[k], query[k], 0, blocks[k].data, v * dim, dim, 1, out, at, j > 0);
    }
  }

  /** scores[v] = Σ_k w_k q_k·v_k over the used views; NaN for items with no vector in any used view. */
  private void score(float[][] query, float[] weights, int used, float[] scores) {
    boolean first = true;
    for (int k = 0; k < blocks.length; k++) {
      if ((used & (1 << k)) != 0) {
        Vectors.dotRows(weights[k], query[k], 0, blocks[k].data, 0, blocks[k].dim, size, scores, 0, !first);
        first = false;
      }
    }
    for (int v = 0; v < size; v++) {
      if ((present[v] & used) == 0) {
        scores[v] = Float.NaN;
      }
    }
  }

  private float[] contributions(float[][] query, float[] weights, int used, int slot) {
    float[] c = new float[blocks.length];
    for (int k = 0; k < blocks.length; k++) {
      if ((used & (1 << k)) != 0 && (present[slot] & (1 << k)) != 0) {
        int dim = blocks[k].dim;
        Vectors.dotRows(weights[k], query[k], 0, blocks[k].data, slot * dim, dim, 1, c, k, false);
      }
    }
    return c;
  }

  private int[] slotsOf(Collection<String> excluded) {
    int[] ex = new int[excluded.size()];
    int m = 0;
    for (String id : excluded) {
      Integer s = slots.get(id);
      if (s != null) {
        ex[m++] = s;
      }
    }
    ex = Arrays.copyOf(ex, m);
    Arrays.sort(ex);
    return ex;
  }

  private int slotForWrite(String itemId) {
    Integer slot = slots.get(itemId);
    if (slot != null) {
      return slot;
    }
    if (size == ids.length) {
      grow(ids.length * 2);
    }
    ids[size] = itemId;
    slots.put(itemId, size);
    return size++;
  }

  /** Ensures room for {@code capacity} items without growing (bulk loads, benchmarks). */
  public void reserve(int capacity) {
    lock.writeLock().lock();
    try {
      if (capacity > ids.length) {
        grow(capacity);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Makes room for {@code capacity} item slots in every per-item array. Under the write lock. */
  private void grow(int capacity) {
    ids = Arrays.copyOf(ids, capacity);
    present = Arrays.copyOf(present, capacity);
    for (Block b : blocks) {
      if (b.dim > 0) {
        b.allocate(capacity);
      }
    }
    rowBytes = Arrays.copyOf(rowBytes, capacity * stride);
    rowScale = Arrays.copyOf(rowScale, capacity);
  }
}
