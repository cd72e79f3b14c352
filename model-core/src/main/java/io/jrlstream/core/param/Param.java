package io.jrlstream.core.param;

import java.util.Arrays;

/**
 * One trainable parameter block: its values, its mini-batch gradient and the optimiser's per-row state
 * (AdaGrad accumulators, Adam moments), allocated lazily for the rows that were ever updated.
 *
 * <p>Not thread-safe; owned by one view.
 */
public final class Param {
  private final Table value;
  private final SparseGrad grad;
  private float[][] state1 = new float[16][];
  private float[][] state2 = new float[16][];

  public Param(Table value) {
    this.value = value;
    this.grad = new SparseGrad(value.dim());
  }

  public Table value() {
    return value;
  }

  public SparseGrad grad() {
    return grad;
  }

  /** Gradient row for value row i in the current batch. */
  public float[] gradRow(int i) {
    return grad.row(i);
  }

  /** First optimiser state row for i (zeros when new). */
  public float[] state1(int i) {
    if (i >= state1.length) {
      state1 = Arrays.copyOf(state1, Math.max(i + 1, state1.length * 2));
    }
    float[] s = state1[i];
    if (s == null) {
      s = new float[value.dim()];
      state1[i] = s;
    }
    return s;
  }

  /** Second optimiser state row for i (zeros when new). */
  public float[] state2(int i) {
    if (i >= state2.length) {
      state2 = Arrays.copyOf(state2, Math.max(i + 1, state2.length * 2));
    }
    float[] s = state2[i];
    if (s == null) {
      s = new float[value.dim()];
      state2[i] = s;
    }
    return s;
  }

  /** The first optimiser state row for i, or null when the optimiser never touched it. */
  public float[] state1OrNull(int i) {
    return i < state1.length ? state1[i] : null;
  }

  /** The second optimiser state row for i, or null when the optimiser never touched it. */
  public float[] state2OrNull(int i) {
    return i < state2.length ? state2[i] : null;
  }

  /**
   * Gives row i the optimiser state of a row never updated (when a vocabulary slot or a review window's row is
   * reused): zeros, written into the row's buffers when it has them (a row reused again and again allocates
   * nothing), so {@link #state1OrNull} may then return zeros rather than null.
   */
  public void resetState(int i) {
    if (i < state1.length && state1[i] != null) {
      Arrays.fill(state1[i], 0f);
    }
    if (i < state2.length && state2[i] != null) {
      Arrays.fill(state2[i], 0f);
    }
  }
}
