package io.jrlstream.core.math;

/** Reduction kernels with a SIMD and a scalar implementation; see {@link Vectors}. */
interface Kernels {
  String name();

  float dot(float[] x, int xo, float[] y, int yo, int n);

  /** x[xo..xo+n) · y[yo..yo+n) with y's bytes read as signed integers. */
  float dotBytes(float[] x, int xo, byte[] y, int yo, int n);

  /** Adam's update of w[0..n) from g·scale with moments m and v (see {@link Vectors#adamInPlace}). */
  void adam(float[] w, float[] g, float[] m, float[] v, float scale, float step, float beta1, float beta2, float eps,
      int n);

  /** AdaGrad's update of w[0..n) from g·scale with accumulators acc (see {@link Vectors#adagradInPlace}). */
  void adagrad(float[] w, float[] g, float[] acc, float scale, float lr, float rho, float eps, int n);

  /** The SIMD kernels when the incubator module is present in the boot layer, else the scalar ones. */
  static Kernels best() {
    if (Boolean.getBoolean("jrl.scalar") || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return new ScalarKernels();
    }
    try {
      return (Kernels) Class.forName("io.jrlstream.core.math.SimdKernels").getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return new ScalarKernels();
    }
  }
}
