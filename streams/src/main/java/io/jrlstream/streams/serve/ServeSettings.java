package io.jrlstream.streams.serve;

import io.jrlstream.core.serve.QuerySettings;
import io.jrlstream.streams.config.SettingKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Typed, validated settings of serving (the {@code jrl.serve.*} keys of {@link SettingKey}, which document
 * each key and its default): what queries are validated against ({@link QuerySettings}, read by the Kafka-free
 * query side in model-core) and the serving topology's own (partitions, history cap).
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
      throw new IllegalArgumentException(SettingKey.SERVE_VIEWS.key() + ": at least one view must be served");
    }
    if (views.stream().distinct().count() != views.size()) {
      throw new IllegalArgumentException(SettingKey.SERVE_VIEWS.key() + " names a view twice: " + views);
    }
    Map<String, Double> w = new LinkedHashMap<>();
    for (String v : views) {
      Double x = weights.get(v);
      double value = x == null ? 1.0 : x;
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException(SettingKey.SERVE_WEIGHTS.key() + ": weight of " + v
            + " must be finite, got " + value);
      }
      w.put(v, value);
    }
    for (String v : weights.keySet()) {
      if (!views.contains(v)) {
        throw new IllegalArgumentException(SettingKey.SERVE_WEIGHTS.key() + " names view '" + v
            + "', which is not served " + views);
      }
    }
    weights = Collections.unmodifiableMap(w);
    if (partitions < 1) {
      throw new IllegalArgumentException(SettingKey.SERVE_PARTITIONS.key() + " must be >= 1, got " + partitions);
    }
    if (maxN < 1) {
      throw new IllegalArgumentException(SettingKey.SERVE_MAX_N.key() + " must be >= 1, got " + maxN);
    }
    if (historyCap < 1) {
      throw new IllegalArgumentException(SettingKey.SERVE_HISTORY_CAP.key() + " must be >= 1, got " + historyCap);
    }
  }

  /** Every view weighted 1, and the other defaults of {@link SettingKey}. */
  public static ServeSettings defaults(List<String> views) {
    return fromProperties(new Properties(), views);
  }

  /**
   * Reads the {@code jrl.serve.*} keys, with their defaults where absent.
   *
   * @param p properties (e.g. a {@code --config} file); not modified
   * @param trainedViews the views served when {@code jrl.serve.views} is empty
   * @throws IllegalArgumentException naming the key whose value is malformed or out of range
   */
  public static ServeSettings fromProperties(Properties p, List<String> trainedViews) {
    Objects.requireNonNull(trainedViews, "trainedViews");
    List<String> views = list(value(p, SettingKey.SERVE_VIEWS));
    if (views.isEmpty()) {
      views = trainedViews;
    }
    return new ServeSettings(views, parseWeights(value(p, SettingKey.SERVE_WEIGHTS)),
        integer(p, SettingKey.SERVE_PARTITIONS), integer(p, SettingKey.SERVE_MAX_N),
        integer(p, SettingKey.SERVE_HISTORY_CAP));
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
    for (String part : list(text)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(SettingKey.SERVE_WEIGHTS.key() + ": expected view=weight, got '"
            + part + "'");
      }
      String view = part.substring(0, eq).strip();
      try {
        out.put(view, Double.parseDouble(part.substring(eq + 1).strip()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(SettingKey.SERVE_WEIGHTS.key() + ": weight of " + view
            + " is not a number: '" + part.substring(eq + 1).strip() + "'");
      }
    }
    return out;
  }

  private static List<String> list(String text) {
    List<String> out = new ArrayList<>();
    Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(out::add);
    return out;
  }

  /** The key's value in p, stripped, or its default ("" for none). */
  public static String value(Properties p, SettingKey k) {
    String v = p.getProperty(k.key());
    return v != null ? v.strip() : k.defaultValue().orElse("");
  }

  /** The key's value in p (or its default) as an int; an IllegalArgumentException naming the key otherwise. */
  public static int integer(Properties p, SettingKey k) {
    String v = value(p, k);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(k.key() + " must be an integer, got '" + v + "'");
    }
  }
}
