package io.jrlstream.ops.metrics;

import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.review.ReviewView;
import io.jrlstream.core.view.View;
import io.jrlstream.streams.train.TrainingObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * The training meters of every view ({@code jrl.train.*}, {@code jrl.publish.*}, {@code jrl.checkpoint.*},
 * {@code jrl.restore.*}, {@code jrl.quality.*}, all tagged {@code view}), fed by the training processors through
 * {@link TrainingObserver}: nothing here changes what a view trains. The meters of the views named at construction
 * are registered at once (gauges read NaN until their first value), those of a table when the view first reports it.
 *
 * <p>Threading: each view's callbacks come from its own stream thread, so each view's state is written by one
 * thread at a time (a task moving to another thread of the instance is handed over by Kafka Streams with a
 * happens-before edge); scrapes read it from any thread through volatile fields and Micrometer's thread-safe meters.
 * A callback allocates nothing but the first time it sees a table or a view.
 */
public final class TrainingMetrics implements TrainingObserver {
  /**
   * Buckets of the freshness histogram (seconds): the README's bounded freshness is a p99 under a second
   * ({@code jrl.flush.after.ms} plus commit and publication intervals); a trainer catching up shows minutes or hours.
   */
  static final Duration[] FRESHNESS_BUCKETS = Metrics.durations(50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000,
      60_000, 300_000, 900_000, 3_600_000);

  private final MeterRegistry registry;
  private final Map<String, ViewMeters> views = new ConcurrentHashMap<>();

  TrainingMetrics(MeterRegistry registry, List<String> views) {
    this.registry = registry;
    views.forEach(this::meters);
  }

  private ViewMeters meters(String view) {
    return views.computeIfAbsent(view, v -> new ViewMeters(registry, v));
  }

  @Override
  public void batchApplied(String view, StreamingTrainer trainer, int events, long timestamp, boolean checkpointDue) {
    ViewMeters m = meters(view);
    m.events.increment(events);
    m.batches.increment();
    m.loss = trainer.lastLoss();
    m.replayed = trainer.replayed();
    m.tables(trainer.view());
    m.unpublished(timestamp);
    if (checkpointDue) {
      m.checkpointStartNanos = System.nanoTime();
    }
  }

  @Override
  public void published(String view, int users, int items) {
    ViewMeters m = meters(view);
    m.publishedUsers.increment(users);
    m.publishedItems.increment(items);
    m.freshness(System.currentTimeMillis());
  }

  @Override
  public void checkpointCommitted(String view, int rows, long bytes) {
    ViewMeters m = meters(view);
    m.checkpointRows.increment(rows);
    m.checkpointBytes.increment(bytes);
    if (m.checkpointStartNanos != 0) {
      m.checkpointDuration.record(System.nanoTime() - m.checkpointStartNanos, TimeUnit.NANOSECONDS);
      m.checkpointStartNanos = 0;
    }
  }

  @Override
  public void restored(String view, long nanos, long eventsRead, long retrained) {
    ViewMeters m = meters(view);
    m.restoreDuration.record(nanos, TimeUnit.NANOSECONDS);
    m.restoreEvents.increment(eventsRead);
    m.restoreRetrained.increment(retrained);
  }

  @Override
  public void quality(String view, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {
    ViewMeters m = meters(view);
    m.quality = new double[] {
        model.last() == null ? Double.NaN : model.last().hitRate(),
        model.last() == null ? Double.NaN : model.last().ndcg(),
        model.hitRate(), model.ndcg(),
        popularity.last() == null ? Double.NaN : popularity.last().hitRate(),
        popularity.last() == null ? Double.NaN : popularity.last().ndcg(),
        popularity.hitRate(), popularity.ndcg()};
  }

  /** One view's meters and the state they read. */
  private static final class ViewMeters {
    private static final String[] RANKERS = {"view", "popularity"};
    private static final String[] OVER = {"window", "start"};

    final MeterRegistry registry;
    final String view;
    final Counter events;
    final Counter batches;
    final Counter publishedUsers;
    final Counter publishedItems;
    final Timer freshness;
    final Counter checkpointRows;
    final Counter checkpointBytes;
    final Timer checkpointDuration;
    final Timer restoreDuration;
    final Counter restoreEvents;
    final Counter restoreRetrained;
    final Map<String, AtomicLong> tableRows = new ConcurrentHashMap<>();
    volatile double loss = Double.NaN;
    volatile long replayed;
    volatile double vocabulary = Double.NaN;
    /** HR@10 and NDCG@10 of the view, then of popularity; each over the last window, then since the start. */
    volatile double[] quality = new double[8];
    /** Written by the view's thread only. */
    long checkpointStartNanos;
    private View cachedView;
    private Table[] tables = new Table[0];
    private AtomicLong[] rows = new AtomicLong[0];
    /** Record timestamps of the batches applied since the last publication. */
    private long[] pending = new long[64];
    private int pendingCount;

    ViewMeters(MeterRegistry registry, String view) {
      this.registry = registry;
      this.view = view;
      Arrays.fill(quality, Double.NaN);
      events = Counter.builder("jrl.train.events").tag("view", view)
          .description("interactions trained in applied mini-batches (replayed ones not included)")
          .register(registry);
      batches = Counter.builder("jrl.train.batches").tag("view", view)
          .description("mini-batches applied").register(registry);
      Gauge.builder("jrl.train.loss", this, m -> m.loss).tag("view", view)
          .description("mean loss per interaction of the latest mini-batch").register(registry);
      FunctionCounter.builder("jrl.train.replayed", this, m -> m.replayed).tag("view", view)
          .description("past interactions replayed by the trainer since it started (experience replay)")
          .register(registry);
      Gauge.builder("jrl.train.replay.share", this, ViewMeters::replayShare).tag("view", view)
          .description("replayed / (replayed + new) interactions trained since the trainer started")
          .register(registry);
      Gauge.builder("jrl.train.vocabulary", this, m -> m.vocabulary).tag("view", view)
          .description("words in the view's vocabulary (review view; NaN for the others)").register(registry);
      publishedUsers = Counter.builder("jrl.publish.vectors").tags("view", view, "kind", "user")
          .description("vectors forwarded to the view's embedding topic").register(registry);
      publishedItems = Counter.builder("jrl.publish.vectors").tags("view", view, "kind", "item")
          .description("vectors forwarded to the view's embedding topic").register(registry);
      freshness = Timer.builder("jrl.train.freshness").tag("view", view)
          .description("from the timestamp of the input record that completed a mini-batch to the publication of "
              + "the vectors it changed (one sample per batch)")
          .serviceLevelObjectives(FRESHNESS_BUCKETS).register(registry);
      checkpointRows = Counter.builder("jrl.checkpoint.rows").tag("view", view)
          .description("parameter and structure rows written by committed checkpoints").register(registry);
      checkpointBytes = Counter.builder("jrl.checkpoint.bytes").tag("view", view).baseUnit("bytes")
          .description("encoded bytes of those rows").register(registry);
      checkpointDuration = Timer.builder("jrl.checkpoint.duration").tag("view", view)
          .description("from the mini-batch that takes a checkpoint to its commit (written over "
              + "jrl.checkpoint.spread.batches batches)")
          .register(registry);
      restoreDuration = Timer.builder("jrl.restore.duration").tag("view", view)
          .description("wall time of the view's restores (checkpoint, then re-reading and re-training its event log)")
          .register(registry);
      restoreEvents = Counter.builder("jrl.restore.events").tag("view", view)
          .description("records of the validated topic re-read by restores").register(registry);
      restoreRetrained = Counter.builder("jrl.restore.retrained").tag("view", view)
          .description("interactions trained again by restores (those after the checkpoint)").register(registry);
      for (int r = 0; r < 2; r++) {
        for (int o = 0; o < 2; o++) {
          int hr = r * 4 + o * 2;
          qualityGauge("jrl.quality.hr10", RANKERS[r], OVER[o], m -> m.quality[hr],
              "live prequential HR@10 (issue 12) of the view or of popularity, over the last window or since start");
          qualityGauge("jrl.quality.ndcg10", RANKERS[r], OVER[o], m -> m.quality[hr + 1],
              "live prequential NDCG@10 of the view or of popularity, over the last window or since start");
        }
      }
    }

    private void qualityGauge(String name, String ranker, String over, ToDoubleFunction<ViewMeters> f,
        String description) {
      Gauge.builder(name, this, f).tags("view", view, "ranker", ranker, "over", over).description(description)
          .register(registry);
    }

    double replayShare() {
      double r = replayed;
      double n = events.count();
      return r + n == 0 ? Double.NaN : r / (r + n);
    }

    /**
     * Reads the view's table sizes (finding its tables again when a restore brought a new view; the tasks of a sharded
     * view report their own views in turn, from their own threads).
     */
    synchronized void tables(View v) {
      if (v != cachedView) {
        List<Param> params = v.params();
        tables = new Table[params.size()];
        rows = new AtomicLong[params.size()];
        for (int i = 0; i < tables.length; i++) {
          tables[i] = params.get(i).value();
          String name = tables[i].name();
          String table = name.startsWith(view + ".") ? name.substring(view.length() + 1) : name;
          rows[i] = tableRows.computeIfAbsent(table, t -> {
            AtomicLong a = new AtomicLong();
            Gauge.builder("jrl.train.table.rows", a, AtomicLong::get).tags("view", view, "table", t)
                .description("rows of the view's parameter tables (users, items, words, review vectors, …)")
                .register(registry);
            return a;
          });
        }
        cachedView = v;
      }
      for (int i = 0; i < tables.length; i++) {
        rows[i].set(tables[i].size());
      }
      if (v instanceof ReviewView r) {
        vocabulary = r.vocabulary().size();
      }
    }

    synchronized void unpublished(long timestamp) {
      if (pendingCount == pending.length) {
        pending = Arrays.copyOf(pending, pending.length * 2);
      }
      pending[pendingCount++] = timestamp;
    }

    synchronized void freshness(long nowMs) {
      for (int i = 0; i < pendingCount; i++) {
        long age = nowMs - pending[i];
        if (pending[i] > 0 && age >= 0) {
          freshness.record(age, TimeUnit.MILLISECONDS);
        }
      }
      pendingCount = 0;
    }
  }
}
