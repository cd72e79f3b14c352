package io.jrlstream.core.param;

import io.jrlstream.core.math.Vectors;
import java.util.Arrays;

/**
 * The gradient of one {@link Table} over one mini-batch, kept only for the rows the batch touched.
 *
 * <p>Buffers are reused across batches: a row is zeroed the first time a batch touches it (a stamp per
 * row tells), and {@link #clear} is O(1). Hot loops therefore allocate nothing. Not thread-safe.
 */
public final class SparseGrad {
  private final int dim;
  private float[][] grad = new float[16][];
  private int[] stamp = new int[16];
  private int[] touched = new int[64];
  private int count;
  private int batch = 1;

  public SparseGrad(int dim) {
    this.dim = dim;
  }

  /** The gradient row for table row i in the current batch, zeroed on first touch. */
  public float[] row(int i) {
    if (i >= stamp.length) {
      int n = Math.max(i + 1, stamp.length * 2);
      stamp = Arrays.copyOf(stamp, n);
      grad = Arrays.copyOf(grad, n);
    }
    float[] g = grad[i];
    if (stamp[i] != batch) {
      stamp[i] = batch;
      if (g == null) {
        g = new float[dim];
        grad[i] = g;
      } else {
        Arrays.fill(g, 0f);
      }
      if (count == touched.length) {
        touched = Arrays.copyOf(touched, count * 2);
      }
      touched[count++] = i;
    }
    return g;
  }

  /** Number of rows touched in this batch. */
  public int touchedCount() {
    return count;
  }

  /** The k-th touched row index, in order of first touch (deterministic). */
  public int touched(int k) {
    return touched[k];
  }

  /** Gradient of the k-th touched row. */
  public float[] touchedGrad(int k) {
    return grad[touched[k]];
  }

  /** Sum of squares over all touched rows. */
  public double squaredNorm() {
    double s = 0;
    for (int k = 0; k < count; k++) {
      float[] g = grad[touched[k]];
      s += Vectors.dot(g, 0, g, 0, dim);
    }
    return s;
  }

  /** Forgets this batch's rows (O(1)). */
  public void clear() {
    count = 0;
    batch++;
  }
}
