package io.jrlstream.core.view;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.param.Param;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The per-item bias of {@link ViewConfig#bias()}: one more component in user rows (a constant 1) and item rows (the
 * learned bias b_v), so that u·v includes b_v.
 */
class BiasTest {
  private static final int K = 4;

  private static ViewConfig config(OptimizerKind o, double l2) {
    return new ViewConfig(K, o, 0.1, ViewConfig.Schedule.CONSTANT, 1, l2, 0.5, 5, RankingLoss.LOG_SIGMOID, true,
        StreamSettings.defaults(CollaborativeView.NAME));
  }

  @Test
  void shouldStartUsersAtZeroThenOneAndItemsAsWithoutBiasThenZero() {
    CollaborativeView with = new CollaborativeView(config(OptimizerKind.ADAM, 0), 7);
    CollaborativeView without = new CollaborativeView(config(OptimizerKind.ADAM, 0).withBias(false), 7);
    with.reserve(3, 3);
    without.reserve(3, 3);
    for (int r = 0; r < 3; r++) {
      assertEquals(K + 1, with.users().row(r).length);
      assertEquals(1f, with.users().row(r)[K]);
      assertEquals(0f, with.items().row(r)[K]);
      assertArrayEquals(new float[K], Arrays.copyOf(with.users().row(r), K), "a new user is ranked by the biases");
      assertArrayEquals(without.items().row(r), Arrays.copyOf(with.items().row(r), K));
    }
    float[] u = with.users().row(1);
    u[0] = 0.5f;
    u[2] = -1.5f;
    float[] v = with.items().row(2);
    v[K] = 0.75f;
    float dot = 0;
    for (int j = 0; j < K; j++) {
      dot += u[j] * v[j];
    }
    assertEquals(dot + 0.75f, with.score(1, 2), 1e-6f, "the score includes the item's bias");
  }

  /** Central differences of the ranking loss with L2, in double, against the analytic gradient, bias included. */
  @Test
  void shouldMatchFiniteDifferencesOnTheItemBiasesAndGiveTheUsersConstantNoGradient() {
    double l2 = 0.05;
    float w = 0.5f;
    CollaborativeView view = new CollaborativeView(config(OptimizerKind.SGD, l2), 3);
    view.reserve(1, 2);
    view.items().row(0)[K] = 0.3f;
    view.items().row(1)[K] = -0.2f;
    double d = view.score(0, 0) - view.score(0, 1);
    RankingLoss rl = RankingLoss.LOG_SIGMOID;
    view.addRankingGradient(0, 0, 1, (float) (w * rl.derivative(d)), w);
    float[] gu = view.params().get(0).grad().row(0);
    float[] gp = view.params().get(1).grad().row(0);
    float[] gn = view.params().get(1).grad().row(1);
    assertEquals(0f, gu[K], "the user's constant component gets no gradient (so no optimiser moves it)");
    double[] u = toDouble(view.users().row(0));
    double[] vp = toDouble(view.items().row(0));
    double[] vn = toDouble(view.items().row(1));
    double h = 1e-6;
    for (int j = 0; j <= K; j++) {
      double[][] rows = {vp, vn};
      float[][] grads = {gp, gn};
      for (int r = 0; r < 2; r++) {
        double keep = rows[r][j];
        rows[r][j] = keep + h;
        double up = loss(u, vp, vn, l2, w);
        rows[r][j] = keep - h;
        double down = loss(u, vp, vn, l2, w);
        rows[r][j] = keep;
        assertEquals((up - down) / (2 * h), grads[r][j], 1e-5, "item " + r + " component " + j);
      }
      if (j < K) {
        double keep = u[j];
        u[j] = keep + h;
        double up = loss(u, vp, vn, l2, w);
        u[j] = keep - h;
        double down = loss(u, vp, vn, l2, w);
        u[j] = keep;
        assertEquals((up - down) / (2 * h), gu[j], 1e-5, "user component " + j);
      }
    }
  }

  /** w·(−log σ(u·v+ − u·v−) + λ(‖u_K‖² + ‖v+‖² + ‖v−‖²)): the user's constant is not a parameter, the biases are. */
  private static double loss(double[] u, double[] vp, double[] vn, double l2, double w) {
    double d = 0;
    double norm = 0;
    for (int j = 0; j <= K; j++) {
      d += u[j] * (vp[j] - vn[j]);
      norm += vp[j] * vp[j] + vn[j] * vn[j] + (j < K ? u[j] * u[j] : 0);
    }
    return w * (-Vectors.logSigmoid(d) + l2 * norm);
  }

  @ParameterizedTest
  @EnumSource(OptimizerKind.class)
  void shouldNeverMoveTheUsersConstantAndLearnPopularityInTheItemBias(OptimizerKind o) {
    CollaborativeView view = new CollaborativeView(config(o, 0.01), 11);
    int users = 30;
    int items = 10;
    view.reserve(users, items);
    Rng rng = new Rng(5);
    // Item 0 is every user's positive, item 9 only ever a negative.
    for (int step = 0; step < 200; step++) {
      view.beginBatch(0.05f);
      for (int u = 0; u < users; u++) {
        int neg = 1 + rng.nextInt(items - 1);
        double d = view.score(u, 0) - view.score(u, neg);
        view.addRankingGradient(u, 0, neg, (float) (RankingLoss.LOG_SIGMOID.derivative(d) / users), 1f / users);
      }
      view.applyBatch(0.05f);
    }
    for (int u = 0; u < users; u++) {
      assertEquals(1f, view.users().row(u)[K], "user " + u + "'s constant after training with " + o);
    }
    Param userParam = view.params().get(0);
    for (int u = 0; u < userParam.value().size(); u++) {
      float[] s1 = userParam.state1OrNull(u);
      if (s1 != null) {
        assertEquals(0f, s1[K], "no optimiser state builds up on the constant");
      }
    }
    float popular = view.items().row(0)[K];
    for (int v = 1; v < items; v++) {
      assertTrue(popular > view.items().row(v)[K] + 0.1, o + ": bias of item 0 " + popular + " against item " + v
          + "'s " + view.items().row(v)[K]);
    }
  }

  @Test
  void shouldKeepTheViewsOwnTermsOnTheFirstKComponents() {
    ViewConfig c = config(OptimizerKind.SGD, 0);
    RatingView rating = new RatingView(c, new RatingView.Settings(1, 3), 2);
    rating.reserve(1, 1);
    rating.beginBatch(0.1f);
    rating.addContentGradient(new Interaction(0, 0, 5f, -1, 0), new Rng(1), 1f);
    assertEquals(0f, rating.params().get(0).grad().row(0)[K], "the rating loss reads r_u[0..K) only");
    assertEquals(0f, rating.params().get(1).grad().row(0)[K]);
  }

  private static double[] toDouble(float[] x) {
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      d[i] = x[i];
    }
    return d;
  }
}
