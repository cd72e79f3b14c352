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
