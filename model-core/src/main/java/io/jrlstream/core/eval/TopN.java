package io.jrlstream.core.eval;

/**
 * Selects the k best items from a dense array of scores with a bounded binary min-heap (O(n log k)),
 * skipping excluded items (RankSys style; DESIGN.md §1 "Evaluation", §2 "Serving").
 *
 * <p>Order: a higher score ranks first; equal scores rank the lower item index first; NaN ranks as
 * −∞. The result is therefore a pure function of the scores and the exclusions.
 *
 * <p>Allocates nothing: the heap lives in the caller's output array. Stateless and thread-safe; callers
 * give each thread its own output array. {@link #offerLargest} keeps the k largest values of a stream the
 * same way, for thresholds (serving's two-pass scan).
 */
public final class TopN {
  private static final int[] NONE = new int[0];

  private TopN() {}

  /** {@link #select(float[], int, int[], int, int, int, int[])} over all of {@code scores}. */
  public static int select(float[] scores, int[] excluded, int k, int[] out) {
    int[] ex = excluded == null ? NONE : excluded;
    return select(scores, scores.length, ex, 0, ex.length, k, out);
  }

  /**
   * Writes the (up to) k best items among {@code [0, itemCount)} that are not excluded into
   * {@code out[0..returned)}, best first.
   *
   * @param scores score of each item; read only
   * @param itemCount number of items to consider, at most {@code scores.length}
   * @param excluded item indices to skip, ascending (duplicates allowed), in {@code [exFrom, exTo)};
   *     read only
   * @param k how many items to select, at least 0
   * @param out modified: receives the items; length at least k
   * @return the number of items written: min(k, itemCount − distinct excluded items in range)
   */
  public static int select(float[] scores, int itemCount, int[] excluded, int exFrom, int exTo, int k,
      int[] out) {
    if (k < 0) {
      throw new IllegalArgumentException("k must be at least 0, got " + k);
    }
    if (out.length < k) {
      throw new IllegalArgumentException("out has length " + out.length + ", k is " + k);
    }
    if (itemCount > scores.length) {
      throw new IllegalArgumentException("itemCount " + itemCount + " exceeds scores length " + scores.length);
    }
    if (k == 0) {
      return 0;
    }
    int size = 0;
    int e = exFrom;
    for (int v = 0; v < itemCount; v++) {
      while (e < exTo && excluded[e] < v) {
        e++;
      }
      if (e < exTo && excluded[e] == v) {
        continue;
      }
      float s = key(scores[v]);
      if (size < k) {
        out[size] = v;
        siftUp(scores, out, size);
        size++;
      } else if (s > key(scores[out[0]])) {
        // Equal to the root never replaces it: items come in ascending index, so the root ranks first.
        out[0] = v;
        siftDown(scores, out, 0, size);
      }
    }
    // Heap sort in place: the worst goes to the end each round, leaving the best first.
    for (int end = size - 1; end > 0; end--) {
      int t = out[0];
      out[0] = out[end];
      out[end] = t;
      siftDown(scores, out, 0, end);
    }
    return size;
  }

  /**
   * Offers x to a bounded min-heap of the (up to) k largest values seen so far, held in {@code heap[0..size)}:
   * once it holds k values, heap[0] is the k-th largest, a threshold that only rises (how a two-pass scan
   * knows which items can no longer reach the top k). A value equal to the threshold changes nothing, and
   * NaN is never kept. Allocates nothing.
   *
   * @param heap modified: the heap, length at least k
   * @param size how many values it holds, at most k
   * @param k how many values to keep, at least 0
   * @return the new size: size + 1 while fewer than k were held and x is a number, else size
   */
  public static int offerLargest(double[] heap, int size, int k, double x) {
    if (size < k) {
      if (x == x) {
        heap[size] = x;
        siftUp(heap, size);
        return size + 1;
      }
    } else if (k > 0 && x > heap[0]) {
      heap[0] = x;
      siftDown(heap, size);
    }
    return size;
  }

  private static void siftUp(double[] heap, int i) {
    double x = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] <= x) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = x;
  }

  private static void siftDown(double[] heap, int size) {
    double x = heap[0];
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && heap[child + 1] < heap[child]) {
        child++;
      }
      if (heap[child] >= x) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = x;
  }

  /** NaN as −∞, so it never ranks above a number. */
  private static float key(float s) {
    return s != s ? Float.NEGATIVE_INFINITY : s;
  }

  /** Whether item a ranks below item b: lower score, or equal score and higher index. */
  private static boolean worse(float[] scores, int a, int b) {
    float sa = key(scores[a]);
    float sb = key(scores[b]);
    return sa < sb || (sa == sb && a > b);
  }

  private static void siftUp(float[] scores, int[] heap, int i) {
    int x = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (!worse(scores, x, heap[parent])) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = x;
  }

  private static void siftDown(float[] scores, int[] heap, int i, int size) {
    int x = heap[i];
    while (true) {
      int child = 2 * i + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && worse(scores, heap[child + 1], heap[child])) {
        child++;
      }
      if (!worse(scores, heap[child], x)) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = x;
  }
}
