package io.jrlstream.core.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The vector kernels: SIMD and scalar reductions agree, the row-block scan gives the bits of one dot product per
 * row, the 8-bit copies round and clamp, shape errors name both shapes, stable logistic maths.
 */
class VectorsTest {
  private static float[] random(Rng rng, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = rng.nextFloat() * 2 - 1;
    }
    return x;
  }

  private static double exactDot(float[] x, int xo, float[] y, int yo, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += (double) x[xo + i] * y[yo + i];
    }
    return s;
  }

  private static double absDot(float[] x, int xo, float[] y, int yo, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += Math.abs((double) x[xo + i] * y[yo + i]);
    }
    return s;
  }

  @Test
  void shouldUseTheSimdKernelsWhenTheIncubatorModuleIsPresent() {
    assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "needs --add-modules");
    assumeTrue(!Boolean.getBoolean("jrl.scalar"));
    assertTrue(Vectors.implementation().startsWith("simd-"), Vectors.implementation());
  }

  @Test
  void shouldAgreeBetweenSimdAndScalarDot() {
    Kernels simd = Kernels.best();
    assumeTrue(simd.name().startsWith("simd"), "SIMD kernels not available: " + simd.name());
    Kernels scalar = new ScalarKernels();
    Rng rng = new Rng(77);
    float[] x = random(rng, 1200);
    float[] y = random(rng, 1200);
    int[] lengths = new int[80];
    for (int n = 0; n < 70; n++) {
      lengths[n] = n; // every tail length around the vector width
    }
    int[] big = {127, 128, 129, 300, 511, 1000, 1024, 1100, 1199, 1200};
    System.arraycopy(big, 0, lengths, 70, big.length);
    for (int n : lengths) {
      for (int xo : new int[] {0, 1, 3}) {
        int yo = Math.min(7, 1200 - n);
        if (xo + n > 1200) {
          continue;
        }
        float a = simd.dot(x, xo, y, yo, n);
        float b = scalar.dot(x, xo, y, yo, n);
        double exact = exactDot(x, xo, y, yo, n);
        double tol = 1e-5 * absDot(x, xo, y, yo, n) + 1e-7;
        String what = "n=" + n + " xo=" + xo + " yo=" + yo;
        assertEquals(exact, a, tol, "simd " + what);
        assertEquals(exact, b, tol, "scalar " + what);
        assertEquals(a, Vectors.dot(x, xo, y, yo, n), "Vectors.dot uses the best kernel, " + what);
      }
    }
    assertEquals(0f, scalar.dot(x, 0, y, 0, 0));
    assertEquals(0f, simd.dot(x, 0, y, 0, 0));
  }

  @Test
  void shouldGiveBitIdenticalOptimiserStepsInBothKernels() {
    Kernels simd = Kernels.best();
    assumeTrue(simd.name().startsWith("simd"), "SIMD kernels not available: " + simd.name());
    Kernels scalar = new ScalarKernels();
    Rng rng = new Rng(5);
    for (int n : new int[] {0, 1, 7, 15, 16, 17, 63, 64, 65, 300, 301}) {
      float[] g = random(rng, n);
      float[][] a = {random(rng, n), random(rng, n), positive(rng, n)};
      float[][] b = {a[0].clone(), a[1].clone(), a[2].clone()};
      for (int step = 0; step < 3; step++) {
        simd.adam(a[0], g, a[1], a[2], 0.7f, 0.003f, 0.9f, 0.999f, 1e-8f, n);
        scalar.adam(b[0], g, b[1], b[2], 0.7f, 0.003f, 0.9f, 0.999f, 1e-8f, n);
        simd.adagrad(a[0], g, a[2], 0.5f, 0.05f, step == 1 ? 0.999f : 1f, 1e-7f, n);
        scalar.adagrad(b[0], g, b[2], 0.5f, 0.05f, step == 1 ? 0.999f : 1f, 1e-7f, n);
      }
      for (int k = 0; k < 3; k++) {
        assertArrayEquals(b[k], a[k], "array " + k + " at n=" + n);
      }
    }
  }

  @Test
  void shouldStepAsAdamAndAdagradAreDefined() {
    float[] w = {1f, -2f};
    float[] g = {0.5f, -1f};
    float[] m = {0f, 0.1f};
    float[] v = {0f, 0.2f};
    Vectors.adamInPlace(w, g, m, v, 2f, 0.01f, 0.9f, 0.999f, 1e-8f, 2);
    // γ = (1, −2); m = (0.1, 0.09 − 0.2); v = (0.001, 0.1998 + 0.004).
    assertEquals(0.1f, m[0], 1e-7f);
    assertEquals(-0.11f, m[1], 1e-7f);
    assertEquals(0.001f, v[0], 1e-7f);
    assertEquals(0.2038f, v[1], 1e-6f);
    assertEquals(1f - 0.01f * 0.1f / (float) Math.sqrt(0.001f), w[0], 1e-6f);
    assertEquals(-2f + 0.01f * 0.11f / (float) Math.sqrt(0.2038f), w[1], 1e-6f);
    float[] acc = {0f, 3f};
    float[] x = {0f, 0f};
    Vectors.adagradInPlace(x, g, acc, 2f, 0.1f, 1f, 0f, 2);
    assertArrayEquals(new float[] {1f, 7f}, acc);
    assertEquals(-0.1f, x[0], 1e-7f);
    assertEquals(0.2f / (float) Math.sqrt(7f), x[1], 1e-7f);
  }

  private static float[] positive(Rng rng, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = rng.nextFloat();
    }
    return x;
  }

  @Test
  void shouldDotFloatsWithSignedBytesInBothKernels() {
    Kernels best = Kernels.best();
    Kernels scalar = new ScalarKernels();
    Rng rng = new Rng(78);
    float[] x = random(rng, 1200);
    byte[] y = new byte[1200];
    for (int i = 0; i < y.length; i++) {
      y[i] = (byte) (rng.nextInt(256) - 128); // -128..127, both extremes included below
    }
    y[5] = -128;
    y[6] = 127;
    for (int n : new int[] {0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 300, 1000, 1190}) {
      for (int xo : new int[] {0, 3}) {
        int yo = 5;
        double exact = 0;
        double abs = 0;
        for (int i = 0; i < n; i++) {
          exact += (double) x[xo + i] * y[yo + i];
          abs += Math.abs((double) x[xo + i] * y[yo + i]);
        }
        double tol = n * 0x1p-23 * abs + 1e-7;
        assertEquals(exact, best.dotBytes(x, xo, y, yo, n), tol, best.name() + " n=" + n + " xo=" + xo);
        assertEquals(exact, scalar.dotBytes(x, xo, y, yo, n), tol, "scalar n=" + n + " xo=" + xo);
        assertEquals(best.dotBytes(x, xo, y, yo, n), Vectors.dotBytes(x, xo, y, yo, n));
      }
    }
  }

  @Test
  void shouldScoreABlockOfRowsWithTheBitsOfOneDotPerRowInBothLayouts() {
    Rng rng = new Rng(79);
    for (int dim : new int[] {0, 1, 7, 16, 33, 64, 300}) {
      int count = 23;
      float[] q = random(rng, dim + 2);
      float[] block = random(rng, 3 + count * dim);
      float[][] rows = new float[count][];
      for (int r = 0; r < count; r++) {
        rows[r] = Arrays.copyOfRange(block, 3 + r * dim, 3 + (r + 1) * dim);
      }
      float w = -0.75f;
      float[] flat = new float[count + 1];
      float[] jagged = new float[count + 1];
      Vectors.dotRows(w, q, 2, block, 3, dim, count, flat, 1, false);
      Vectors.dotRows(w, q, 2, r -> rows[r], count, dim, jagged, 1, false);
      for (int r = 0; r < count; r++) {
        float expected = w * Vectors.dot(q, 2, block, 3 + r * dim, dim);
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(flat[1 + r]), "dim=" + dim + " r=" + r);
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(jagged[1 + r]), "dim=" + dim + " r=" + r);
      }
      assertEquals(0f, flat[0], "nothing before oo is written");
      float[] before = flat.clone();
      Vectors.dotRows(2f, q, 0, block, 3, dim, count, flat, 1, true);
      Vectors.dotRows(2f, q, 0, r -> rows[r], count, dim, jagged, 1, true);
      for (int r = 0; r < count; r++) {
        float expected = before[1 + r] + 2f * Vectors.dot(q, 0, rows[r], 0, dim);
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(flat[1 + r]), "accumulate dim=" + dim);
        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(jagged[1 + r]), "accumulate dim=" + dim);
      }
    }
  }

  @Test
  void shouldQuantizeToSignedBytesAndReturnTheSquaredError() {
    float[] x = {0.5f, -1.27f, 1.27f, 0.004f, -0.006f, 3f, -3f};
    byte[] out = new byte[9];
    double err = Vectors.quantize(x, 0, 7, 0.01f, out, 1);
    assertArrayEquals(new byte[] {0, 50, -127, 127, 0, -1, 127, -127, 0}, out, "rounded, clamped to ±127");
    double expected = 0;
    for (int i = 0; i < 7; i++) {
      double e = (double) x[i] - (double) 0.01f * out[1 + i];
      expected += e * e;
    }
    assertEquals(expected, err, 1e-12);
    assertEquals((3 - 1.27) * (3 - 1.27) * 2, err, 1e-4, "clamping dominates the error");
    // what dotBytes reads back approximates the float dot product within the error's Cauchy–Schwarz bound
    float[] q = {1, 2, 3, 4, 5, 6, 7};
    double approx = 0.01f * Vectors.dotBytes(q, 0, out, 1, 7);
    assertTrue(Math.abs(Vectors.dot(q, 0, x, 0, 7) - approx) <= Math.sqrt(Vectors.squaredNorm(q, 0, 7) * err) + 1e-4);
    byte[] zeros = {9, 9, 9};
    assertEquals(1 + 4 + 9, Vectors.quantize(new float[] {1, -2, 3}, 0, 3, 0f, zeros, 0), 1e-12);
    assertArrayEquals(new byte[3], zeros, "scale 0 writes zeros");
  }

  @Test
  void shouldFindTheLargestMagnitudeAndReportNaN() {
    assertEquals(3f, Vectors.maxAbs(new float[] {1, -3, 2}, 0, 3));
    assertEquals(2f, Vectors.maxAbs(new float[] {1, -3, 2}, 2, 1));
    assertEquals(0f, Vectors.maxAbs(new float[] {1}, 0, 0));
    assertEquals(0f, Vectors.maxAbs(new float[0], 0, -1), "a negative length reads nothing");
    assertEquals(Float.POSITIVE_INFINITY, Vectors.maxAbs(new float[] {1, Float.NEGATIVE_INFINITY}, 0, 2));
    assertTrue(Float.isNaN(Vectors.maxAbs(new float[] {Float.NaN, 5, 1}, 0, 3)));
    assertTrue(Float.isNaN(Vectors.maxAbs(new float[] {5, Float.NaN}, 0, 2)));
  }

  @Test
  void shouldComputeAffineAndNameBothShapesOnMismatch() {
    float[] a = {1, 2, 3, 4, 5, 6}; // 2x3
    float[] out = new float[2];
    Vectors.affine(a, 2, 3, new float[] {1, 0, -1}, new float[] {0.5f, -0.5f}, out);
    assertArrayEquals(new float[] {1 - 3 + 0.5f, 4 - 6 - 0.5f}, out);
    Vectors.affine(a, 2, 3, new float[] {1, 1, 1}, null, out);
    assertArrayEquals(new float[] {6, 15}, out);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Vectors.affine(a, 3, 3, new float[3], null, new float[3]));
    assertTrue(e.getMessage().contains("6") && e.getMessage().contains("3x3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Vectors.affine(a, 2, 3, new float[2], null, new float[2]));
    assertTrue(e.getMessage().contains("2x3") && e.getMessage().contains("x has 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Vectors.affine(a, 2, 3, new float[3], new float[1], new float[2]));
    assertTrue(e.getMessage().contains("2x3") && e.getMessage().contains("b has 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Vectors.affine(a, 2, 3, new float[3], null, new float[1]));
    assertTrue(e.getMessage().contains("2x3") && e.getMessage().contains("out has 1"), e.getMessage());

    e = assertThrows(IllegalArgumentException.class, () -> Vectors.dot(new float[3], new float[4]));
    assertTrue(e.getMessage().contains("3") && e.getMessage().contains("4"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Vectors.axpy(1f, new float[3], new float[2]));
    assertTrue(e.getMessage().contains("3") && e.getMessage().contains("2"), e.getMessage());
  }

  @Test
  void shouldModifyOnlyTheDocumentedArgument() {
    float[] x = {1, 2, 3, 4};
    float[] y = {10, 20, 30, 40};
    Vectors.axpy(2f, x, 1, y, 0, 2);
    assertArrayEquals(new float[] {14, 26, 30, 40}, y);
    assertArrayEquals(new float[] {1, 2, 3, 4}, x);
    Vectors.scaleInPlace(0.5f, x, 2, 2);
    assertArrayEquals(new float[] {1, 2, 1.5f, 2}, x);
    assertEquals(1 + 4 + 2.25 + 4, Vectors.squaredNorm(x, 0, 4), 1e-12);
    float[] out = new float[3];
    Vectors.hadamard(new float[] {1, 2, 3}, new float[] {4, 5, 6}, out, 3);
    assertArrayEquals(new float[] {4, 10, 18}, out);
    Vectors.zero(y, 1, 2);
    assertArrayEquals(new float[] {14, 0, 0, 40}, y);
    float[] scaled = {7, 7, 7, 7};
    Vectors.scale(-2f, new float[] {1, 2, 3}, 1, scaled, 1, 2);
    assertArrayEquals(new float[] {7, -4, -6, 7}, scaled);
  }

  @Test
  void shouldComputeLogisticFunctionsStably() {
    for (double x = -40; x <= 40; x += 0.5) {
      double ref = 1 / (1 + Math.exp(-x));
      assertEquals(ref, Vectors.sigmoid(x), 1e-15);
      assertEquals(Math.log(ref), Vectors.logSigmoid(x), 1e-12 * Math.max(1, Math.abs(x)));
    }
    assertEquals(-1000.0, Vectors.logSigmoid(-1000), 1e-9);
    assertEquals(0.0, Vectors.logSigmoid(1000), 0.0);
    assertEquals(0.0, Vectors.sigmoid(-1000), 0.0);
    assertEquals(1.0, Vectors.sigmoid(1000), 0.0);
    assertEquals(2f, Vectors.elu(2f));
    assertEquals((float) Math.expm1(-0.5), Vectors.elu(-0.5f));
    assertEquals(1f, Vectors.eluGrad(0.3f));
    assertEquals((float) Math.exp(-0.5), Vectors.eluGrad(-0.5f));
  }

  @Test
  void shouldReplayTheSameSequenceAfterReseedAndStayInBounds() {
    Rng a = new Rng(5);
    long[] first = new long[10];
    for (int i = 0; i < 10; i++) {
      first[i] = a.nextLong();
    }
    a.reseed(5);
    for (int i = 0; i < 10; i++) {
      assertEquals(first[i], a.nextLong());
    }
    int[] hist = new int[7];
    for (int i = 0; i < 70_000; i++) {
      int v = a.nextInt(7);
      hist[v]++;
      double d = a.nextDouble();
      float f = a.nextFloat();
      assertTrue(d >= 0 && d < 1 && f >= 0 && f < 1);
    }
    for (int h : hist) {
      assertEquals(10_000, h, 500);
    }
  }
}
