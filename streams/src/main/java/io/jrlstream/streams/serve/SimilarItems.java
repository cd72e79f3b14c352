package io.jrlstream.streams.serve;

import java.util.List;
import java.util.Map;

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
  /** @param weight w_k used; @param itemVector whether the item has a vector in this view */
  public record ViewWeight(double weight, boolean itemVector) {}
}
