package io.jrlstream.core.math;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Vector API kernels; loaded only when {@code jdk.incubator.vector} is in the boot layer. */
final class SimdKernels implements Kernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** As many bytes as S has floats: one byte load widens to one float vector. */
  private static final VectorSpecies<Byte> B =
      VectorSpecies.of(byte.class, VectorShape.forBitSize(S.length() * Byte.SIZE));

  @Override
  public String name() {
    return "simd-" + S.vectorBitSize();
  }

  @Override
  public float dot(float[] x, int xo, float[] y, int yo, int n) {
    FloatVector acc = FloatVector.zero(S);
    int i = 0;
    int bound = S.loopBound(n);
    for (; i < bound; i += S.length()) {
      FloatVector a = FloatVector.fromArray(S, x, xo + i);
      FloatVector b = FloatVector.fromArray(S, y, yo + i);
      acc = a.fma(b, acc);
    }
    float s = acc.reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += x[xo + i] * y[yo + i];
    }
    return s;
  }

  @Override
  public float dotBytes(float[] x, int xo, byte[] y, int yo, int n) {
    // Four accumulators: the widening leaves the loop bound by the fma latency with one.
    int l = S.length();
    FloatVector acc0 = FloatVector.zero(S);
    FloatVector acc1 = FloatVector.zero(S);
    FloatVector acc2 = FloatVector.zero(S);
    FloatVector acc3 = FloatVector.zero(S);
    int i = 0;
    for (; i + 4 * l <= n; i += 4 * l) {
      acc0 = FloatVector.fromArray(S, x, xo + i).fma(widen(y, yo + i), acc0);
      acc1 = FloatVector.fromArray(S, x, xo + i + l).fma(widen(y, yo + i + l), acc1);
      acc2 = FloatVector.fromArray(S, x, xo + i + 2 * l).fma(widen(y, yo + i + 2 * l), acc2);
      acc3 = FloatVector.fromArray(S, x, xo + i + 3 * l).fma(widen(y, yo + i + 3 * l), acc3);
    }
    for (; i + l <= n; i += l) {
      acc0 = FloatVector.fromArray(S, x, xo + i).fma(widen(y, yo + i), acc0);
    }
    float s = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    for (; i < n; i++) {
      s += x[xo + i] * y[yo + i];
    }
    return s;
  }

  /**
   * The scalar loop's operations lane by lane, in its order and without fusing (IEEE square root and division are
   * correctly rounded in both), so the results are bit-identical to {@link ScalarKernels#adam}.
   */
  @Override
  public void adam(float[] w, float[] g, float[] m, float[] v, float scale, float step, float beta1, float beta2,
      float eps, int n) {
    float c1 = 1 - beta1;
    float c2 = 1 - beta2;
    int j = 0;
    int bound = S.loopBound(n);
    for (; j < bound; j += S.length()) {
      FloatVector gj = FloatVector.fromArray(S, g, j).mul(scale);
      FloatVector mj = FloatVector.fromArray(S, m, j).mul(beta1).add(gj.mul(c1));
      FloatVector vj = FloatVector.fromArray(S, v, j).mul(beta2).add(gj.mul(c2).mul(gj));
      mj.intoArray(m, j);
      vj.intoArray(v, j);
      FloatVector wj = FloatVector.fromArray(S, w, j);
      wj.sub(mj.mul(step).div(vj.lanewise(VectorOperators.SQRT).add(eps))).intoArray(w, j);
    }
    for (; j < n; j++) {
      float gj = g[j] * scale;
      m[j] = beta1 * m[j] + c1 * gj;
      v[j] = beta2 * v[j] + c2 * gj * gj;
      w[j] -= step * m[j] / ((float) Math.sqrt(v[j]) + eps);
    }
  }

  /** As {@link #adam}: bit-identical to {@link ScalarKernels#adagrad}. */
  @Override
  public void adagrad(float[] w, float[] g, float[] acc, float scale, float lr, float rho, float eps, int n) {
    int j = 0;
    int bound = S.loopBound(n);
    for (; j < bound; j += S.length()) {
      FloatVector gj = FloatVector.fromArray(S, g, j).mul(scale);
      FloatVector aj = FloatVector.fromArray(S, acc, j).mul(rho).add(gj.mul(gj));
      aj.intoArray(acc, j);
      FloatVector wj = FloatVector.fromArray(S, w, j);
      wj.sub(gj.mul(lr).div(aj.lanewise(VectorOperators.SQRT).add(eps))).intoArray(w, j);
    }
    for (; j < n; j++) {
      float gj = g[j] * scale;
      acc[j] = rho * acc[j] + gj * gj;
      w[j] -= lr * gj / ((float) Math.sqrt(acc[j]) + eps);
    }
  }

  private static FloatVector widen(byte[] y, int at) {
    return (FloatVector) ByteVector.fromArray(B, y, at).castShape(S, 0);
  }
}
