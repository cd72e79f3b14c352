package io.jrlstream.core.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector API kernels; loaded only when {@code jdk.incubator.vector} is in the boot layer. */
final class SimdKernels implements Kernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  /** The narrowest species, for the tail of a row that the preferred one does not cover (300 = 18·16 + 3·4). */
  private static final VectorSpecies<Float> T = FloatVector.SPECIES_128;

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

  /**
   * Four rows at a time: each load of q serves four rows, and four independent accumulator chains keep the
   * FMA units busy; the tail narrower than S goes through T, then scalars.
   */
  @Override
  public void dotRows(float[] q, float[] rows, int offset, int count, int dim, float scale, float[] out,
      boolean accumulate) {
    int bound = S.loopBound(dim);
    int tBound = bound + T.loopBound(dim - bound);
    int r = 0;
    for (; r + 3 < count; r += 4) {
      int o0 = offset + r * dim;
      int o1 = o0 + dim;
      int o2 = o1 + dim;
      int o3 = o2 + dim;
      FloatVector a0 = FloatVector.zero(S);
      FloatVector a1 = FloatVector.zero(S);
      FloatVector a2 = FloatVector.zero(S);
      FloatVector a3 = FloatVector.zero(S);
      for (int i = 0; i < bound; i += S.length()) {
        FloatVector x = FloatVector.fromArray(S, q, i);
        a0 = x.fma(FloatVector.fromArray(S, rows, o0 + i), a0);
        a1 = x.fma(FloatVector.fromArray(S, rows, o1 + i), a1);
        a2 = x.fma(FloatVector.fromArray(S, rows, o2 + i), a2);
        a3 = x.fma(FloatVector.fromArray(S, rows, o3 + i), a3);
      }
      float s0 = a0.reduceLanes(VectorOperators.ADD);
      float s1 = a1.reduceLanes(VectorOperators.ADD);
      float s2 = a2.reduceLanes(VectorOperators.ADD);
      float s3 = a3.reduceLanes(VectorOperators.ADD);
      if (tBound > bound) {
        FloatVector t0 = FloatVector.zero(T);
        FloatVector t1 = FloatVector.zero(T);
        FloatVector t2 = FloatVector.zero(T);
        FloatVector t3 = FloatVector.zero(T);
        for (int i = bound; i < tBound; i += T.length()) {
          FloatVector x = FloatVector.fromArray(T, q, i);
          t0 = x.fma(FloatVector.fromArray(T, rows, o0 + i), t0);
          t1 = x.fma(FloatVector.fromArray(T, rows, o1 + i), t1);
          t2 = x.fma(FloatVector.fromArray(T, rows, o2 + i), t2);
          t3 = x.fma(FloatVector.fromArray(T, rows, o3 + i), t3);
        }
        s0 += t0.reduceLanes(VectorOperators.ADD);
        s1 += t1.reduceLanes(VectorOperators.ADD);
        s2 += t2.reduceLanes(VectorOperators.ADD);
        s3 += t3.reduceLanes(VectorOperators.ADD);
      }
      for (int i = tBound; i < dim; i++) {
        float x = q[i];
        s0 += x * rows[o0 + i];
        s1 += x * rows[o1 + i];
        s2 += x * rows[o2 + i];
        s3 += x * rows[o3 + i];
      }
      if (accumulate) {
        out[r] += scale * s0;
        out[r + 1] += scale * s1;
        out[r + 2] += scale * s2;
        out[r + 3] += scale * s3;
      } else {
        out[r] = scale * s0;
        out[r + 1] = scale * s1;
        out[r + 2] = scale * s2;
        out[r + 3] = scale * s3;
      }
    }
    for (; r < count; r++) {
      float d = scale * dot(q, 0, rows, offset + r * dim, dim);
      out[r] = accumulate ? out[r] + d : d;
    }
  }
}
