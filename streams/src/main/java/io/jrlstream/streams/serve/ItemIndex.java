package io.jrlstream.streams.serve;

import io.jrlstream.core.eval.TopN;
import io.jrlstream.core.math.Vectors;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Lifecycle: filled by the serving topology's global item processors (and rebuilt from their stores on
 * restart), read by queries. Thread-safe: writers take a write lock for one row, queries a read lock for
 * their scan. Queries allocate nothing per item; each query thread keeps one score array of the index's
 * size (grown when the index grows).
 */
public final class ItemIndex {
  private static final int INITIAL_CAPACITY = 1024;

  private final List<String> views;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, Integer> slots = new HashMap<>();
  private final Block[] blocks;
  private final ThreadLocal<float[]> scratch = ThreadLocal.withInitial(() -> new float[0]);
  private String[] ids = new String[INITIAL_CAPACITY];
  /** Bit k set: the item has a vector in view k. */
  private int[] present = new int[INITIAL_CAPACITY];
  private int size;

  /** One view's vectors. Guarded by the index's lock. */
  private static final class Block {
    int dim = -1;
    float[] data = new float[0];
    int count;
    long updates;
    long latestEventTime;
    boolean initialised;
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
        b.data = new float[ids.length * b.dim];
      } else if (vector.length != b.dim) {
        return false;
      }
      int slot = slotForWrite(itemId);
      System.arraycopy(vector, 0, b.data, slot * b.dim, b.dim);
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
   * (zeros where an item has no vector in a view), for building other indexes (e.g. {@link HnswIndex}).
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
   * (lower slot) first (see {@link TopN}).
   *
   * @param query one query vector per view (index order); null where the view does not take part; read only
   * @param weights one weight per view; read only
   * @param excluded item ids not to return (unknown ids are ignored)
   * @param n how many items, at least 0
   * @return at most n hits, best first
   * @throws IllegalArgumentException when a query vector's length differs from its view's dimension
   */
  public List<Hit> topN(float[][] query, float[] weights, java.util.Collection<String> excluded, int n) {
    if (query.length != blocks.length || weights.length != blocks.length) {
      throw new IllegalArgumentException("index has " + blocks.length + " views, query has " + query.length
          + " vectors and " + weights.length + " weights");
    }
    lock.readLock().lock();
    try {
      int used = 0;
      for (int k = 0; k < blocks.length; k++) {
        if (query[k] != null && weights[k] != 0f && blocks[k].dim > 0) {
          if (query[k].length != blocks[k].dim) {
            throw new IllegalArgumentException("view " + views.get(k) + ": query vector has " + query[k].length
                + " floats, items have " + blocks[k].dim);
          }
          used |= 1 << k;
        }
      }
      float[] scores = scores(size);
      score(query, weights, used, scores);
      int[] ex = slotsOf(excluded);
      int[] out = new int[Math.min(n, size)];
      int got = TopN.select(scores, size, ex, 0, ex.length, out.length, out);
      java.util.ArrayList<Hit> hits = new java.util.ArrayList<>(got);
      for (int i = 0; i < got; i++) {
        int slot = out[i];
        if (Float.isNaN(scores[slot])) {
          break; // only items without any queried vector remain
        }
        hits.add(new Hit(ids[slot], scores[slot], contributions(query, weights, used, slot)));
      }
      return hits;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** scores[v] = Σ_k w_k q_k·v_k over the used views; NaN for items with no vector in any used view. */
  private void score(float[][] query, float[] weights, int used, float[] scores) {
    boolean first = true;
    for (int k = 0; k < blocks.length; k++) {
      if ((used & (1 << k)) == 0) {
        continue;
      }
      float w = weights[k];
      float[] q = query[k];
      float[] data = blocks[k].data;
      int dim = blocks[k].dim;
      if (first) {
        for (int v = 0, o = 0; v < size; v++, o += dim) {
          scores[v] = w * Vectors.dot(q, 0, data, o, dim);
        }
        first = false;
      } else {
        for (int v = 0, o = 0; v < size; v++, o += dim) {
          scores[v] += w * Vectors.dot(q, 0, data, o, dim);
        }
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
        c[k] = weights[k] * Vectors.dot(query[k], 0, blocks[k].data, slot * dim, dim);
      }
    }
    return c;
  }

  private int[] slotsOf(java.util.Collection<String> excluded) {
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

  private float[] scores(int n) {
    float[] s = scratch.get();
    if (s.length < n) {
      s = new float[Math.max(n, s.length + (s.length >> 1))];
      scratch.set(s);
    }
    return s;
  }

  private int slotForWrite(String itemId) {
    Integer slot = slots.get(itemId);
    if (slot != null) {
      return slot;
    }
    if (size == ids.length) {
      int cap = ids.length * 2;
      ids = Arrays.copyOf(ids, cap);
      present = Arrays.copyOf(present, cap);
      for (Block b : blocks) {
        if (b.dim > 0) {
          b.data = Arrays.copyOf(b.data, cap * b.dim);
        }
      }
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
        ids = Arrays.copyOf(ids, capacity);
        present = Arrays.copyOf(present, capacity);
        for (Block b : blocks) {
          if (b.dim > 0) {
            b.data = Arrays.copyOf(b.data, capacity * b.dim);
          }
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
