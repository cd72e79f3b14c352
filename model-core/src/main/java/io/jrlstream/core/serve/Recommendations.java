package io.jrlstream.core.serve;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The answer to "what should this user see now?" (the body of {@code GET /users/{id}/recommendations}).
 * Records so that the HTTP layer writes them as JSON and a forwarding instance reads them back. Immutable.
 *
 * @param user the user id asked about
 * @param kind {@value #PERSONAL} (scored by the user's vectors) or {@value #POPULAR} (the user has no vector
 *     in any requested view: the most popular items, scores are interaction counts)
 * @param items the items, best first
 * @param views per requested view: weight, the view's served version, the user's vector version and age
 * @param servedBy the instance (host:port) that computed the answer
 */
public record Recommendations(String user, String kind, List<ScoredItem> items, Map<String, ViewUse> views,
    String servedBy) {
  public static final String PERSONAL = "personal";
  public static final String POPULAR = "popular";

  /**
   * One recommended item.
   *
   * @param item the item id
   * @param score s(u, v) (for popular answers: the interaction count)
   * @param contributions per view, w_k · (u_k · v_k); empty for popular answers
   */
  public record ScoredItem(String item, double score, Map<String, Double> contributions) {}

  /**
   * How one view took part.
   *
   * @param weight w_k used
   * @param userVector whether the user has a vector in this view (false: the view contributed nothing)
   * @param version the user vector's update count (null without one)
   * @param eventTime event time of the user vector's latest training event, ms (null without one)
   * @param ageMs how old that event was when the query was answered, ms (null without one)
   * @param items how many items the view's index holds
   * @param viewVersion the view's version the vectors came from: 0 the live pipeline's topic
   *     {@code jrl.embeddings.<view>}, N ≥ 1 the replayed version N ({@code jrl.embeddings.v<N>.<view>}) made
   *     active in {@code jrl.view-versions}
   */
  public record ViewUse(double weight, boolean userVector, Long version, Long eventTime, Long ageMs, int items,
      int viewVersion) {
    /** A use of the live version (0); serving with versions sets the served one with {@link #withViewVersion}. */
    public ViewUse(double weight, boolean userVector, Long version, Long eventTime, Long ageMs, int items) {
      this(weight, userVector, version, eventTime, ageMs, items, 0);
    }

    public ViewUse withViewVersion(int n) {
      return new ViewUse(weight, userVector, version, eventTime, ageMs, items, n);
    }
  }

  /** A copy whose views report the version each was served from ({@code versions}: view → version). */
  public Recommendations withViewVersions(ToIntFunction<String> versions) {
    Map<String, ViewUse> m = new LinkedHashMap<>();
    views.forEach((view, use) -> m.put(view, use.withViewVersion(versions.applyAsInt(view))));
    return new Recommendations(user, kind, items, m, servedBy);
  }
}
