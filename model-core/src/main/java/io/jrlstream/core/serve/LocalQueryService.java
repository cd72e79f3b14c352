package io.jrlstream.core.serve;

import java.util.function.Function;

/**
 * A {@link QueryService} over an index and a profile lookup in this process, with no Kafka: for benchmarks,
 * tests and tools. Always ready once every view's index is initialised. Thread-safe when the lookup is.
 */
public final class LocalQueryService implements QueryService {
  private final QuerySettings settings;
  private final Recommender recommender;
  private final Function<String, UserProfile> profiles;

  /**
   * @param profiles the profile of a user id ({@link UserProfile#unknown()} for users it does not know)
   */
  public LocalQueryService(QuerySettings settings, Recommender recommender, Function<String, UserProfile> profiles) {
    this.settings = settings;
    this.recommender = recommender;
    this.profiles = profiles;
  }

  @Override
  public QuerySettings settings() {
    return settings;
  }

  @Override
  public Recommendations recommend(String user, Query q, boolean forwarded) {
    return recommender.recommend(user, profiles.apply(user), q);
  }

  @Override
  public SimilarItems similar(String item, Query q) {
    return recommender.similar(item, q);
  }

  @Override
  public Readiness readiness() {
    var views = QueryService.viewStats(recommender.index());
    boolean ready = views.values().stream().allMatch(ItemIndex.ViewStats::initialised);
    return new Readiness(ready, "LOCAL", ready ? null : "item index not loaded yet", views);
  }
}
