package io.jrlstream.core.rank;

import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.view.View;
import java.util.List;

/**
 * eJRL scoring (paper §4.2, DESIGN.md §1 "Score"): s(u, v) = Σ_k w_k · (u_k · v_k), the dot product of the
 * concatenated per-view vectors with per-view weights. Read-only over the views' tables: safe to call from
 * several threads while no training runs.
 */
public final class EjrlModel implements io.jrlstream.core.eval.Scorer {
  private final List<View> views;
  private final double[] weights;
  private final int itemCount;

  /**
   * @param views the views to combine
   * @param weights one weight per view (same order)
   * @param itemCount items [0, itemCount) are scored
   */
  public EjrlModel(List<View> views, double[] weights, int itemCount) {
    if (weights.length != views.size()) {
      throw new IllegalArgumentException(views.size() + " views but " + weights.length + " weights");
    }
    this.views = List.copyOf(views);
    this.weights = weights.clone();
    this.itemCount = itemCount;
  }

  public List<View> views() {
    return views;
  }

  public double[] weights() {
    return weights.clone();
  }

  /** A model over the same views with other weights. */
  public EjrlModel withWeights(double[] w) {
    return new EjrlModel(views, w, itemCount);
  }

  @Override
  public void scoreAll(int user, float[] out) {
    java.util.Arrays.fill(out, 0, itemCount, 0f);
    for (int k = 0; k < views.size(); k++) {
      float w = (float) weights[k];
      if (w == 0f) {
        continue;
      }
      View view = views.get(k);
      Table items = view.items();
      float[] u = view.users().row(user);
      int dim = u.length;
      for (int v = 0; v < itemCount; v++) {
        out[v] += w * Vectors.dot(u, 0, items.row(v), 0, dim);
      }
    }
  }

  /**
   * The standard deviation of a view's scores u_k·v_k over a seeded sample of (user, item) pairs. Views'
   * score scales differ a lot and change as training data grows; weights chosen for scores divided by
   * this scale transfer from a model trained on a validation carve to one trained on all training data.
   */
  public static double scoreScale(View view, int userCount, int itemCount, long seed) {
    io.jrlstream.core.math.Rng rng = new io.jrlstream.core.math.Rng(seed);
    int n = 20_000;
    double sum = 0;
    double sq = 0;
    for (int i = 0; i < n; i++) {
      double s = view.score(rng.nextInt(userCount), rng.nextInt(itemCount));
      sum += s;
      sq += s * s;
    }
    double mean = sum / n;
    double sd = Math.sqrt(Math.max(0, sq / n - mean * mean));
    return sd > 0 ? sd : 1;
  }

  /** s(user, item). */
  public float score(int user, int item) {
    float s = 0;
    for (int k = 0; k < views.size(); k++) {
      if (weights[k] != 0) {
        s += (float) weights[k] * views.get(k).score(user, item);
      }
    }
    return s;
  }
}
