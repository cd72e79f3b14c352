package io.jrlstream.core.serve;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the HTTP layer asks: recommendations for a user, similar items, readiness. Implementations must be
 * thread-safe (one call per HTTP worker thread at a time).
 */
public interface QueryService {
  /** The serving settings (served views, default weights, maximum n) queries are validated against. */
  QuerySettings settings();

  /**
   * The top-n items for a user, computed by the instance that owns the user.
   *
   * @param forwarded true when another instance forwarded the question here: answer locally or fail
   *     ({@link ServeException.NotReady}) rather than forward again
   * @throws ServeException for an answer other than 200
   */
  Recommendations recommend(String user, Query q, boolean forwarded);

  /** The items most similar to an item (answered locally: every instance holds every item vector). */
  SimilarItems similar(String item, Query q);

  /** Whether queries can be answered now, with per-view state. */
  Readiness readiness();

  /**
   * The body of {@code GET /ready}.
   *
   * @param ready true when the stores are restored and every served view's index is loaded
   * @param state the Kafka Streams state (or "LOCAL" for an index without Kafka)
   * @param reason why not ready (null when ready)
   * @param views per served view: items held, dimension, updates applied, latest event time
   */
  record Readiness(boolean ready, String state, String reason, Map<String, ItemIndex.ViewStats> views) {}

  /** Per-view index state, as readiness reports it. */
  static Map<String, ItemIndex.ViewStats> viewStats(ItemIndex index) {
    Map<String, ItemIndex.ViewStats> m = new LinkedHashMap<>();
    for (int k = 0; k < index.views().size(); k++) {
      m.put(index.views().get(k), index.stats(k));
    }
    return m;
  }
}
