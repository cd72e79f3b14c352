package io.jrlstream.core.param;

import io.jrlstream.core.math.Rng;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * A growable table of float rows of one width: embeddings (one row per user, item, word or review) and
 * dense weights (one row per output unit). Rows are created on demand by {@link #ensure}, each initialised
 * from a seed derived from (table seed, row index) only, so a row's initial value does not depend on when
 * or in which order rows were created (offline and streaming runs agree).
 *
 * <p>Not thread-safe: a table belongs to one view, and a view is trained by one thread at a time.
 */
public final class Table {
  /** How new rows are initialised. */
  public enum Init {
    ZERO,
    /** Uniform in (−scale, scale). */
    UNIFORM,
    /** Normal with standard deviation scale. */
    NORMAL
  }

  private final String name;
  private final int dim;
  private final Init init;
  private final float scale;
  private final long seed;
  /** Components [initDim, dim) start at {@link #tail} instead of a random draw (a bias column). */
  private final int initDim;
  private final float tail;
  private float[][] rows;
  private int size;
  private int[] dirtyStamp = new int[16];
  private int[] dirty = new int[16];
  private int dirtyCount;
  private int dirtyEpoch = 1;
  private int[] changedAt = new int[16];
  private int clock = 1;
  /** Rows changed since the last {@link #tick}, each once: publication visits these, not every dirty row. */
  private int[] changed = new int[16];
  private int changedCount;

  public Table(String name, int dim, Init init, float scale, long seed) {
    this(name, dim, init, scale, seed, dim, 0f);
  }

  /**
   * A table whose rows end in fixed components: [0, initDim) are initialised by {@code init}, drawn exactly as in a
   * table of width initDim, and [initDim, dim) start at {@code tail} (a view's bias column: 1 in user rows, 0 in
   * item rows).
   */
  public Table(String name, int dim, Init init, float scale, long seed, int initDim, float tail) {
    if (dim <= 0) {
      throw new IllegalArgumentException("table " + name + ": dim must be positive, got " + dim);
    }
    if (initDim < 0 || initDim > dim) {
      throw new IllegalArgumentException("table " + name + ": initDim must be in [0, " + dim + "], got " + initDim);
    }
    this.initDim = initDim;
    this.tail = tail;
    this.name = name;
    this.dim = dim;
    this.init = init;
    this.scale = scale;
    this.seed = Rng.mix(seed, Rng.hash(name));
    this.rows = new float[16][];
  }

  public String name() {
    return name;
  }

  public int dim() {
    return dim;
  }

  /** Number of rows that exist (indices [0, size)). */
  public int size() {
    return size;
  }

  /** Makes rows [0, n) exist, initialising new ones. */
  public void ensure(int n) {
    if (n <= size) {
      return;
    }
    if (n > rows.length) {
      rows = Arrays.copyOf(rows, Math.max(n, rows.length * 2));
    }
    Rng rng = new Rng(0);
    for (int i = size; i < n; i++) {
      rows[i] = initialRow(i, rng);
    }
    size = n;
  }

  /** The live row i (modifying it modifies the table). */
  public float[] row(int i) {
    if (i >= size) {
      throw new IndexOutOfBoundsException("table " + name + " has " + size + " rows, asked for row " + i);
    }
    return rows[i];
  }

  /** Re-initialises row i as if new (used when a vocabulary slot is reused). */
  public void reset(int i) {
    reset(i, i);
  }

  /**
   * Re-initialises row i with the initial value of row {@code key} (a row reused for another entity, e.g. a review
   * vector's row in a review window, starts where that entity would have started in a row of its own).
   */
  public void reset(int i, long key) {
    float[] r = row(i);
    initialise(r, key, new Rng(0));
    markDirty(i);
  }

  /**
   * Records that row i changed since the last {@link #drainDirty}. Whoever writes a row outside the
   * optimiser (immediate updates) calls it, so that the streaming trainer can persist and publish exactly
   * the changed rows.
   */
  public void markDirty(int i) {
    if (i >= dirtyStamp.length) {
      int n = Math.max(i + 1, dirtyStamp.length * 2);
      dirtyStamp = Arrays.copyOf(dirtyStamp, n);
      changedAt = Arrays.copyOf(changedAt, n);
    }
    if (changedAt[i] != clock) {
      changedAt[i] = clock;
      if (changedCount == changed.length) {
        changed = Arrays.copyOf(changed, changedCount * 2);
      }
      changed[changedCount++] = i;
    }
    if (dirtyStamp[i] != dirtyEpoch) {
      dirtyStamp[i] = dirtyEpoch;
      if (dirtyCount == dirty.length) {
        dirty = Arrays.copyOf(dirty, dirtyCount * 2);
      }
      dirty[dirtyCount++] = i;
    }
  }

  /** Hands every row changed since the last call to sink (in order of first change) and forgets them. */
  public void drainDirty(IntConsumer sink) {
    for (int k = 0; k < dirtyCount; k++) {
      sink.accept(dirty[k]);
    }
    dirtyCount = 0;
    dirtyEpoch++;
  }

  /**
   * Hands every row changed since the last {@link #tick} to sink (a subset of the dirty rows, which stay
   * recorded): how a trainer publishes what one mini-batch changed while persisting less often.
   */
  public void forEachChangedSinceTick(IntConsumer sink) {
    for (int k = 0; k < changedCount; k++) {
      int i = changed[k];
      if (dirtyStamp[i] == dirtyEpoch) { // not drained since (as the dirty rows it is a subset of)
        sink.accept(i);
      }
    }
  }

  /** Starts a new change period for {@link #forEachChangedSinceTick}. */
  public void tick() {
    clock++;
    changedCount = 0;
  }

  /** Number of rows changed since the last {@link #drainDirty}. */
  public int dirtyCount() {
    return dirtyCount;
  }

  /** Replaces the content of row i (used when restoring state). */
  public void set(int i, float[] values) {
    if (values.length != dim) {
      throw new IllegalArgumentException("table " + name + ": row has " + dim + " floats, got " + values.length);
    }
    ensure(i + 1);
    System.arraycopy(values, 0, rows[i], 0, dim);
  }

  private float[] initialRow(int i, Rng rng) {
    float[] r = new float[dim];
    initialise(r, i, rng);
    return r;
  }

  private void initialise(float[] r, long key, Rng rng) {
    Arrays.fill(r, initDim, dim, tail);
    if (init == Init.ZERO) {
      Arrays.fill(r, 0, initDim, 0f);
      return;
    }
    rng.reseed(Rng.mix(seed, key));
    for (int j = 0; j < initDim; j++) {
      if (init == Init.UNIFORM) {
        r[j] = (float) ((rng.nextDouble() * 2 - 1) * scale);
      } else {
        r[j] = (float) (gaussian(rng) * scale);
      }
    }
  }

  private static double gaussian(Rng rng) {
    double u1 = rng.nextDouble();
    double u2 = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }
}
