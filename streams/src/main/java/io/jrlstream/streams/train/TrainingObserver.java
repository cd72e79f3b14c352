package io.jrlstream.streams.train;

import io.jrlstream.core.eval.PrequentialMeter;

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
   * A view's task finished restoring: its state is that of the last event its store covers.
   *
   * @param view the view
   * @param nanos wall time of the restore
   * @param eventsRead records re-read from the event history
   * @param retrained interactions trained again (those after the checkpoint, the half-collected batch included)
   */
  default void restored(String view, long nanos, long eventsRead, long retrained) {}

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
