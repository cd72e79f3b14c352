package io.jrlstream.streams.train;

import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.ViewKind;
import io.jrlstream.streams.config.Catalog;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.SettingGroup;
import java.util.List;

/**
 * The keys of the streaming trainers ({@link TrainingOptions}: batching, checkpoints,
 * publication, flush markers, live quality), the views they train, the run seed, and the RocksDB memory bound
 * ({@link RocksDbBounds}). Model settings per view ({@code jrl.model.VIEW.KEY}) belong to
 * the model ({@code io.jrlstream.core.view}), not here.
 */
public final class TrainingKeys {
  private TrainingKeys() {}

  public static final Setting<List<String>> VIEWS = Setting.list("jrl.views",
      List.of(ViewKind.COLLABORATIVE.viewName(), ViewKind.REVIEW.viewName(), ViewKind.RATING.viewName()),
      "views to train, comma-separated")
      .allowing(l -> !l.isEmpty() && l.stream().distinct().count() == l.size()
              && ModelConfig.VIEW_NAMES.containsAll(l),
          "distinct view names, comma-separated, at least one, of " + String.join(", ", ModelConfig.VIEW_NAMES));
  public static final Setting<Long> SEED = Setting.longValue("jrl.seed", 1L, Long.MIN_VALUE, Long.MAX_VALUE,
      "run seed: every random draw derives from it, the view and the event's position");
  public static final Setting<Integer> BATCH_SIZE = Setting.integer("jrl.batch.size", 64, 1, Integer.MAX_VALUE,
      "positive interactions per mini-batch (count-based, so batch boundaries depend only on the input)");
  public static final Setting<Integer> CHECKPOINT_BATCHES = Setting.integer("jrl.checkpoint.batches", 500, 1,
      Integer.MAX_VALUE, "least mini-batches between checkpoints of a view's parameter rows");
  public static final Setting<Integer> CHECKPOINT_EVENTS_PER_ROW = Setting.integer("jrl.checkpoint.events.per.row",
      4, 0, Integer.MAX_VALUE, "a checkpoint also waits for this many interactions per old row it re-writes (0:"
          + " every jrl.checkpoint.batches exactly); a restart re-trains at most max(batches x batch size, this x"
          + " rows)");
  public static final Setting<Integer> CHECKPOINT_SPREAD_BATCHES = Setting.integer("jrl.checkpoint.spread.batches",
      125, 0, Integer.MAX_VALUE, "mini-batches over which a checkpoint's rows are written, a share after each (at"
          + " most jrl.checkpoint.batches; 0 or 1: all in the batch that takes it)");
  public static final Setting<Long> PUBLISH_INTERVAL_MS = Setting.longValue("jrl.publish.interval.ms", 100L, 0L,
      Long.MAX_VALUE, "least wall-clock ms between publications of changed vectors (a row changed within it is"
          + " published once); 0 publishes after every mini-batch");
  public static final Setting<Long> PUBLISH_REFRESH_MS = Setting.longValue("jrl.publish.refresh.ms", 1000L, 0L,
      Long.MAX_VALUE, "least wall-clock ms between refreshes, which publish every changed vector; the publications"
          + " in between publish only the users of new events, not what replay moved (at most"
          + " jrl.publish.interval.ms: every publication is a refresh)");
  public static final Setting<Long> FLUSH_AFTER_MS = Setting.longValue("jrl.flush.after.ms", 1000L, 0L,
      Long.MAX_VALUE, "longest a validated event waits before a flush marker in the validated topic makes every"
          + " view train its half-collected mini-batch (bounds freshness on a quiet stream; 0: never)");
  public static final Setting<Integer> QUALITY_SAMPLE_EVERY = Setting.integer("jrl.quality.sample.every", 50, 0,
      Integer.MAX_VALUE, "live prequential quality: rank every n-th event (by the view's sequence number) before it"
          + " trains; 0 turns measuring off");
  public static final Setting<Integer> QUALITY_WINDOW = Setting.integer("jrl.quality.window", 10_000, 1,
      Integer.MAX_VALUE, "events per reported window of live prequential quality");

  public static final Setting<Long> ROCKSDB_CACHE_BYTES = Setting.longValue("jrl.rocksdb.cache.bytes", 256L << 20,
      1L, Long.MAX_VALUE, "RocksDB memory bound of the process: one block cache shared by every store, memtables"
          + " included");
  public static final Setting<Long> ROCKSDB_WRITE_BUFFER_BYTES = Setting.longValue("jrl.rocksdb.write.buffer.bytes",
      64L << 20, 1L, Long.MAX_VALUE, "part of the RocksDB bound that memtables may take (below"
          + " jrl.rocksdb.cache.bytes)");

  /** The trainers. */
  public static final SettingGroup TRAINING = SettingGroup.of("Training",
      "The streaming trainers: one Kafka Streams application per view. The model's own settings are per view:"
          + " jrl.model.VIEW.KEY.",
      VIEWS, SEED, BATCH_SIZE, CHECKPOINT_BATCHES, CHECKPOINT_EVENTS_PER_ROW, CHECKPOINT_SPREAD_BATCHES,
      PUBLISH_INTERVAL_MS, PUBLISH_REFRESH_MS, FLUSH_AFTER_MS, QUALITY_SAMPLE_EVERY, QUALITY_WINDOW);

  /** The state stores' memory. */
  public static final SettingGroup ROCKSDB = SettingGroup.of("RocksDB",
      "Off-heap memory of every RocksDB store of the process (trainers, serving).",
      ROCKSDB_CACHE_BYTES, ROCKSDB_WRITE_BUFFER_BYTES);

  /** The groups of this class. */
  public static final Catalog CATALOG = Catalog.of(TRAINING, ROCKSDB);
}
