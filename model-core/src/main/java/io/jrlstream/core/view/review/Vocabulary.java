package io.jrlstream.core.view.review;

import io.jrlstream.core.math.Rng;
import io.jrlstream.core.state.DirtyRows;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateReader;
import io.jrlstream.core.state.StateWriter;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;

/**
 * The review view's streaming vocabulary (DESIGN.md §1 review view): running counts per token, which
 * tokens are trainable, the noise distribution ∝ count^0.75 and the word2vec subsampling rule.
 *
 * <ul>
 *   <li>A token becomes trainable (gets a row of the word table) once it has been seen {@code minCount}
 *       times.
 *   <li>At most {@code cap} tokens are trainable. <b>Eviction policy:</b> when the vocabulary is full and a
 *       token reaches {@code minCount}, it takes the row of the trainable token with the lowest running
 *       count (ties: the lower row), provided that count is lower than the newcomer's; otherwise it waits
 *       and is tried again at its next occurrence. Once the vocabulary is full an indexed min-heap keyed by
 *       running count finds that token in O(1) and keeps up in O(log V) per occurrence; before that there
 *       is no cost. An evicted row is handed to {@code onReuse} so that the owner re-initialises its vector
 *       and optimiser state; the evicted token keeps its count and can come back the same way.
 *   <li>The noise table and subsampling thresholds are rebuilt from running counts when the trainable set
 *       or the total count has grown by {@value #REBUILD_GROWTH}× since the last build (amortised O(1)
 *       per occurrence, and deterministic: it depends only on the input).
 * </ul>
 *
 * <p>Not thread-safe.
 */
public final class Vocabulary {
  /** Growth factor of counts or trainable words that triggers a rebuild of the noise table. */
  public static final double REBUILD_GROWTH = 1.1;
  /** Tokens (or rows) per row of {@link #state()}'s blocks. */
  static final int CHUNK_BITS = 9;
  private static final int CHUNK = 1 << CHUNK_BITS;
  private static final int FORMAT = 1;

  private final int minCount;
  private final int cap;
  private final double sample;
  private final IntConsumer onReuse;

  private long[] counts = new long[1024];
  private int[] rowOf = filled(1024);
  private int[] tokenOf = new int[1024];
  private int rows;
  private long total;

  private int[] alias = new int[0];
  private float[] aliasProb = new float[0];
  private int noiseRows;
  private float[] keep = new float[0];
  private long totalAtBuild = -1;
  private int rowsAtBuild = -1;

  // Indexed min-heap of rows by (count, row), maintained only while the vocabulary is full.
  private int[] heap = new int[0];
  private int[] heapPos = new int[0];
  private boolean heapActive;

  // What changed since the last checkpoint (see state()).
  private final DirtyRows dirtyCounts = new DirtyRows();
  private final DirtyRows dirtyTokens = new DirtyRows();
  private final DirtyRows dirtyNoise = new DirtyRows();
  private boolean dirtyScalars;

  /**
   * @param minCount occurrences before a token is trainable (≥ 1)
   * @param cap most trainable tokens
   * @param sample subsampling threshold (word2vec's {@code sample}; 0 disables subsampling)
   * @param onReuse told the row index when an evicted row is given to another token
   */
  public Vocabulary(int minCount, int cap, double sample, IntConsumer onReuse) {
    if (minCount < 1) {
      throw new IllegalArgumentException("minCount must be ≥ 1, got " + minCount);
    }
    if (cap < 1) {
      throw new IllegalArgumentException("vocabulary cap must be ≥ 1, got " + cap);
    }
    if (!(sample >= 0)) {
      throw new IllegalArgumentException("sample must be ≥ 0, got " + sample);
    }
    this.minCount = minCount;
    this.cap = cap;
    this.sample = sample;
    this.onReuse = onReuse;
  }

  /** Counts the tokens of one text, admitting tokens that reach minCount, then rebuilds tables if due. */
  public void observe(int[] tokens) {
    for (int t : tokens) {
      if (t >= counts.length) {
        int n = Math.max(t + 1, counts.length * 2);
        counts = Arrays.copyOf(counts, n);
        int old = rowOf.length;
        rowOf = Arrays.copyOf(rowOf, n);
        Arrays.fill(rowOf, old, n, -1);
      }
      long c = ++counts[t];
      dirtyCounts.mark(t >>> CHUNK_BITS);
      dirtyScalars = true;
      int row = rowOf[t];
      if (row >= 0) {
        total++;
        if (heapActive) {
          siftDown(heapPos[row]);
        }
      } else if (c >= minCount && admit(t)) {
        total += c;
      }
    }
    // Integer comparisons: "grew by 10 %" must fire at exactly 1.1×.
    if (rows > 0 && (rowsAtBuild < 0 || rows * 10L >= rowsAtBuild * 11L || total * 10 >= totalAtBuild * 11)) {
      rebuild();
    }
  }

  private boolean admit(int token) {
    int row;
    if (rows < cap) {
      row = rows++;
      if (row >= tokenOf.length) {
        tokenOf = Arrays.copyOf(tokenOf, Math.max(row + 1, tokenOf.length * 2));
      }
      tokenOf[row] = token;
      rowOf[token] = row;
      dirtyTokens.mark(row >>> CHUNK_BITS);
      if (rows == cap) {
        buildHeap();
      }
      return true;
    }
    row = heap[0];
    int old = tokenOf[row];
    if (counts[old] >= counts[token]) {
      return false;
    }
    total -= counts[old];
    rowOf[old] = -1;
    tokenOf[row] = token;
    rowOf[token] = row;
    dirtyTokens.mark(row >>> CHUNK_BITS);
    siftDown(0);
    onReuse.accept(row);
    return true;
  }

  private void buildHeap() {
    heap = new int[rows];
    heapPos = new int[rows];
    for (int r = 0; r < rows; r++) {
      heap[r] = r;
      heapPos[r] = r;
    }
    for (int i = rows / 2 - 1; i >= 0; i--) {
      siftDown(i);
    }
    heapActive = true;
  }

  private boolean less(int rowA, int rowB) {
    long a = counts[tokenOf[rowA]];
    long b = counts[tokenOf[rowB]];
    return a < b || (a == b && rowA < rowB);
  }

  /** Restores the heap below position i after the count at i grew (counts only grow). */
  private void siftDown(int i) {
    int n = heap.length;
    int row = heap[i];
    while (true) {
      int l = 2 * i + 1;
      if (l >= n) {
        break;
      }
      int m = l + 1 < n && less(heap[l + 1], heap[l]) ? l + 1 : l;
      if (!less(heap[m], row)) {
        break;
      }
      heap[i] = heap[m];
      heapPos[heap[i]] = i;
      i = m;
    }
    heap[i] = row;
    heapPos[row] = i;
  }

  /**
   * Rebuilds the noise distribution (∝ count^0.75, as Walker's alias table: O(V) to build, O(1) and
   * cache-friendly to sample) and the subsampling keep-probabilities.
   */
  public void rebuild() {
    double[] p = new double[rows];
    double norm = 0;
    for (int r = 0; r < rows; r++) {
      p[r] = Math.pow(counts[tokenOf[r]], 0.75);
      norm += p[r];
    }
    if (alias.length < rows) {
      alias = new int[Math.max(rows, alias.length * 2)];
      aliasProb = new float[alias.length];
    }
    // Vose's method: scaled probabilities split into small (< 1) and large (≥ 1) stacks.
    int[] small = new int[rows];
    int[] large = new int[rows];
    int ns = 0;
    int nl = 0;
    for (int r = 0; r < rows; r++) {
      p[r] = p[r] * rows / norm;
      if (p[r] < 1) {
        small[ns++] = r;
      } else {
        large[nl++] = r;
      }
    }
    while (ns > 0 && nl > 0) {
      int l = small[--ns];
      int g = large[--nl];
      aliasProb[l] = (float) p[l];
      alias[l] = g;
      p[g] = (p[g] + p[l]) - 1;
      if (p[g] < 1) {
        small[ns++] = g;
      } else {
        large[nl++] = g;
      }
    }
    while (nl > 0) {
      int g = large[--nl];
      aliasProb[g] = 1f;
      alias[g] = g;
    }
    while (ns > 0) {
      int l = small[--ns];
      aliasProb[l] = 1f;
      alias[l] = l;
    }
    noiseRows = rows;
    if (keep.length < rows) {
      keep = new float[Math.max(rows, keep.length * 2)];
    }
    double threshold = sample * total;
    for (int i = 0; i < rows; i++) {
      double c = counts[tokenOf[i]];
      keep[i] = sample == 0 ? 1f : (float) Math.min(1.0, (Math.sqrt(c / threshold) + 1) * threshold / c);
    }
    totalAtBuild = total;
    rowsAtBuild = rows;
    dirtyNoise.markRange(0, (rows + CHUNK - 1) >>> CHUNK_BITS);
  }

  /** The trainable row of token, or -1. */
  public int row(int token) {
    return token < rowOf.length ? rowOf[token] : -1;
  }

  /** Probability that an occurrence of the token in row is kept by subsampling. */
  public float keepProbability(int row) {
    return row < rowsAtBuild ? keep[row] : 1f;
  }

  /** A noise word row drawn ∝ count^0.75 (as of the last rebuild); one 64-bit draw. */
  public int sampleNoise(Rng rng) {
    long z = rng.nextLong();
    int i = (int) (((z >>> 32) * noiseRows) >>> 32);
    float u = (z & 0xFFFFFF) * 0x1.0p-24f;
    return u < aliasProb[i] ? i : alias[i];
  }

  /** True once a noise table exists. */
  public boolean ready() {
    return rowsAtBuild > 0;
  }

  /** Number of trainable tokens (rows in use). */
  public int size() {
    return rows;
  }

  /** Token held by row. */
  public int token(int row) {
    return tokenOf[row];
  }

  /** Running count of token. */
  public long count(int token) {
    return token < counts.length ? counts[token] : 0;
  }

  /** Total occurrences of trainable tokens. */
  public long total() {
    return total;
  }

  private static int[] filled(int n) {
    int[] a = new int[n];
    Arrays.fill(a, -1);
    return a;
  }

  /**
   * The vocabulary as checkpoint blocks: running counts by token, the token of each trainable row, the noise table
   * and keep-probabilities of the last rebuild (not recomputed from today's counts: sampling must go on exactly as
   * before), and the scalars. The eviction heap is rebuilt on restore: any valid heap has the same minimum (ties go
   * to the lower row), so evictions stay the same.
   *
   * @param name prefix of the blocks' names, for messages
   */
  public List<StateBlock> state(String name) {
    return List.of(chunks(name + ".counts", dirtyCounts, () -> counts.length, (w, from, to) ->
            w.putLongs(counts, from, to - from), (r, from) -> {
              long[] v = r.getLongs();
              ensureTokens(from + v.length);
              System.arraycopy(v, 0, counts, from, v.length);
            }),
        chunks(name + ".tokens", dirtyTokens, () -> rows, (w, from, to) -> w.putInts(tokenOf, from, to - from),
            (r, from) -> {
              int[] v = r.getInts();
              if (tokenOf.length < from + v.length) {
                tokenOf = Arrays.copyOf(tokenOf, from + v.length);
              }
              System.arraycopy(v, 0, tokenOf, from, v.length);
            }),
        chunks(name + ".noise", dirtyNoise, () -> rowsAtBuild < 0 ? 0 : rowsAtBuild, (w, from, to) -> {
          w.putInts(alias, from, to - from);
          w.putFloats(aliasProb, from, to - from);
          w.putFloats(keep, from, to - from);
        }, (r, from) -> {
          int[] a = r.getInts();
          float[] p = r.getFloats();
          float[] k = r.getFloats();
          if (alias.length < from + a.length) {
            alias = Arrays.copyOf(alias, from + a.length);
            aliasProb = Arrays.copyOf(aliasProb, from + a.length);
            keep = Arrays.copyOf(keep, from + a.length);
          }
          System.arraycopy(a, 0, alias, from, a.length);
          System.arraycopy(p, 0, aliasProb, from, p.length);
          System.arraycopy(k, 0, keep, from, k.length);
        }),
        scalars(name + ".scalars"));
  }

  private void ensureTokens(int n) {
    if (counts.length < n) {
      counts = Arrays.copyOf(counts, n);
      int old = rowOf.length;
      rowOf = Arrays.copyOf(rowOf, n);
      Arrays.fill(rowOf, old, n, -1);
    }
  }

  /** Writes the slice [from, to) of an array. */
  interface SliceWriter {
    void write(StateWriter w, int from, int to);
  }

  /** Reads a slice written by a {@link SliceWriter} into the array from index {@code from}. */
  interface SliceReader {
    void read(StateReader r, int from);
  }

  /**
   * A block whose row c is the slice [c·CHUNK, (c+1)·CHUNK) of an array of {@code length} elements (the review
   * view's arrays use it too).
   */
  static StateBlock chunks(String name, DirtyRows dirty, IntSupplier length, SliceWriter writer,
      SliceReader reader) {
    return StateBlock.tracked(() -> (length.getAsInt() + CHUNK - 1) >>> CHUNK_BITS, dirty, row -> {
      int from = row << CHUNK_BITS;
      StateWriter w = new StateWriter(FORMAT);
      writer.write(w, from, Math.min(length.getAsInt(), from + CHUNK));
      return w.toBytes();
    }, (row, bytes) -> reader.read(new StateReader(bytes, FORMAT, name + " row " + row), row << CHUNK_BITS));
  }

  /** One row: the sizes and totals; restoring it rebuilds what is derived (token → row, the eviction heap). */
  private StateBlock scalars(String name) {
    return new StateBlock() {
      @Override
      public int size() {
        return 1;
      }

      @Override
      public int dirtyCount() {
        return dirtyScalars ? 1 : 0;
      }

      @Override
      public void drainDirty(IntConsumer sink) {
        if (dirtyScalars) {
          dirtyScalars = false;
          sink.accept(0);
        }
      }

      @Override
      public byte[] encode(int row) {
        return new StateWriter(FORMAT).putInt(rows).putLong(total).putLong(totalAtBuild).putInt(rowsAtBuild)
            .putInt(noiseRows).putInt(heapActive ? 1 : 0).toBytes();
      }

      @Override
      public void decode(int row, byte[] bytes) {
        StateReader r = new StateReader(bytes, FORMAT, name);
        rows = r.getInt();
        total = r.getLong();
        totalAtBuild = r.getLong();
        rowsAtBuild = r.getInt();
        noiseRows = r.getInt();
        heapActive = r.getInt() == 1;
      }

      @Override
      public void loaded() {
        Arrays.fill(rowOf, -1);
        for (int r = 0; r < rows; r++) {
          ensureTokens(tokenOf[r] + 1);
          rowOf[tokenOf[r]] = r;
        }
        heapActive = false;
        if (rows == cap) {
          buildHeap();
        }
        dirtyScalars = false;
      }
    };
  }
}
