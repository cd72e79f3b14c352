package io.jrlstream.core.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector API kernels; loaded only when {@code jdk.incubator.vector} is in the boot layer. */
final class SimdKernels implements Kernels {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

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
}
