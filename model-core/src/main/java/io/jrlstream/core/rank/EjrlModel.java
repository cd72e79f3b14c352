package io.jrlstream.core.rank;

import io.jrlstream.core.eval.Scorer;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.view.View;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

/**
 * eJRL scoring (paper §4.2, DESIGN.md §1 "Score"): s(u, v) = Σ_k w_k · (u_k · v_k), the dot product of the
 * concatenated per-view vectors with per-view weights. {@link #scoreAll} is the scan serving's index runs too
 * ({@link Vectors#dotRows}, views in order, the first with a non-zero weight setting the score and the others
 * adding), so offline evaluation and serving rank by the same bits. Read-only over the views' tables: safe to
 * call from several threads while no training runs.
 */
public final class EjrlModel implements Scorer {
  private final List<View> views;
  private final double[] weights;
  private final int itemCount;
  /** Per view, its item table's rows (made once: scoring allocates nothing). */
  private final List<IntFunction<float[]>> itemRows = new ArrayList<>();

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
    for (View view : this.views) {
      itemRows.add(view.items()::row);
    }
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
    boolean first = true;
    for (int k = 0; k < views.size(); k++) {
      float w = (float) weights[k];
      if (w != 0f) {
        float[] u = views.get(k).users().row(user);
        Vectors.dotRows(w, u, 0, itemRows.get(k), itemCount, u.length, out, 0, !first);
        first = false;
      }
    }
    if (first) {
      Arrays.fill(out, 0, itemCount, 0f);
    }
  }

  /**
   * The standard deviation of a view's scores u_k·v_k over a seeded sample of (user, item) pairs. Views'
   * score scales differ a lot and change as training data grows; weights chosen for scores divided by
   * this scale transfer from a model trained on a validation carve to one trained on all training data.
   */
  public static double scoreScale(View view, int userCount, int itemCount, long seed) {
    Rng rng = new Rng(seed);
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
