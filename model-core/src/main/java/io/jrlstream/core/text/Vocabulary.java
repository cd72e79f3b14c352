package io.jrlstream.core.text;

import io.jrlstream.core.math.Rng;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The review view's streaming vocabulary (DESIGN.md §1 review view): running counts per token, which
 * tokens are trainable, the noise distribution ∝ count^0.75 and the word2vec subsampling rule.
 *
 * <ul>
 *   <li>A token becomes trainable (gets a row of the word table) once it has been seen {@code minCount}
 *       times.
 *   <li>At most {@code cap} tokens are trainable. <b>Eviction policy:</b> when the vocabulary is full and a
 *       token reaches {@code minCount}, it takes the row of the trainable token with the lowest running
 *       count, provided that count is lower than the newcomer's; otherwise it waits (and is tried again at
 *       its next occurrence). Candidates are found in batches: the lowest 1% by count, re-sorted when used
 *       up, so an eviction costs O(log V) amortised. An evicted row is handed to {@code onReuse} so that the
 *       owner re-initialises its vector and optimiser state.
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
  private static final int TABLE_SIZE = 1 << 20;

  private final int minCount;
  private final int cap;
  private final double sample;
  private final IntConsumer onReuse;

  private long[] counts = new long[1024];
  private int[] rowOf = filled(1024);
  private int[] tokenOf = new int[1024];
  private int rows;
  private long total;

  private int[] noise = new int[0];
  private float[] keep = new float[0];
  private long totalAtBuild = -1;
  private int rowsAtBuild = -1;

  private int[] evictQueue = new int[0];
  private int evictPos;

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
      if (rowOf[t] >= 0) {
        total++;
      } else if (c >= minCount && admit(t)) {
        total += c;
      }
    }
    if (rows > 0 && (rowsAtBuild < 0 || rows >= rowsAtBuild * REBUILD_GROWTH || total >= totalAtBuild * REBUILD_GROWTH)) {
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
    } else {
      row = evictFor(counts[token]);
      if (row < 0) {
        return false;
      }
      int old = tokenOf[row];
      total -= counts[old];
      rowOf[old] = -1;
      onReuse.accept(row);
    }
    tokenOf[row] = token;
    rowOf[token] = row;
    return true;
  }

  private int evictFor(long newcomerCount) {
    for (int attempt = 0; attempt < 2; attempt++) {
      while (evictPos < evictQueue.length) {
        int row = evictQueue[evictPos];
        long c = counts[tokenOf[row]];
        if (c >= newcomerCount) {
          return -1; // the queue is sorted: nobody cheaper is left in it
        }
        evictPos++;
        return row;
      }
      refillEvictQueue();
    }
    return -1;
  }

  private void refillEvictQueue() {
    int n = Math.max(1, rows / 100);
    long[] keyed = new long[rows];
    for (int r = 0; r < rows; r++) {
      // count in the high bits, row in the low bits: sorting gives lowest counts first, ties by row.
      keyed[r] = (Math.min(counts[tokenOf[r]], (1L << 40) - 1) << 23) | r;
    }
    Arrays.sort(keyed);
    evictQueue = new int[n];
    for (int i = 0; i < n; i++) {
      evictQueue[i] = (int) (keyed[i] & ((1 << 23) - 1));
    }
    evictPos = 0;
  }

  /** Rebuilds the noise table (∝ count^0.75) and the subsampling keep-probabilities. */
  public void rebuild() {
    double norm = 0;
    for (int r = 0; r < rows; r++) {
      norm += Math.pow(counts[tokenOf[r]], 0.75);
    }
    int size = Math.max(TABLE_SIZE, rows);
    if (noise.length != size) {
      noise = new int[size];
    }
    int r = 0;
    double cum = rows == 0 ? 1 : Math.pow(counts[tokenOf[0]], 0.75) / norm;
    for (int i = 0; i < size; i++) {
      noise[i] = r;
      if ((i + 1) / (double) size > cum && r < rows - 1) {
        r++;
        cum += Math.pow(counts[tokenOf[r]], 0.75) / norm;
      }
    }
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
  }

  /** The trainable row of token, or -1. */
  public int row(int token) {
    return token < rowOf.length ? rowOf[token] : -1;
  }

  /** Probability that an occurrence of the token in row is kept by subsampling. */
  public float keepProbability(int row) {
    return row < rowsAtBuild ? keep[row] : 1f;
  }

  /** A noise word row drawn ∝ count^0.75 (as of the last rebuild). */
  public int sampleNoise(Rng rng) {
    return noise[rng.nextInt(noise.length)];
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
}
