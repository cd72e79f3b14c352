package io.jrlstream.streams.serve;

import io.jrlstream.streams.config.Catalog;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.SettingGroup;
import java.util.List;
import java.util.Map;

/**
 * The keys of the serving topology and of the queries it answers ({@link ServeSettings}). The HTTP API's keys
 * ({@code jrl.serve.http.*}) belong to the module that runs the server.
 */
public final class ServeKeys {
  private ServeKeys() {}

  public static final Setting<List<String>> VIEWS = Setting.list("jrl.serve.views", List.of(),
      "views to serve, comma-separated (empty: the trained views, jrl.views)");
  public static final Setting<Map<String, Double>> WEIGHTS = Setting.of("jrl.serve.weights", Map.of(),
      "view=weight pairs, comma-separated, each weight a number", ServeSettings::parseWeights,
      ServeSettings::formatWeights, "default per-view weights w_k of s(u,v), e.g. review=1,rating=0.5 (a view not"
          + " named: 1)");
  public static final Setting<Integer> PARTITIONS = Setting.integer("jrl.serve.partitions", 4, 1, Integer.MAX_VALUE,
      "partitions of the serving user stores (the unit of ownership across serving instances)");
  public static final Setting<Integer> MAX_N = Setting.integer("jrl.serve.max.n", 1000, 1, Integer.MAX_VALUE,
      "largest n a query may ask for");
  public static final Setting<Integer> HISTORY_CAP = Setting.integer("jrl.serve.history.cap", 10_000, 1,
      Integer.MAX_VALUE, "most interacted items kept per user for exclusion (the oldest are dropped beyond it)");

  /** Serving. */
  public static final SettingGroup SERVE = SettingGroup.of("Serving",
      "The serving topology: user vectors in partitioned stores, item vectors in an in-memory index per view.",
      VIEWS, WEIGHTS, PARTITIONS, MAX_N, HISTORY_CAP);

  /** The group of this class. */
  public static final Catalog CATALOG = Catalog.of(SERVE);
}
