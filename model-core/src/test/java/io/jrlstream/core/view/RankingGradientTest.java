package io.jrlstream.core.view;

import static io.jrlstream.core.view.GradientCheck.dot;
import static io.jrlstream.core.view.GradientCheck.rankingLoss;
import static io.jrlstream.core.view.GradientCheck.squaredNorm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.param.Param;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ranking term on its own: both {@link RankingLoss} forms against independent formulas, and the JRL
 * joint term (paper §3.5) where one coef = w·L'(Σ_k d_k) drives every view's addRankingGradient, as
 * {@code OfflineTrainer}'s JRL path does.
 */
class RankingGradientTest {
  private static final float W = 0.5f;
  private static final int[][] TRIPLES = {{0, 1, 3}, {2, 3, 0}, {0, 2, 1}};

  @ParameterizedTest
  @EnumSource(RankingLoss.class)
  void shouldHaveLossAndDerivativeMatchingTheirFormulas(RankingLoss form) {
    for (double d = -30; d <= 30; d += 0.37) {
      double ref = rankingLoss(form, d);
      assertEquals(ref, form.loss(d), 1e-12 * Math.max(1, Math.abs(ref)), form + " loss at " + d);
      double h = 1e-5;
      double numeric = (rankingLoss(form, d + h) - rankingLoss(form, d - h)) / (2 * h);
      assertEquals(numeric, form.derivative(d), 1e-7 + 1e-6 * Math.abs(numeric), form + " derivative at " + d);
    }
    // No overflow far out.
    assertTrue(Double.isFinite(form.loss(-1000)) && Double.isFinite(form.derivative(-1000)));
    assertTrue(Double.isFinite(form.loss(1000)) && Double.isFinite(form.derivative(1000)));
  }

  @Test
  void shouldDefaultToLogSigmoid() {
    for (String v : ModelConfig.VIEW_NAMES) {
      assertEquals(RankingLoss.LOG_SIGMOID, ViewConfig.defaults(v).rankingLoss(), v);
    }
  }

  @ParameterizedTest
  @EnumSource(RankingLoss.class)
  void shouldMatchFiniteDifferencesForJrlJointRankingTerm(RankingLoss form) {
    ViewConfig cc = ViewGradientTest.config(5, 0.03, form);
    ViewConfig rc = ViewGradientTest.config(4, 0.01, form);
    ViewConfig ic = ViewGradientTest.config(3, 0.0, form);
    List<AbstractView> views = List.of(
        new CollaborativeView(cc, 21),
        new RatingView(rc, new RatingView.Settings(1.0, 3), 22),
        new ImageView(ic, new ImageView.Settings(1e-2, 6, 1), new FixedContent(new int[0][], new float[0][]), 23));
    List<ViewConfig> configs = List.of(cc, rc, ic);
    for (AbstractView v : views) {
      v.reserve(3, 4);
    }
    // The trainer's JRL path: one d over the summed scores, one coef for every view.
    double production = 0;
    for (int[] t : TRIPLES) {
      double d = 0;
      for (AbstractView v : views) {
        d += v.score(t[0], t[1]) - v.score(t[0], t[2]);
      }
      production += W * form.loss(d);
      float coef = (float) (W * form.derivative(d));
      for (AbstractView v : views) {
        production += v.addRankingGradient(t[0], t[1], t[2], coef, W);
      }
    }
    List<Param> params = new ArrayList<>();
    views.forEach(v -> params.addAll(v.params()));
    GradientCheck.Reference ref = p -> {
      double loss = 0;
      for (int[] t : TRIPLES) {
        double d = 0;
        double penalty = 0;
        for (int k = 0; k < views.size(); k++) {
          String n = views.get(k).name();
          double[] u = p.row(n + ".users", t[0]);
          double[] vp = p.row(n + ".items", t[1]);
          double[] vn = p.row(n + ".items", t[2]);
          d += dot(u, vp) - dot(u, vn);
          penalty += configs.get(k).l2() * (squaredNorm(u) + squaredNorm(vp) + squaredNorm(vn));
        }
        loss += W * (rankingLoss(form, d) + penalty);
      }
      return loss;
    };
    GradientCheck.assertLoss(ref.loss(GradientCheck.snapshot(params)), production);
    int nonzero = GradientCheck.check(params, ref);
    assertTrue(nonzero >= 30, "only " + nonzero + " non-zero gradient coordinates");
  }

  @Test
  void shouldAddL2GradientEvenWhenCoefIsZero() {
    ViewConfig c = ViewGradientTest.config(4, 0.1, RankingLoss.LOG_SIGMOID);
    CollaborativeView v = new CollaborativeView(c, 5);
    v.reserve(1, 2);
    double penalty = v.addRankingGradient(0, 0, 1, 0f, 1f);
    float[] u = v.users().row(0);
    float[] g = v.params().get(0).grad().touchedGrad(0);
    double sq = 0;
    for (int j = 0; j < 4; j++) {
      assertEquals(2 * 0.1 * u[j], g[j], 1e-7);
      sq += (double) u[j] * u[j];
    }
    sq += GradientCheck.squaredNorm(toDouble(v.items().row(0))) + GradientCheck.squaredNorm(toDouble(v.items().row(1)));
    assertEquals(0.1 * sq, penalty, 1e-7); // reported in float precision
  }

  private static double[] toDouble(float[] x) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = x[i];
    }
    return d;
  }
}
