package io.jrlstream.core.serve;

import java.util.List;
import java.util.Map;

/**
 * What a query is validated against and completed with (DESIGN.md §2 "Serving"): the served views, their
 * default weights and the largest n. The serving settings that read the {@code jrl.serve.*} keys implement it
 * ({@code io.jrlstream.streams.serve.ServeSettings}, beside the keys it reads and the topology settings it
 * also holds), so that the query side needs no configuration layer.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface QuerySettings {
  /** The served views, in the order answers list them; at least one, distinct. */
  List<String> views();

  /** The default weight w_k of each served view; every served view has one. */
  Map<String, Double> weights();

  /** The largest n a query may ask for; at least 1. */
  int maxN();
}
