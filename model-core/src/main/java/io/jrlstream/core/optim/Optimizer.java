package io.jrlstream.core.optim;

import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.SparseGrad;
import java.util.List;

/**
 * Applies one mini-batch's gradients to a view's parameters: global-norm clipping, then the configured
 * update rule on the touched rows only (sparse updates).
 *
 * <p>Call order per batch: the view accumulates gradients into each {@link Param}'s {@link SparseGrad},
 * then calls {@link #step} once, which updates the values and clears the gradients. Stateful (the Adam
 * step counter); one instance per view; not thread-safe.
 */
public final class Optimizer {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPS = 1e-8f;
  private static final float ADAGRAD_EPS = 1e-7f;
  /** Accumulator decay of {@link OptimizerKind#LEAKY_ADAGRAD} per update of a row (a memory of ~1,000 updates). */
  public static final float LEAKY_RHO = 0.999f;

  private final OptimizerKind kind;
  private final double clipNorm;
  private long steps;

  /**
   * @param kind update rule
   * @param clipNorm global gradient norm above which the batch gradient is scaled down (≤ 0: no clipping)
   */
  public Optimizer(OptimizerKind kind, double clipNorm) {
    this.kind = kind;
    this.clipNorm = clipNorm;
  }

  public OptimizerKind kind() {
    return kind;
  }

  /** Number of steps taken so far (for Adam's bias correction; persisted with the view's state). */
  public long steps() {
    return steps;
  }

  /** Restores the step counter (when a view's state is restored). */
  public void steps(long steps) {
    this.steps = steps;
  }

  /**
   * Updates every parameter's touched rows with learning rate {@code lr} and clears the gradients.
   *
   * @return the global gradient norm before clipping
   */
  public double step(List<Param> params, float lr) {
    double sq = 0;
    for (Param p : params) {
      sq += p.grad().squaredNorm();
    }
    double norm = Math.sqrt(sq);
    float scale = clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / norm) : 1f;
    steps++;
    float adamStep = 0;
    if (kind == OptimizerKind.ADAM) {
      float c1 = (float) (1 - Math.pow(BETA1, steps));
      float c2 = (float) (1 - Math.pow(BETA2, steps));
      adamStep = lr * (float) Math.sqrt(c2) / c1;
    }
    for (Param p : params) {
      SparseGrad g = p.grad();
      int dim = p.value().dim();
      for (int k = 0; k < g.touchedCount(); k++) {
        int row = g.touched(k);
        p.value().markDirty(row);
        float[] w = p.value().row(row);
        float[] gr = g.touchedGrad(k);
        switch (kind) {
          case SGD -> Vectors.axpy(-lr * scale, gr, 0, w, 0, dim);
          case ADAGRAD -> Vectors.adagradInPlace(w, gr, p.state1(row), scale, lr, 1f, ADAGRAD_EPS, dim);
          case LEAKY_ADAGRAD -> Vectors.adagradInPlace(w, gr, p.state1(row), scale, lr, LEAKY_RHO, ADAGRAD_EPS, dim);
          case ADAM -> Vectors.adamInPlace(w, gr, p.state1(row), p.state2(row), scale, adamStep, BETA1, BETA2, EPS,
              dim);
          default -> throw new IllegalStateException("unknown optimiser " + kind);
        }
      }
      g.clear();
    }
    return norm;
  }
}
