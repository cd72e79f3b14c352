package io.jrlstream.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.Table;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The update rules on a hand-sized 2-row table (DESIGN.md §1 "Optimisation"): touched rows move exactly by
 * the documented formulas, untouched rows never change (sparse, lazy updates), and the batch gradient is
 * clipped to a global norm.
 */
class OptimizerTest {
  private static final double TOL = 1e-6;

  private static Param param(float[] row0, float[] row1) {
    Table t = new Table("t", 2, Table.Init.ZERO, 0f, 1);
    t.set(0, row0);
    t.set(1, row1);
    return new Param(t);
  }

  private static void grad(Param p, int row, float... g) {
    float[] r = p.gradRow(row);
    for (int j = 0; j < g.length; j++) {
      r[j] += g[j];
    }
  }

  private static void assertRow(double[] expected, float[] actual, String what) {
    for (int j = 0; j < expected.length; j++) {
      assertEquals(expected[j], actual[j], TOL * Math.max(1, Math.abs(expected[j])), what + "[" + j + "]");
    }
  }

  @Test
  void shouldApplySgdToTouchedRowsOnly() {
    Param p = param(new float[] {1f, -2f}, new float[] {3f, 4f});
    Optimizer o = new Optimizer(OptimizerKind.SGD, 0);
    grad(p, 0, 0.5f, 0.25f);
    o.step(List.of(p), 0.1f);
    assertRow(new double[] {1 - 0.1 * 0.5, -2 - 0.1 * 0.25}, p.value().row(0), "row 0");
    assertArrayEquals(new float[] {3f, 4f}, p.value().row(1), "untouched row 1 must not move");
    assertEquals(0, p.grad().touchedCount(), "step clears the gradient");

    // A second batch touching only row 1 leaves row 0 alone.
    float[] row0 = p.value().row(0).clone();
    grad(p, 1, -1f, 2f);
    o.step(List.of(p), 0.5f);
    assertArrayEquals(row0, p.value().row(0));
    assertRow(new double[] {3 + 0.5, 4 - 1.0}, p.value().row(1), "row 1");
  }

  @Test
  void shouldStartLeakyAdaGradAsAdaGradAndNeverLetItsStepDecayToZero() {
    Param leaky = param(new float[] {0f, 0f}, new float[] {0f, 0f});
    Param plain = param(new float[] {0f, 0f}, new float[] {0f, 0f});
    Optimizer lo = new Optimizer(OptimizerKind.LEAKY_ADAGRAD, 0);
    Optimizer po = new Optimizer(OptimizerKind.ADAGRAD, 0);
    float lr = 0.1f;
    double first = 0;
    double lastLeaky = 0;
    double lastPlain = 0;
    for (int t = 0; t < 20_000; t++) {
      float before = leaky.value().row(0)[0];
      float beforePlain = plain.value().row(0)[0];
      grad(leaky, 0, 1f, 0f);
      grad(plain, 0, 1f, 0f);
      lo.step(List.of(leaky), lr);
      po.step(List.of(plain), lr);
      lastLeaky = before - leaky.value().row(0)[0];
      lastPlain = beforePlain - plain.value().row(0)[0];
      if (t == 0) {
        first = lastLeaky;
        assertEquals(lastPlain, lastLeaky, 1e-7, "the first step is AdaGrad's");
      }
    }
    assertEquals(lr, first, 1e-6, "first step lr·g/√g²");
    // Steady state: acc → g²/(1−ρ), step → lr·√(1−ρ); AdaGrad's keeps shrinking as lr/√t.
    assertEquals(lr * Math.sqrt(1 - Optimizer.LEAKY_RHO), lastLeaky, 1e-4);
    assertEquals(lr / Math.sqrt(20_000), lastPlain, 1e-5);
    assertEquals(0f, leaky.value().row(0)[1], "a zero gradient coordinate does not move");
  }

  @Test
  void shouldApplyAdaGradWithAccumulatedSquares() {
    Param p = param(new float[] {1f, -2f}, new float[] {3f, 4f});
    Optimizer o = new Optimizer(OptimizerKind.ADAGRAD, 0);
    double lr = 0.1;
    double[] g1 = {0.5, -0.2};
    double[] g2 = {0.3, 0.4};
    grad(p, 0, (float) g1[0], (float) g1[1]);
    o.step(List.of(p), (float) lr);
    double[] w = {1, -2};
    double[] acc = new double[2];
    for (int j = 0; j < 2; j++) {
      acc[j] = g1[j] * g1[j];
      w[j] -= lr * g1[j] / (Math.sqrt(acc[j]) + 1e-7);
    }
    assertRow(w, p.value().row(0), "after step 1");
    assertArrayEquals(new float[] {3f, 4f}, p.value().row(1));

    grad(p, 0, (float) g2[0], (float) g2[1]);
    o.step(List.of(p), (float) lr);
    for (int j = 0; j < 2; j++) {
      acc[j] += g2[j] * g2[j];
      w[j] -= lr * g2[j] / (Math.sqrt(acc[j]) + 1e-7);
    }
    assertRow(w, p.value().row(0), "after step 2");
    assertArrayEquals(new float[] {3f, 4f}, p.value().row(1));
  }

  @Test
  void shouldApplyAdamLazilyWithGlobalStepBiasCorrection() {
    Param p = param(new float[] {1f, -2f}, new float[] {3f, 4f});
    Optimizer o = new Optimizer(OptimizerKind.ADAM, 0);
    double lr = 0.01;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    double[] g1 = {0.5, -0.2};
    double[] g2 = {0.3, 0.4};
    double[] h2 = {-1.0, 0.05};

    // Step 1 touches row 0 only.
    grad(p, 0, (float) g1[0], (float) g1[1]);
    o.step(List.of(p), (float) lr);
    double[] w0 = {1, -2};
    double[] m0 = new double[2];
    double[] v0 = new double[2];
    adam(w0, m0, v0, g1, lr, 1, b1, b2, eps);
    assertRow(w0, p.value().row(0), "row 0 after step 1");
    assertArrayEquals(new float[] {3f, 4f}, p.value().row(1), "untouched row 1 after step 1");
    assertEquals(1, o.steps());

    // Step 2 touches both; row 1's moments start at zero, its bias correction uses the global step 2.
    grad(p, 0, (float) g2[0], (float) g2[1]);
    grad(p, 1, (float) h2[0], (float) h2[1]);
    o.step(List.of(p), (float) lr);
    adam(w0, m0, v0, g2, lr, 2, b1, b2, eps);
    double[] w1 = {3, 4};
    adam(w1, new double[2], new double[2], h2, lr, 2, b1, b2, eps);
    assertRow(w0, p.value().row(0), "row 0 after step 2");
    assertRow(w1, p.value().row(1), "row 1 after step 2");
    assertEquals(2, o.steps());
  }

  /** Adam (Kingma & Ba, Algorithm 1, with ε added to √v̂ the way lr·√(1−β2^t)/(1−β1^t) folds it). */
  private static void adam(double[] w, double[] m, double[] v, double[] g, double lr, int t, double b1, double b2,
      double eps) {
    double step = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
    for (int j = 0; j < w.length; j++) {
      m[j] = b1 * m[j] + (1 - b1) * g[j];
      v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
      w[j] -= step * m[j] / (Math.sqrt(v[j]) + eps);
    }
  }

  @Test
  void shouldClipTheGlobalNormAcrossParams() {
    // Two params: (6, 0) and (0, 8) have global norm 10; each alone is below 10.
    Param a = param(new float[] {0f, 0f}, new float[] {1f, 1f});
    Param b = param(new float[] {0f, 0f}, new float[] {1f, 1f});
    grad(a, 0, 6f, 0f);
    grad(b, 0, 0f, 8f);
    Optimizer o = new Optimizer(OptimizerKind.SGD, 5);
    double norm = o.step(List.of(a, b), 1f);
    assertEquals(10.0, norm, 1e-9, "step returns the norm before clipping");
    // Applied gradient = −Δw / lr: scaled by 5/10 in every param, so its global norm is 5.
    float[] da = a.value().row(0);
    float[] db = b.value().row(0);
    assertRow(new double[] {-3, 0}, da, "a");
    assertRow(new double[] {0, -4}, db, "b");
    double after = Math.sqrt(da[0] * da[0] + da[1] * da[1] + db[0] * db[0] + db[1] * db[1]);
    assertEquals(5.0, after, 1e-6, "norm after clipping");
    assertArrayEquals(new float[] {1f, 1f}, a.value().row(1));
  }

  @Test
  void shouldNotClipBelowTheThresholdOrWhenDisabled() {
    Param p = param(new float[] {0f, 0f}, new float[] {0f, 0f});
    grad(p, 0, 3f, 4f); // norm exactly 5
    assertEquals(5.0, new Optimizer(OptimizerKind.SGD, 5).step(List.of(p), 1f), 1e-9);
    assertRow(new double[] {-3, -4}, p.value().row(0), "norm 5 is not above 5");

    Param q = param(new float[] {0f, 0f}, new float[] {0f, 0f});
    grad(q, 1, 30f, 40f);
    assertEquals(50.0, new Optimizer(OptimizerKind.SGD, 0).step(List.of(q), 0.1f), 1e-9);
    assertRow(new double[] {-3, -4}, q.value().row(1), "clipNorm 0 disables clipping");
  }

  @ParameterizedTest
  @EnumSource(OptimizerKind.class)
  void shouldScaleTheGradientBeforeTheUpdateRule(OptimizerKind kind) {
    // The clipped gradient (12, 16)·(5/20) = (3, 4) must act exactly like an unclipped (3, 4).
    Param clipped = param(new float[] {1f, 2f}, new float[] {0f, 0f});
    Param plain = param(new float[] {1f, 2f}, new float[] {0f, 0f});
    Optimizer oc = new Optimizer(kind, 5);
    Optimizer op = new Optimizer(kind, 0);
    for (int step = 0; step < 3; step++) {
      grad(clipped, 0, 12f, 16f);
      grad(plain, 0, 3f, 4f);
      oc.step(List.of(clipped), 0.05f);
      op.step(List.of(plain), 0.05f);
      for (int j = 0; j < 2; j++) {
        assertEquals(plain.value().row(0)[j], clipped.value().row(0)[j], 1e-6, kind + " step " + step);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(OptimizerKind.class)
  void shouldNeverMoveUntouchedRowsOverManySteps(OptimizerKind kind) {
    Table t = new Table("big", 3, Table.Init.NORMAL, 0.1f, 9);
    t.ensure(10);
    Param p = new Param(t);
    float[][] before = new float[10][];
    for (int r = 0; r < 10; r++) {
      before[r] = t.row(r).clone();
    }
    Optimizer o = new Optimizer(kind, 5);
    for (int step = 0; step < 20; step++) {
      int r = 2 * (step % 3); // rows 0, 2, 4 only
      float[] g = p.gradRow(r);
      g[0] += 1f;
      g[2] -= 0.5f;
      o.step(List.of(p), 0.1f);
    }
    for (int r = 0; r < 10; r++) {
      boolean touched = r == 0 || r == 2 || r == 4;
      boolean same = Arrays.equals(before[r], t.row(r));
      assertEquals(!touched, same, kind + " row " + r + (touched ? " should have moved" : " must not move"));
    }
  }
}
