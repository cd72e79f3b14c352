package io.jrlstream.core.serve;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The body of {@code GET /items/{id}/similar}: the items whose vectors score highest against the given item's
 * own vectors, s(i, v) = Σ_k w_k · (i_k · v_k) (per view when one view is asked, combined otherwise).
 * Immutable.
 *
 * @param item the item asked about
 * @param items the similar items, best first (never the item itself)
 * @param views per requested view: the weight used, and whether the item has a vector there
 * @param servedBy the instance that computed the answer
 */
public record SimilarItems(String item, List<Recommendations.ScoredItem> items, Map<String, ViewWeight> views,
    String servedBy) {
  /**
   * @param weight w_k used
   * @param itemVector whether the item has a vector in this view
   * @param viewVersion the view's version the vectors came from (0: the live topic), as in
   *     {@link Recommendations.ViewUse#viewVersion}
   */
  public record ViewWeight(double weight, boolean itemVector, int viewVersion) {
    /** A use of the live version (0). */
    public ViewWeight(double weight, boolean itemVector) {
      this(weight, itemVector, 0);
    }
  }

  /** A copy whose views report the version each was served from ({@code versions}: view → version). */
  public SimilarItems withViewVersions(ToIntFunction<String> versions) {
    Map<String, ViewWeight> m = new LinkedHashMap<>();
    views.forEach((view, w) -> m.put(view, new ViewWeight(w.weight(), w.itemVector(), versions.applyAsInt(view))));
    return new SimilarItems(item, items, m, servedBy);
  }
}
