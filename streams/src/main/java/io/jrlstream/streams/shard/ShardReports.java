package io.jrlstream.streams.shard;

import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.streams.train.TrainingObserver;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the tasks of one sharded view that run in this instance report to the pipeline's {@link TrainingObserver}
 * (metrics, {@code jrl local}'s summary, serving), under the view's name, as one unsharded task would: mini-batches
 * with the events they trained, rows published, restores, checkpoints, and live prequential quality; and, for the
 * pipeline's lag, the records each task holds ({@link HeldRecords}).
 *
 * <p>Quality: each task runs its own {@link io.jrlstream.streams.train.LiveQuality} on its own trainer (it ranks its
 * own users' sampled events, before they train, with its replica: its user rows and its view of the shared item rows;
 * sampling and windows count the task's own events). What the view reports is the sum over the tasks this instance
 * runs: totals added (events ranked, hits, NDCG), and as its last window the sum of each task's last closed window.
 * With every task of the view in one instance that is the whole stream, measured as a one-task view measures it
 * (with {@code jrl.quality.sample.every=1} the same events exactly); with tasks on several instances each instance
 * reports its own tasks' share. A task that closes (moved to another instance, or stopped) stops counting here; its
 * new owner counts afresh, as every live meter does after a restart.
 *
 * <p>Gauges that read the reporting trainer (loss, table sizes) show whichever task reported last; counters (events,
 * batches, rows published) add up over the tasks; freshness counts from a batch to the next publication of either
 * task, an approximation of each task's own.
 *
 * <p>A report that fails (an observer's bug) is logged ({@link TrainingObserver#guarded}), at the 1st, 2nd, 4th,
 * 8th… failure, and never stops the task: metrics must not stop training.
 *
 * <p>Thread-safe: the view's tasks run on the instance's stream threads, any of them may report.
 */
final class ShardReports {
  private final String view;
  private final TrainingObserver observer;
  /** Each running task's latest totals: model, popularity. */
  private final Map<Integer, PrequentialMeter.Snapshot[]> quality = new TreeMap<>();
  private final HeldRecords held;

  ShardReports(String view, TrainingObserver observer) {
    this(view, observer, new HeldRecords());
  }

  /** @param held where the tasks' held records are counted, for the pipeline's lag */
  ShardReports(String view, TrainingObserver observer, HeldRecords held) {
    this.view = view;
    this.observer = TrainingObserver.guarded(Objects.requireNonNull(observer, "observer"));
    this.held = Objects.requireNonNull(held, "held");
  }

  /** An observer that passes one task's live quality on, summed with the other tasks' (for its LiveQuality). */
  TrainingObserver task(int index) {
    return new TrainingObserver() {
      @Override
      public void quality(String v, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {
        report(index, model, popularity);
      }
    };
  }

  /** A task applied a mini-batch of {@code events} (its own trainer, on its stream thread). */
  void batchApplied(StreamingTrainer trainer, int events, long timestamp) {
    observer.batchApplied(view, trainer, events, timestamp, false);
  }

  /** A task forwarded vectors to the view's embedding topic. */
  void published(int users, int items) {
    if (users + items > 0) {
      observer.published(view, users, items);
    }
  }

  /** A task rebuilt its state ({@code retrained} events trained again from {@code read} records re-read). */
  void restored(long nanos, long read, long retrained) {
    observer.restored(view, nanos, read, retrained);
  }

  /** A task's checkpoint committed ({@code rows} rows of {@code bytes} encoded bytes). */
  void checkpointCommitted(int rows, long bytes) {
    observer.checkpointCommitted(view, rows, bytes);
  }

  /** Task {@code index} holds {@code records} by-user records it has taken and not trained ({@link HeldRecords}). */
  void held(int index, long records) {
    held.set(index, records);
  }

  /** A task closed: its quality and the records it held no longer count in this instance's sums. */
  synchronized void closed(int index) {
    quality.remove(index);
    held.set(index, 0);
  }

  private synchronized void report(int index, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {
    quality.put(index, new PrequentialMeter.Snapshot[] {model, popularity});
    PrequentialMeter.Snapshot m = null;
    PrequentialMeter.Snapshot p = null;
    for (PrequentialMeter.Snapshot[] s : quality.values()) {
      m = sum(m, s[0]);
      p = sum(p, s[1]);
    }
    observer.quality(view, m, p);
  }

  /** The two tasks' totals added, and their last windows (either may be null: the other's). */
  static PrequentialMeter.Snapshot sum(PrequentialMeter.Snapshot a, PrequentialMeter.Snapshot b) {
    if (a == null) {
      return b;
    }
    PrequentialMeter.Window w = a.last() == null ? b.last() : b.last() == null ? a.last()
        : new PrequentialMeter.Window(Math.max(a.last().index(), b.last().index()),
            Math.min(a.last().firstSequence(), b.last().firstSequence()), a.last().ranked() + b.last().ranked(),
            a.last().hits() + b.last().hits(), a.last().ndcgSum() + b.last().ndcgSum());
    return new PrequentialMeter.Snapshot(a.measured() + b.measured(), a.ranked() + b.ranked(), a.hits() + b.hits(),
        a.ndcgSum() + b.ndcgSum(), a.repeats() + b.repeats(), a.coldUsers() + b.coldUsers(),
        a.newItems() + b.newItems(), w);
  }
}
