package io.jrlstream.core.experiment;

import io.jrlstream.core.eval.Scorer;
import io.jrlstream.core.rank.EjrlModel;
import io.jrlstream.core.view.View;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Per-view score matrices (users × items) computed once, so that trying many eJRL weight vectors costs a
 * weighted sum instead of fresh dot products. Falls back to direct scoring when the matrices would not fit
 * in {@value #MAX_FLOATS} floats.
 */
final class CachedScores {
  static final long MAX_FLOATS = 64L << 20;

  private final List<View> views;
  private final int items;
  private final float[][][] scores;

  CachedScores(List<View> views, int users, int items) {
    this.views = views;
    this.items = items;
    if ((long) users * items * views.size() > MAX_FLOATS) {
      this.scores = null;
      return;
    }
    scores = new float[views.size()][users][];
    IntStream.range(0, users).parallel().forEach(u -> {
      for (int k = 0; k < views.size(); k++) {
        float[] row = new float[items];
        new EjrlModel(List.of(views.get(k)), new double[] {1}, items).scoreAll(u, row);
        scores[k][u] = row;
      }
    });
  }

  Scorer withWeights(double[] w) {
    if (scores == null) {
      return new EjrlModel(views, w, items);
    }
    double[] ws = w.clone();
    return (user, out) -> {
      Arrays.fill(out, 0, items, 0f);
      for (int k = 0; k < ws.length; k++) {
        float wk = (float) ws[k];
        if (wk == 0f) {
          continue;
        }
        float[] s = scores[k][user];
        for (int v = 0; v < items; v++) {
          out[v] += wk * s[v];
        }
      }
    };
  }
}
