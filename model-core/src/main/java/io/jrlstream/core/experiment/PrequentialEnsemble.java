package io.jrlstream.core.experiment;

import io.jrlstream.core.eval.InteractedItems;
import io.jrlstream.core.eval.RankSource;
import io.jrlstream.core.eval.ViewRankSource;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.rank.EjrlModel;
import io.jrlstream.core.view.CollaborativeView;
import io.jrlstream.core.view.View;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * eJRL under the prequential protocol (DESIGN.md §1 "Score" and "Evaluation"): s(u, v) = Σ_k w_k · s_k(u, v) / σ_k
 * over the views' live vectors, with the weights chosen from past events only.
 *
 * <p>How the weights are chosen: a fixed set of candidate weight vectors ("arms": the collaborative view's weight
 * 1, each other view's from {@link #GRID}, on standardised scores as the offline {@code chooseWeights} uses) is
 * scored on every ranked event alongside the one in use, from the same per-view scores (so an arm costs a
 * weighted sum per item, not a dot product). When a window closes, the arm with the best NDCG over that window
 * takes over, if it beats the arm in use by {@link Experiment#MIN_GAIN} (relative): the weights of a window are a
 * function of the windows before it. σ_k, the spread of view k's scores over a seeded sample of known (user,
 * item) pairs ({@link EjrlModel#scoreScale}), is re-estimated at the same time. The first window uses equal
 * weights and σ = 1.
 *
 * <p>As a {@link RankSource}: {@link #prepare} computes every view's score of every candidate item into buffers
 * (grown when the items grow, else no allocation), and {@link #score} combines them. Not thread-safe: the
 * prequential loop drives it.
 */
final class PrequentialEnsemble implements RankSource {
  /** Candidate weights of the views other than the collaborative one. */
  static final double[] GRID = {0, 0.5, 1, 2};

  private final List<String> names;
  private final List<View> views;
  private final ViewRankSource[] sources;
  private final double[][] arms;
  /** arms[a][i] / scale[i]: the weight each arm applies to view i's raw score. */
  private final float[][] effective;
  private final double[] scale;
  private final double[] armWindowNdcg;
  private final double[] discount;
  private final int k;
  private float[][] scores;
  private final float[] combined;
  private final int[] better;
  private int limit;
  private int current;

  /**
   * @param names view names, in model order
   * @param views the trained views, same order
   * @param k the cut-off
   */
  PrequentialEnsemble(List<String> names, List<View> views, int k) {
    this.names = List.copyOf(names);
    this.views = List.copyOf(views);
    this.k = k;
    sources = new ViewRankSource[views.size()];
    for (int i = 0; i < sources.length; i++) {
      sources[i] = new ViewRankSource(views.get(i));
    }
    arms = arms(names);
    scale = new double[views.size()];
    Arrays.fill(scale, 1);
    effective = new float[arms.length][views.size()];
    rescale();
    armWindowNdcg = new double[arms.length];
    better = new int[arms.length];
    discount = new double[k + 1];
    for (int r = 1; r <= k; r++) {
      discount[r] = 1.0 / (Math.log(r + 1) / Math.log(2));
    }
    scores = new float[views.size()][256];
    combined = new float[arms.length];
    current = 0;
  }

  /** Every weight vector: the collaborative view's weight 1 (scales are relative), the others' from the grid. */
  static double[][] arms(List<String> names) {
    int free = 0;
    for (String n : names) {
      if (!n.equals(CollaborativeView.NAME)) {
        free++;
      }
    }
    if (free == names.size() && free > 0) {
      free--; // no collaborative view: the first view's weight is the fixed one
    }
    int count = (int) Math.pow(GRID.length, free);
    double[][] out = new double[count][names.size()];
    int equal = 0;
    for (int a = 0; a < count; a++) {
      int code = a;
      boolean allOnes = true;
      for (int i = 0; i < names.size(); i++) {
        boolean fixed = names.get(i).equals(CollaborativeView.NAME)
            || (i == 0 && !names.contains(CollaborativeView.NAME));
        if (fixed) {
          out[a][i] = 1;
        } else {
          out[a][i] = GRID[code % GRID.length];
          code /= GRID.length;
        }
        allOnes &= out[a][i] == 1;
      }
      if (allOnes) {
        equal = a;
      }
    }
    // The equal-weights arm first: it is the one in use until a window has been seen.
    double[] t = out[0];
    out[0] = out[equal];
    out[equal] = t;
    return out;
  }

  /** Candidates for the next event: items {@code [0, itemsKnown)}. */
  void limit(int itemsKnown) {
    limit = itemsKnown;
  }

  @Override
  public boolean prepare(int user) {
    int n = limit;
    for (ViewRankSource s : sources) {
      if (!s.prepare(user)) {
        return false;
      }
      n = Math.min(n, s.itemLimit());
    }
    limit = n;
    if (scores[0].length < n) {
      for (int i = 0; i < scores.length; i++) {
        scores[i] = new float[Math.max(n, scores[i].length * 2)];
      }
    }
    for (int i = 0; i < sources.length; i++) {
      float[] row = scores[i];
      ViewRankSource s = sources[i];
      for (int v = 0; v < n; v++) {
        row[v] = s.score(v);
      }
    }
    return true;
  }

  @Override
  public int itemLimit() {
    return limit;
  }

  @Override
  public float score(int item) {
    return combine(effective[current], item);
  }

  private float combine(float[] w, int item) {
    float s = 0;
    for (int i = 0; i < scores.length; i++) {
      s += w[i] * scores[i][item];
    }
    return s;
  }

  private void rescale() {
    for (int a = 0; a < arms.length; a++) {
      for (int i = 0; i < scale.length; i++) {
        effective[a][i] = (float) (arms[a][i] / scale[i]);
      }
    }
  }

  /**
   * Adds each arm's NDCG for the event just ranked (the prepared user's {@code item}) to the window's, from the
   * buffers {@link #prepare} filled; ties and exclusions as {@link io.jrlstream.core.eval.PrequentialMeter#rank}.
   */
  void scoreArms(int user, int item, InteractedItems interacted) {
    int n = limit;
    int a = arms.length;
    for (int i = 0; i < a; i++) {
      combined[i] = key(combine(effective[i], item));
      better[i] = 0;
    }
    int open = a;
    for (int v = 0; v < n && open > 0; v++) {
      if (v == item) {
        continue;
      }
      int interactedState = 0; // 0 unknown, 1 interacted, 2 not
      for (int i = 0; i < a; i++) {
        if (better[i] >= k) {
          continue;
        }
        float s = key(combine(effective[i], v));
        if (s > combined[i] || (s == combined[i] && v < item)) {
          if (interactedState == 0) {
            interactedState = interacted.interacted(user, v) ? 1 : 2;
          }
          if (interactedState == 2 && ++better[i] >= k) {
            open--;
          }
        }
      }
    }
    for (int i = 0; i < a; i++) {
      int rank = better[i] + 1;
      armWindowNdcg[i] += rank <= k ? discount[rank] : 0;
    }
  }

  /**
   * Ends a window: the best arm of the window takes over if it beats the one in use by the minimum gain, and the
   * score spreads are re-estimated over the known users and items.
   *
   * @return true when the weights changed
   */
  boolean closeWindow(int usersKnown, int itemsKnown, long seed, long window) {
    int best = current;
    for (int i = 0; i < arms.length; i++) {
      if (armWindowNdcg[i] > armWindowNdcg[best]) {
        best = i;
      }
    }
    boolean changed = best != current && armWindowNdcg[best] > armWindowNdcg[current] * (1 + Experiment.MIN_GAIN);
    if (changed) {
      current = best;
    }
    Arrays.fill(armWindowNdcg, 0);
    if (usersKnown > 0 && itemsKnown > 0) {
      for (int i = 0; i < views.size(); i++) {
        View v = views.get(i);
        int users = Math.min(usersKnown, v.users().size());
        int items = Math.min(itemsKnown, v.items().size());
        if (users > 0 && items > 0) {
          scale[i] = EjrlModel.scoreScale(v, users, items, Rng.mix(seed, window, i));
        }
      }
      rescale();
    }
    return changed;
  }

  /** The weights in use, per view name (on standardised scores). */
  Map<String, Double> weights() {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      out.put(names.get(i), arms[current][i]);
    }
    return out;
  }

  private static float key(float s) {
    return s != s ? Float.NEGATIVE_INFINITY : s;
  }
}
