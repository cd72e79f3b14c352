package io.jrlstream.core.math;

/** Portable kernels: four independent accumulators let the CPU overlap the multiply-adds. */
final class ScalarKernels implements Kernels {
  @Override
  public String name() {
    return "scalar";
  }

  @Override
  public float dot(float[] x, int xo, float[] y, int yo, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += x[xo + i] * y[yo + i];
      s1 += x[xo + i + 1] * y[yo + i + 1];
      s2 += x[xo + i + 2] * y[yo + i + 2];
      s3 += x[xo + i + 3] * y[yo + i + 3];
    }
    for (; i < n; i++) {
      s0 += x[xo + i] * y[yo + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public float dotBytes(float[] x, int xo, byte[] y, int yo, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += x[xo + i] * y[yo + i];
      s1 += x[xo + i + 1] * y[yo + i + 1];
      s2 += x[xo + i + 2] * y[yo + i + 2];
      s3 += x[xo + i + 3] * y[yo + i + 3];
    }
    for (; i < n; i++) {
      s0 += x[xo + i] * y[yo + i];
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void adam(float[] w, float[] g, float[] m, float[] v, float scale, float step, float beta1, float beta2,
      float eps, int n) {
    float c1 = 1 - beta1;
    float c2 = 1 - beta2;
    for (int j = 0; j < n; j++) {
      float gj = g[j] * scale;
      m[j] = beta1 * m[j] + c1 * gj;
      v[j] = beta2 * v[j] + c2 * gj * gj;
      w[j] -= step * m[j] / ((float) Math.sqrt(v[j]) + eps);
    }
  }

  @Override
  public void adagrad(float[] w, float[] g, float[] acc, float scale, float lr, float rho, float eps, int n) {
    for (int j = 0; j < n; j++) {
      float gj = g[j] * scale;
      acc[j] = rho * acc[j] + gj * gj;
      w[j] -= lr * gj / ((float) Math.sqrt(acc[j]) + eps);
    }
  }
}
