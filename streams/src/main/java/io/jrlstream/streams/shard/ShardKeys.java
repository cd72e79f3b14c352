package io.jrlstream.streams.shard;

import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.ViewKind;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.ConfigurationException;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.SettingGroup;
import io.jrlstream.streams.train.TrainingKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys of a sharded view ({@code jrl.views.VIEW.tasks}, {@code .sync.batches}, {@code .sync.lag},
 * {@code .sync.threshold}, {@code .sync.max.held}, {@code .sync.optimizer.state}, {@code .sync.precision},
 * {@code .sync.max.round.bytes};
 * docs/scaling.md), one of each per view, and {@link #from}, which reads them into each view's {@link ShardSettings}.
 * A view of one task (the default) trains as it always did, in today's topology.
 *
 * <p>Stateless.
 */
public final class ShardKeys {
  private ShardKeys() {}

  /** The views that may train as several tasks (the review view's texts and the image view are not sharded yet). */
  public static final List<String> SHARDABLE = List.of(ViewKind.COLLABORATIVE.viewName(),
      ViewKind.RATING.viewName());

  private static final Map<String, Setting<Integer>> TASKS = new LinkedHashMap<>();
  private static final Map<String, Setting<Integer>> SYNC_BATCHES = new LinkedHashMap<>();
  private static final Map<String, Setting<Integer>> SYNC_LAG = new LinkedHashMap<>();
  private static final Map<String, Setting<Double>> SYNC_THRESHOLD = new LinkedHashMap<>();
  private static final Map<String, Setting<Integer>> SYNC_MAX_HELD = new LinkedHashMap<>();
  private static final Map<String, Setting<Boolean>> SYNC_OPTIMIZER_STATE = new LinkedHashMap<>();
  private static final Map<String, Setting<ShardSettings.Precision>> SYNC_PRECISION = new LinkedHashMap<>();
  private static final Map<String, Setting<Integer>> SYNC_MAX_ROUND_BYTES = new LinkedHashMap<>();
  /**
   * Largest bound on a round's delta accepted: half of what the update topic and the checkpoint changelog take
   * ({@link ShardedTopology#MAX_DELTA_BYTES}), since a round may pass its bound by one mini-batch's rows and the
   * rows it held back.
   */
  static final int MAX_ROUND_BYTES = ShardedTopology.MAX_DELTA_BYTES / 2;
  /** Largest θ accepted: a change of 1,000 × a row's norm is never reached, so any larger θ means "hold maxHeld". */
  private static final double MAX_THRESHOLD = 1000;

  static {
    for (String v : ModelConfig.VIEW_NAMES) {
      String p = "jrl.views." + v + ".";
      TASKS.put(v, Setting.integer(p + "tasks", 1, 1, ShardSettings.MAX_SHARDS, "tasks the " + v + " view trains"
          + " as, its events partitioned by user (1: one task, the unsharded topology; more: "
          + String.join(" and ", SHARDABLE) + " views only)"));
      SYNC_BATCHES.put(v, Setting.integer(p + "sync.batches", ShardSettings.DEFAULT_SYNC_BATCHES, 1,
          Integer.MAX_VALUE, "with several tasks: a task's own mini-batches per round of shared-row deltas"));
      SYNC_LAG.put(v, Setting.integer(p + "sync.lag", ShardSettings.DEFAULT_LAG, 0, Integer.MAX_VALUE,
          "with several tasks: rounds a task may close before it applies a round's merge"));
      SYNC_THRESHOLD.put(v, Setting.number(p + "sync.threshold", ShardSettings.DEFAULT_THRESHOLD, 0, MAX_THRESHOLD,
          "with several tasks: θ, a shared row whose own change since its last merge is below θ × its norm is held"
              + " back from the round's delta (kept, sent once it has grown; 0: every changed row is sent)"));
      SYNC_MAX_HELD.put(v, Setting.integer(p + "sync.max.held", ShardSettings.DEFAULT_MAX_HELD, 1, Integer.MAX_VALUE,
          "with several tasks and sync.threshold above 0: rounds a row's change may be held back before it is sent"
              + " whatever its size"));
      SYNC_OPTIMIZER_STATE.put(v, Setting.bool(p + "sync.optimizer.state", ShardSettings.DEFAULT_OPTIMIZER_STATE,
          "with several tasks: whether a round's delta carries the shared rows' optimiser state (AdaGrad's"
              + " accumulator) besides their values (false: values only, half the bytes)"));
      SYNC_PRECISION.put(v, Setting.choice(p + "sync.precision", ShardSettings.Precision.class,
          ShardSettings.DEFAULT_PRECISION, "with several tasks: how a round's delta carries the shared rows' changes:"
              + " float32 exactly, or bf16, rounded to bfloat16 with the rounding error kept for the row's next change"
              + " (half the bytes)"));
      SYNC_MAX_ROUND_BYTES.put(v, Setting.integer(p + "sync.max.round.bytes", ShardSettings.DEFAULT_MAX_ROUND_BYTES,
          ShardSettings.MIN_MAX_ROUND_BYTES, MAX_ROUND_BYTES, "with several tasks: a task closes its round before"
              + " sync.batches mini-batches once the shared rows it changed would make a delta of this many bytes, so"
              + " that a round's message, checkpoint row and merge stay bounded on a large catalogue"));
    }
  }

  /** The sharding keys, every view's. */
  public static final SettingGroup SHARDING = SettingGroup.of("Sharding",
      "A view trained as several Kafka Streams tasks (docs/scaling.md): its events repartitioned by user, its"
          + " shared rows merged every round through an update topic.", all());

  private static Setting<?>[] all() {
    List<Setting<?>> out = new ArrayList<>();
    for (String v : ModelConfig.VIEW_NAMES) {
      out.add(TASKS.get(v));
      out.add(SYNC_BATCHES.get(v));
      out.add(SYNC_LAG.get(v));
      out.add(SYNC_THRESHOLD.get(v));
      out.add(SYNC_MAX_HELD.get(v));
      out.add(SYNC_OPTIMIZER_STATE.get(v));
      out.add(SYNC_PRECISION.get(v));
      out.add(SYNC_MAX_ROUND_BYTES.get(v));
    }
    return out.toArray(new Setting<?>[0]);
  }

  /** The key of a view's task count. */
  public static String tasksKey(String view) {
    return TASKS.get(view).key();
  }

  /**
   * Refuses a sharded view without flush markers: its tasks end their epochs (apply the last merges, publish their
   * item rows) only at the markers ingestion writes every {@code jrl.flush.after.ms}, so with none the items are
   * never published and a task whose partition goes quiet leaves the others waiting for its deltas.
   *
   * @param views the views trained
   * @param sharding each view's sharding
   * @param flushAfterMs {@code jrl.flush.after.ms}
   * @throws ConfigurationException naming both keys when a trained view has several tasks and
   *     {@code flushAfterMs} is 0
   */
  public static void requireFlushMarkers(List<String> views, Map<String, ShardSettings> sharding,
      long flushAfterMs) {
    if (flushAfterMs > 0) {
      return;
    }
    for (String v : views) {
      ShardSettings s = sharding.get(v);
      if (s != null && s.sharded()) {
        throw new ConfigurationException(tasksKey(v) + " = " + s.shards() + " needs flush markers, but "
            + TrainingKeys.FLUSH_AFTER_MS.key() + " = 0 writes none: a sharded view ends its epochs (its last merges, "
            + "its item rows published) only at the markers, and one quiet task would stall the others; set "
            + TrainingKeys.FLUSH_AFTER_MS.key() + " > 0 (default " + TrainingKeys.FLUSH_AFTER_MS.defaultValue()
            .orElseThrow() + ") or " + tasksKey(v) + " = 1");
      }
    }
  }

  /**
   * Each view's sharding, by view name (every view of {@link ModelConfig#VIEW_NAMES}).
   *
   * @throws ConfigurationException naming the key when a value is out of range, or when a view that cannot be
   *     sharded is given more than one task
   */
  public static Map<String, ShardSettings> from(Configuration c) {
    return c.build(x -> {
      Map<String, ShardSettings> out = new LinkedHashMap<>();
      for (String v : ModelConfig.VIEW_NAMES) {
        int n = x.get(TASKS.get(v));
        if (n > 1 && !SHARDABLE.contains(v)) {
          throw new IllegalArgumentException(TASKS.get(v).key() + " = " + n + ": only the " + String.join(" and ",
              SHARDABLE) + " views train as several tasks");
        }
        out.put(v, new ShardSettings(n, x.get(SYNC_BATCHES.get(v)), x.get(SYNC_LAG.get(v)))
            .withOptimizerState(x.get(SYNC_OPTIMIZER_STATE.get(v)))
            .withThreshold(x.get(SYNC_THRESHOLD.get(v)).floatValue(), x.get(SYNC_MAX_HELD.get(v)))
            .withPrecision(x.get(SYNC_PRECISION.get(v)))
            .withMaxRoundBytes(x.get(SYNC_MAX_ROUND_BYTES.get(v))));
      }
      return Map.copyOf(out);
    });
  }
}
