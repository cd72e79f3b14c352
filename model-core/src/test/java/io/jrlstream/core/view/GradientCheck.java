package io.jrlstream.core.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.math.Rng;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.SparseGrad;
import io.jrlstream.core.param.Table;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finite-difference gradient checking for the views' analytic gradients.
 *
 * <p>The production code accumulates gradients in float into each {@link Param}'s {@link SparseGrad}. A
 * test writes an independent reference loss in double over a {@link Point} (a double copy of every parameter
 * table, keyed by table name) and {@link #check} compares every coordinate of every table with the central
 * difference of that reference loss; rows the batch did not touch must have a zero numeric gradient.
 */
final class GradientCheck {
  static final double EPS = 1e-4;
  static final double RTOL = 1e-3;
  static final double ATOL = 1e-5;

  private GradientCheck() {}

  /** A double-precision copy of the parameter values: where the reference loss is evaluated. */
  static final class Point {
    private final Map<String, double[][]> tables = new LinkedHashMap<>();

    double[][] table(String name) {
      double[][] t = tables.get(name);
      if (t == null) {
        throw new IllegalArgumentException("no table " + name + " (have " + tables.keySet() + ")");
      }
      return t;
    }

    double[] row(String name, int r) {
      return table(name)[r];
    }
  }

  /** A loss written in double from DESIGN.md's formulas. */
  @FunctionalInterface
  interface Reference {
    double loss(Point p);
  }

  static Point snapshot(List<Param> params) {
    Point p = new Point();
    for (Param param : params) {
      Table t = param.value();
      double[][] rows = new double[t.size()][t.dim()];
      for (int r = 0; r < t.size(); r++) {
        float[] row = t.row(r);
        for (int j = 0; j < t.dim(); j++) {
          rows[r][j] = row[j];
        }
      }
      if (p.tables.put(t.name(), rows) != null) {
        throw new IllegalArgumentException("duplicate table name " + t.name());
      }
    }
    return p;
  }

  /** The analytic gradient rows of a parameter for the current batch (copies), by row index. */
  static Map<Integer, float[]> analytic(Param param) {
    SparseGrad g = param.grad();
    Map<Integer, float[]> m = new HashMap<>();
    for (int k = 0; k < g.touchedCount(); k++) {
      m.put(g.touched(k), g.touchedGrad(k).clone());
    }
    return m;
  }

  /**
   * Checks every coordinate of every parameter: the analytic gradient (0 for untouched rows) against the
   * central difference of {@code reference}. Returns how many coordinates have a numeric gradient above
   * the absolute floor, so that callers can assert the check was not vacuous.
   */
  static int check(List<Param> params, Reference reference) {
    Point p = snapshot(params);
    List<String> failures = new ArrayList<>();
    int nonzero = 0;
    int checked = 0;
    for (Param param : params) {
      String name = param.value().name();
      Map<Integer, float[]> analytic = analytic(param);
      double[][] t = p.table(name);
      for (int r = 0; r < t.length; r++) {
        float[] g = analytic.get(r);
        for (int j = 0; j < t[r].length; j++) {
          double x0 = t[r][j];
          t[r][j] = x0 + EPS;
          double fp = reference.loss(p);
          t[r][j] = x0 - EPS;
          double fm = reference.loss(p);
          t[r][j] = x0;
          double numeric = (fp - fm) / (2 * EPS);
          double a = g == null ? 0 : g[j];
          checked++;
          if (Math.abs(numeric) > ATOL) {
            nonzero++;
          }
          if (!(Math.abs(a - numeric) <= RTOL * Math.max(Math.abs(a), Math.abs(numeric)) + ATOL)) {
            failures.add(String.format("%s[%d][%d]: analytic %.8g, numeric %.8g%s", name, r, j, a, numeric,
                g == null ? " (row untouched)" : ""));
          }
        }
      }
    }
    assertTrue(failures.isEmpty(),
        failures.size() + " of " + checked + " coordinates disagree with finite differences:\n  "
            + String.join("\n  ", failures.subList(0, Math.min(20, failures.size()))));
    return nonzero;
  }

  /** Asserts the production loss equals the reference loss at the current parameters. */
  static void assertLoss(double reference, double production) {
    assertEquals(reference, production, 1e-5 * Math.max(1e-3, Math.abs(reference)),
        "production loss " + production + " differs from the reference " + reference);
  }

  /** Overwrites rows [0, n) of a table with seeded Gaussian values of standard deviation sd. */
  static void randomise(Table t, int n, double sd, long seed) {
    Rng rng = new Rng(seed);
    for (int r = 0; r < n; r++) {
      float[] v = new float[t.dim()];
      for (int j = 0; j < v.length; j++) {
        double u1 = 1 - rng.nextDouble();
        double u2 = rng.nextDouble();
        v[j] = (float) (sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
      }
      t.set(r, v);
    }
  }

  // Reference maths, in double, independent of io.jrlstream.core.math.Vectors.

  static double dot(double[] a, double[] b) {
    assertEquals(a.length, b.length, "reference dot: lengths");
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double squaredNorm(double[] a) {
    return dot(a, a);
  }

  /** −log σ(x) = log(1 + e^{−x}). */
  static double negLogSigmoid(double x) {
    return x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
  }

  static double sigma(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  static double elu(double x) {
    return x > 0 ? x : Math.exp(x) - 1;
  }

  /** The ranking term's loss on d = u·v+ − u·v− in the given form (DESIGN.md §1, paper §4.2). */
  static double rankingLoss(RankingLoss form, double d) {
    return switch (form) {
      case LOG_SIGMOID -> negLogSigmoid(d);
      case SIGMOID -> -sigma(d);
    };
  }

  /** x → φ(W_L·…φ(W_1·x + b_1)… + b_L) with φ = ELU, reading tables prefix.W1, prefix.b1, …. */
  static double[] mlp(Point p, String prefix, int layers, double[] x) {
    double[] in = x;
    for (int l = 1; l <= layers; l++) {
      double[][] w = p.table(prefix + ".W" + l);
      double[] b = p.row(prefix + ".b" + l, 0);
      double[] out = new double[w.length];
      for (int r = 0; r < w.length; r++) {
        out[r] = elu(dot(w[r], in) + b[r]);
      }
      in = out;
    }
    return in;
  }
}
