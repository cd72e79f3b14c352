package io.jrlstream.core.serve;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes answers from the item index and a user's profile, with no Kafka in sight: eJRL scores
 * s(u, v) = Σ_k w_k · (u_k · v_k) over the requested views with per-view contributions, the user's
 * interacted items excluded, and for a user without a vector in any requested view the most popular items,
 * flagged {@link Recommendations#POPULAR}.
 *
 * <p>Immutable and thread-safe (the index and popularity counts are).
 */
public final class Recommender {
  private final ItemIndex index;
  private final Popularity popularity;
  private final String servedBy;
  private final Clock clock;

  /**
   * @param index the item vectors
   * @param popularity interaction counts for the unknown-user answer
   * @param servedBy this instance's name in answers (host:port)
   * @param clock gives "now" for vector ages
   */
  public Recommender(ItemIndex index, Popularity popularity, String servedBy, Clock clock) {
    this.index = index;
    this.popularity = popularity;
    this.servedBy = servedBy;
    this.clock = clock;
  }

  public ItemIndex index() {
    return index;
  }

  /** The top-n items for a user with the given profile. */
  public Recommendations recommend(String user, UserProfile profile, Query q) {
    int views = index.views().size();
    float[][] query = new float[views][];
    float[] weights = new float[views];
    Map<String, Recommendations.ViewUse> uses = new LinkedHashMap<>();
    long now = clock.millis();
    boolean any = false;
    for (int i = 0; i < q.views().size(); i++) {
      String view = q.views().get(i);
      int k = index.viewIndex(view);
      UserProfile.UserVector uv = profile.vectors().get(view);
      ItemIndex.ViewStats stats = index.stats(k);
      double w = q.weights().get(i);
      if (uv != null && uv.vector().length == stats.dim()) {
        query[k] = uv.vector();
        weights[k] = (float) w;
        any |= w != 0;
        uses.put(view, new Recommendations.ViewUse(w, true, uv.updateCount(), uv.eventTime(),
            Math.max(0, now - uv.eventTime()), stats.items()));
      } else {
        uses.put(view, new Recommendations.ViewUse(w, false, null, null, null, stats.items()));
      }
    }
    Set<String> excluded = new HashSet<>(profile.interacted());
    List<Recommendations.ScoredItem> items = new ArrayList<>();
    if (!any) {
      for (Popularity.Count c : popularity.top(q.n(), excluded)) {
        items.add(new Recommendations.ScoredItem(c.item(), c.count(), Map.of()));
      }
      return new Recommendations(user, Recommendations.POPULAR, items, uses, servedBy);
    }
    for (ItemIndex.Hit h : index.topN(query, weights, excluded, q.n())) {
      items.add(scored(h, q.views()));
    }
    return new Recommendations(user, Recommendations.PERSONAL, items, uses, servedBy);
  }

  /**
   * The n items most similar to {@code item}: scored by the item's own vectors in the requested views.
   *
   * @throws ServeException.NotFound when the item has no vector in any requested view
   */
  public SimilarItems similar(String item, Query q) {
    int views = index.views().size();
    float[][] query = new float[views][];
    float[] weights = new float[views];
    Map<String, SimilarItems.ViewWeight> uses = new LinkedHashMap<>();
    boolean any = false;
    for (int i = 0; i < q.views().size(); i++) {
      String view = q.views().get(i);
      int k = index.viewIndex(view);
      float[] v = index.vector(k, item);
      double w = q.weights().get(i);
      if (v != null) {
        query[k] = v;
        weights[k] = (float) w;
        any |= w != 0;
      }
      uses.put(view, new SimilarItems.ViewWeight(w, v != null));
    }
    if (!any) {
      throw new ServeException.NotFound("item '" + item + "' has no vector in the views " + q.views());
    }
    List<Recommendations.ScoredItem> items = new ArrayList<>();
    for (ItemIndex.Hit h : index.topN(query, weights, Set.of(item), q.n())) {
      items.add(scored(h, q.views()));
    }
    return new SimilarItems(item, items, uses, servedBy);
  }

  private Recommendations.ScoredItem scored(ItemIndex.Hit h, List<String> views) {
    Map<String, Double> c = new LinkedHashMap<>();
    for (String view : views) {
      c.put(view, (double) h.contributions()[index.viewIndex(view)]);
    }
    return new Recommendations.ScoredItem(h.itemId(), h.score(), c);
  }
}
