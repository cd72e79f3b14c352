package io.jrlstream.core.math;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The dense float kernels every view uses: the one place where vector arithmetic lives.
 *
 * <p>Arguments are {@code (array, offset)} pairs so that rows of a flat table and standalone rows share
 * one code path. Methods named {@code …InPlace} or taking an {@code out}/{@code y} argument modify that
 * argument and nothing else. Reductions ({@link #dot}) use the SIMD implementation when the JVM was
 * started with {@code --add-modules jdk.incubator.vector} (the launcher and the tests do), otherwise a
 * scalar loop with independent accumulators; which one is used is fixed for the life of the JVM, so runs
 * in the same JVM configuration are bit-identical.
 */
public final class Vectors {
  private static final Kernels KERNELS = Kernels.best();

  private Vectors() {}

  /** Name of the kernel implementation in use ("simd-256" or "scalar"), for logs and benchmark output. */
  public static String implementation() {
    return KERNELS.name();
  }

  /** Returns x[xo..xo+n) · y[yo..yo+n). */
  public static float dot(float[] x, int xo, float[] y, int yo, int n) {
    return KERNELS.dot(x, xo, y, yo, n);
  }

  /**
   * Returns x[xo..xo+n) · y[yo..yo+n) with y's bytes read as signed integers (−128..127): the first pass of
   * a scan over 8-bit copies of float rows (a quarter of the bytes). The result is a float sum of n exact
   * products, so its rounding error is at most about n·2⁻²⁴·Σ|x_i·y_i|, as for {@link #dot}.
   */
  public static float dotBytes(float[] x, int xo, byte[] y, int yo, int n) {
    return KERNELS.dotBytes(x, xo, y, yo, n);
  }

  /**
   * Scores of one query against a block of rows, the scan behind every top-N (eJRL's s(u, v) = Σ_k w_k·(u_k·v_k),
   * DESIGN.md §1 "Score", one view k per call): out[oo + r] = w · (q[qo..qo+dim) · row r) for r in [0, count),
   * row r being rows[ro + r·dim ..+dim) (a row-major block). With {@code accumulate}, out[oo + r] += that
   * instead, so that summing views in order is "the first view sets, the others add". Each score is the float
   * product of w and {@link #dot}, so a row scored here, one row at a time or in another layout
   * ({@link #dotRows(float, float[], int, IntFunction, int, int, float[], int, boolean)}) gives the same bits.
   * Modifies out only.
   */
  public static void dotRows(float w, float[] q, int qo, float[] rows, int ro, int dim, int count, float[] out,
      int oo, boolean accumulate) {
    if (accumulate) {
      for (int r = 0, o = ro; r < count; r++, o += dim) {
        out[oo + r] += w * KERNELS.dot(q, qo, rows, o, dim);
      }
    } else {
      for (int r = 0, o = ro; r < count; r++, o += dim) {
        out[oo + r] = w * KERNELS.dot(q, qo, rows, o, dim);
      }
    }
  }

  /**
   * {@link #dotRows(float, float[], int, float[], int, int, int, float[], int, boolean)} over rows held as
   * separate arrays (row r is {@code rows.apply(r)}, read from offset 0, e.g. a parameter table's rows).
   */
  public static void dotRows(float w, float[] q, int qo, IntFunction<float[]> rows, int count, int dim,
      float[] out, int oo, boolean accumulate) {
    if (accumulate) {
      for (int r = 0; r < count; r++) {
        out[oo + r] += w * KERNELS.dot(q, qo, rows.apply(r), 0, dim);
      }
    } else {
      for (int r = 0; r < count; r++) {
        out[oo + r] = w * KERNELS.dot(q, qo, rows.apply(r), 0, dim);
      }
    }
  }

  /**
   * Writes the 8-bit copy of x[xo..xo+n) for {@code scale}: out[oo + i] = round(x_i / scale) clamped to
   * [−127, 127] (all 0 when scale is 0), so that x_i ≈ scale · out[oo + i] (read back by {@link #dotBytes}).
   * Modifies out only.
   *
   * @return the squared quantisation error Σ (x_i − scale · out[oo + i])², accumulated in double
   */
  public static double quantize(float[] x, int xo, int n, float scale, byte[] out, int oo) {
    double err = 0;
    for (int i = 0; i < n; i++) {
      float v = x[xo + i];
      int q = scale == 0f ? 0 : Math.max(-127, Math.min(127, Math.round(v / scale)));
      out[oo + i] = (byte) q;
      double e = (double) v - (double) scale * q;
      err += e * e;
    }
    return err;
  }

  /** Returns the largest |x_i| over x[xo..xo+n) (0 when n ≤ 0), NaN when some x_i is NaN. */
  public static float maxAbs(float[] x, int xo, int n) {
    float max = 0;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, Math.abs(x[xo + i]));
    }
    return max;
  }

  /** Returns x · y over the full length of x (which must equal y's). */
  public static float dot(float[] x, float[] y) {
    checkSameLength(x, y);
    return KERNELS.dot(x, 0, y, 0, x.length);
  }

  /** y[yo..yo+n) += a · x[xo..xo+n). Modifies y only. */
  public static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
    for (int i = 0; i < n; i++) {
      y[yo + i] += a * x[xo + i];
    }
  }

  /** y += a · x over the full length. Modifies y only. */
  public static void axpy(float a, float[] x, float[] y) {
    checkSameLength(x, y);
    axpy(a, x, 0, y, 0, x.length);
  }

  /**
   * One Adam step on w[0..n) (lazy sparse Adam: called for the rows a batch touched): with γ = g·scale,
   * m ← β1·m + (1−β1)·γ, v ← β2·v + (1−β2)·γ², w ← w − step·m / (√v + ε). Modifies w, m and v. The SIMD and the
   * scalar implementation are bit-identical (same operations in the same order, correctly rounded √ and ÷).
   */
  public static void adamInPlace(float[] w, float[] g, float[] m, float[] v, float scale, float step, float beta1,
      float beta2, float eps, int n) {
    KERNELS.adam(w, g, m, v, scale, step, beta1, beta2, eps, n);
  }

  /**
   * One AdaGrad step on w[0..n): with γ = g·scale, acc ← ρ·acc + γ², w ← w − lr·γ / (√acc + ε). ρ = 1 is AdaGrad
   * (1·acc is exact, so the sum is the plain one); ρ &lt; 1 forgets old gradients, so the step never decays to zero.
   * Modifies w and acc; bit-identical in both implementations, as {@link #adamInPlace}.
   */
  public static void adagradInPlace(float[] w, float[] g, float[] acc, float scale, float lr, float rho, float eps,
      int n) {
    KERNELS.adagrad(w, g, acc, scale, lr, rho, eps, n);
  }

  /** out[oo..oo+n) = a · x[xo..xo+n). Modifies out only. */
  public static void scale(float a, float[] x, int xo, float[] out, int oo, int n) {
    for (int i = 0; i < n; i++) {
      out[oo + i] = a * x[xo + i];
    }
  }

  /** x[xo..xo+n) *= a. */
  public static void scaleInPlace(float a, float[] x, int xo, int n) {
    for (int i = 0; i < n; i++) {
      x[xo + i] *= a;
    }
  }

  /** Sum of squares of x[xo..xo+n), accumulated in double. */
  public static double squaredNorm(float[] x, int xo, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      double v = x[xo + i];
      s += v * v;
    }
    return s;
  }

  /** Sets x[xo..xo+n) to zero. */
  public static void zero(float[] x, int xo, int n) {
    Arrays.fill(x, xo, xo + n, 0f);
  }

  /** out[i] = x[i] * y[i] for i in [0, n). Modifies out only. */
  public static void hadamard(float[] x, float[] y, float[] out, int n) {
    for (int i = 0; i < n; i++) {
      out[i] = x[i] * y[i];
    }
  }

  /**
   * Dense matrix-vector product out = A·x + b, A row-major rows x cols. Modifies out only.
   *
   * @throws IllegalArgumentException when the shapes disagree, naming both
   */
  public static void affine(float[] a, int rows, int cols, float[] x, float[] b, float[] out) {
    if (a.length != rows * cols || x.length < cols || out.length < rows || (b != null && b.length < rows)) {
      throw new IllegalArgumentException("affine: A has " + a.length + " floats for " + rows + "x" + cols
          + ", x has " + x.length + ", out has " + out.length + (b == null ? "" : ", b has " + b.length));
    }
    for (int r = 0; r < rows; r++) {
      out[r] = KERNELS.dot(a, r * cols, x, 0, cols) + (b == null ? 0f : b[r]);
    }
  }

  /** Logistic function, computed exactly (no lookup table), so gradients match finite differences. */
  public static double sigmoid(double x) {
    return x >= 0 ? 1.0 / (1.0 + Math.exp(-x)) : Math.exp(x) / (1.0 + Math.exp(x));
  }

  /** log σ(x), stable for large |x|. */
  public static double logSigmoid(double x) {
    return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
  }

  /** ELU with α = 1. */
  public static float elu(float x) {
    return x > 0 ? x : (float) Math.expm1(x);
  }

  /** Derivative of ELU (α = 1) given the pre-activation x. */
  public static float eluGrad(float x) {
    return x > 0 ? 1f : (float) Math.exp(x);
  }

  private static void checkSameLength(float[] x, float[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException("length mismatch: x has " + x.length + ", y has " + y.length);
    }
  }
}
