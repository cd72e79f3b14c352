package io.jrlstream.streams.serve;

import io.jrlstream.core.serve.QuerySettings;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.ConfigurationException;
import io.jrlstream.streams.config.Setting;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Typed, validated settings of serving (the keys of {@link ServeKeys}, which declare each key and its default):
 * what queries are validated against ({@link QuerySettings}, read by the Kafka-free query side in model-core) and the
 * serving topology's own (partitions, history cap).
 *
 * <p>Immutable and thread-safe.
 *
 * @param views the served views, in the order responses list them; at least one, distinct
 * @param weights the default weight w_k of each served view (every served view has one)
 * @param partitions partitions of the serving user stores; at least 1
 * @param maxN the largest n a query may ask for; at least 1
 * @param historyCap most interacted items kept per user for exclusion; at least 1
 */
public record ServeSettings(List<String> views, Map<String, Double> weights, int partitions, int maxN,
    int historyCap) implements QuerySettings {
  public ServeSettings {
    views = List.copyOf(views);
    if (views.isEmpty()) {
      throw new IllegalArgumentException(ServeKeys.VIEWS.key() + ": at least one view must be served");
    }
    if (views.stream().distinct().count() != views.size()) {
      throw new IllegalArgumentException(ServeKeys.VIEWS.key() + " names a view twice: " + views);
    }
    Map<String, Double> w = new LinkedHashMap<>();
    for (String v : views) {
      Double x = weights.get(v);
      double value = x == null ? 1.0 : x;
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException(ServeKeys.WEIGHTS.key() + ": weight of " + v
            + " must be finite, got " + value);
      }
      w.put(v, value);
    }
    for (String v : weights.keySet()) {
      if (!views.contains(v)) {
        throw new IllegalArgumentException(ServeKeys.WEIGHTS.key() + " names view '" + v
            + "', which is not served " + views);
      }
    }
    weights = Collections.unmodifiableMap(w);
    ServeKeys.PARTITIONS.require(partitions);
    ServeKeys.MAX_N.require(maxN);
    ServeKeys.HISTORY_CAP.require(historyCap);
  }

  /** Every view weighted 1, and the other defaults of {@link ServeKeys}. */
  public static ServeSettings defaults(List<String> views) {
    return from(Configuration.defaults(ServeKeys.CATALOG), views);
  }

  /**
   * Reads properties that hold keys of {@link ServeKeys} only ({@link #from} of a configuration of them).
   *
   * @throws ConfigurationException as {@link #from}, or naming an unknown {@code jrl.*} key
   */
  public static ServeSettings fromProperties(Properties p, List<String> trainedViews) {
    return from(Configuration.of(ServeKeys.CATALOG, p), trainedViews);
  }

  /**
   * Reads the keys of {@link ServeKeys}, with their defaults where absent.
   *
   * @param c the configuration; its catalog must hold {@link ServeKeys}'
   * @param trainedViews the views served when {@code jrl.serve.views} is empty
   * @throws ConfigurationException naming the key whose value is malformed or out of range, and its origin
   */
  public static ServeSettings from(Configuration c, List<String> trainedViews) {
    Objects.requireNonNull(trainedViews, "trainedViews");
    return c.build(x -> {
      List<String> views = x.get(ServeKeys.VIEWS);
      return new ServeSettings(views.isEmpty() ? trainedViews : views, x.get(ServeKeys.WEIGHTS),
          x.get(ServeKeys.PARTITIONS), x.get(ServeKeys.MAX_N), x.get(ServeKeys.HISTORY_CAP));
    });
  }

  /** A copy serving other views (weights of views still served are kept). */
  public ServeSettings withViews(List<String> newViews) {
    Map<String, Double> w = new LinkedHashMap<>(weights);
    w.keySet().retainAll(newViews);
    return new ServeSettings(newViews, w, partitions, maxN, historyCap);
  }

  /** A copy with another number of partitions. */
  public ServeSettings withPartitions(int newPartitions) {
    return new ServeSettings(views, weights, newPartitions, maxN, historyCap);
  }

  /** Parses {@code view=weight,view=weight}; empty gives no weights. */
  static Map<String, Double> parseWeights(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String part : Setting.splitList(text)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected view=weight, got '" + part + "'");
      }
      String view = part.substring(0, eq).strip();
      String weight = part.substring(eq + 1).strip();
      try {
        out.put(view, Double.parseDouble(weight));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("weight of " + view + " is not a number: '" + weight + "'");
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** Writes weights as {@link #parseWeights} reads them. */
  static String formatWeights(Map<String, Double> weights) {
    List<String> parts = new ArrayList<>();
    weights.forEach((v, w) -> parts.add(v + "=" + w));
    return String.join(",", parts);
  }
}
