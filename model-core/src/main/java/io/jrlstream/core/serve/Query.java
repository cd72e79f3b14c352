package io.jrlstream.core.serve;

import java.util.ArrayList;
import java.util.List;

/**
 * A validated top-N question: how many items, over which views, with which weights.
 *
 * @param n how many items, 1 to the configured maximum
 * @param views the views to combine, distinct, each served
 * @param weights one finite weight per view, same order
 */
public record Query(int n, List<String> views, List<Double> weights) {
  public Query {
    views = List.copyOf(views);
    weights = List.copyOf(weights);
  }

  /**
   * Validates a query's parameters against the serving settings; absent ones take the defaults (n = 10, every
   * served view, the configured weights).
   *
   * @param n requested n, or null
   * @param views requested views, or null
   * @param weights requested weights (one per requested view, or per served view when views is null), or null
   * @param s the served views, their default weights and the largest n
   * @throws ServeException.InvalidQuery naming the parameter that is wrong
   */
  public static Query of(Integer n, List<String> views, List<Double> weights, QuerySettings s) {
    int count = n == null ? Math.min(10, s.maxN()) : n;
    if (count < 1 || count > s.maxN()) {
      throw new ServeException.InvalidQuery("n must be between 1 and " + s.maxN() + ", got " + count);
    }
    List<String> vs = views == null ? s.views() : views;
    if (vs.isEmpty()) {
      throw new ServeException.InvalidQuery("views must name at least one view; served: " + s.views());
    }
    for (String v : vs) {
      if (!s.views().contains(v)) {
        throw new ServeException.InvalidQuery("view '" + v + "' is not served; served: " + s.views());
      }
    }
    if (vs.stream().distinct().count() != vs.size()) {
      throw new ServeException.InvalidQuery("views names a view twice: " + vs);
    }
    List<Double> ws = new ArrayList<>();
    if (weights == null) {
      vs.forEach(v -> ws.add(s.weights().get(v)));
    } else {
      if (weights.size() != vs.size()) {
        throw new ServeException.InvalidQuery("weights has " + weights.size() + " values for " + vs.size()
            + " views " + vs);
      }
      for (Double w : weights) {
        if (w == null || !Double.isFinite(w)) {
          throw new ServeException.InvalidQuery("weights must be finite numbers, got " + weights);
        }
      }
      ws.addAll(weights);
    }
    return new Query(count, vs, ws);
  }
}
