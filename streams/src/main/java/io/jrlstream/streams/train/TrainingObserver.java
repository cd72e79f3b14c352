package io.jrlstream.streams.train;

import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.train.StreamingTrainer;

/**
 * What a view's training reports as it goes: restores and checkpoints, for benchmarks, logs and metrics. The
 * pipeline passes one observer to every {@link TrainingProcessor} it builds (no static counters), so two pipelines
 * in one JVM, or a benchmark and a test, never see each other's figures.
 *
 * <p>Called on the stream thread of the view's task: implementations must be quick and, when one observer serves
 * several views (each on its own thread), thread-safe.
 */
public interface TrainingObserver {
  /** An observer that ignores everything. */
  TrainingObserver NONE = new TrainingObserver() { };

  /**
   * {@code observer}, guarded: what it throws (a {@link RuntimeException}) is logged, at the 1st, 2nd, 4th, 8th…
   * failure, and never reaches the task that reported, so a metrics bug cannot stop training. Guarding a guarded
   * observer returns it.
   */
  static TrainingObserver guarded(TrainingObserver observer) {
    return observer instanceof GuardedObserver g ? g : new GuardedObserver(observer);
  }

  /**
   * One observer that tells each of {@code observers}, in order (e.g. the metrics and {@code jrl local}'s quality
   * board).
   */
  static TrainingObserver all(TrainingObserver... observers) {
    TrainingObserver[] each = observers.clone();
    return new TrainingObserver() {
      @Override
      public void restored(String view, long nanos, long eventsRead, long retrained) {
        for (TrainingObserver o : each) {
          o.restored(view, nanos, eventsRead, retrained);
        }
      }

      @Override
      public void batchApplied(String view, StreamingTrainer trainer, int events, long timestamp,
          boolean checkpointDue) {
        for (TrainingObserver o : each) {
          o.batchApplied(view, trainer, events, timestamp, checkpointDue);
        }
      }

      @Override
      public void published(String view, int users, int items) {
        for (TrainingObserver o : each) {
          o.published(view, users, items);
        }
      }

      @Override
      public void checkpointCommitted(String view, int rows, long bytes) {
        for (TrainingObserver o : each) {
          o.checkpointCommitted(view, rows, bytes);
        }
      }

      @Override
      public void quality(String view, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {
        for (TrainingObserver o : each) {
          o.quality(view, model, popularity);
        }
      }
    };
  }

  /**
   * A view's task finished restoring: its state is that of the last event its store covers.
   *
   * @param view the view
   * @param nanos wall time of the restore
   * @param eventsRead records re-read from the event history
   * @param retrained interactions trained again (those after the checkpoint, the half-collected batch included)
   */
  default void restored(String view, long nanos, long eventsRead, long retrained) {}

  /**
   * A mini-batch was applied (after the event that completed it, or a flush marker). The trainer is the view's own:
   * read what it reports here, on the calling thread ({@link StreamingTrainer#batches()}, {@link
   * StreamingTrainer#lastLoss()}, the view's tables), never keep it for another thread.
   *
   * @param view the view
   * @param trainer the view's trainer, just after the batch
   * @param events interactions the batch trained
   * @param timestamp record timestamp of the input record that completed the batch (what the vectors it changed
   *     are published with)
   * @param checkpointDue whether a checkpoint is taken after this batch (committed later, see
   *     {@link #checkpointCommitted})
   */
  default void batchApplied(String view, StreamingTrainer trainer, int events, long timestamp,
      boolean checkpointDue) {}

  /**
   * The vectors changed since the previous publication were forwarded to the view's embedding topic (they become
   * readable when the transaction commits, within the commit interval).
   *
   * @param view the view
   * @param users user vectors forwarded
   * @param items item vectors forwarded
   */
  default void published(String view, int users, int items) {}

  /**
   * A checkpoint committed: its last row was written and its counters switched, in the current transaction.
   *
   * @param view the view
   * @param rows rows it wrote
   * @param bytes encoded bytes of those rows
   */
  default void checkpointCommitted(String view, int rows, long bytes) {}

  /**
   * A view's live prequential quality ({@link TrainingOptions.Quality}), at every window's close and every 1,000
   * events in between.
   *
   * @param view the view
   * @param model the view's totals since its task started, with the window just closed as {@code last()}
   * @param popularity popularity since the task started, measured on the same events
   */
  default void quality(String view, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {}
}
