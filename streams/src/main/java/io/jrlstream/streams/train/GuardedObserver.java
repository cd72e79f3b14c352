package io.jrlstream.streams.train;

import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.train.StreamingTrainer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TrainingObserver} that passes every report on and swallows what the observer throws (a metrics or report
 * bug), logging it at the 1st, 2nd, 4th, 8th… failure: metrics must never stop training, and a task that failed on a
 * report would fail again on the same report after its restart, a loop that stalls the view. {@link Error}s (an
 * assertion in a test's observer, out of memory) still propagate.
 *
 * <p>Thread-safe if the observer is: one guard may serve several tasks' threads (the failures are counted together).
 */
final class GuardedObserver implements TrainingObserver {
  private static final Logger LOG = LoggerFactory.getLogger(GuardedObserver.class);
  private final TrainingObserver observer;
  private final AtomicLong failures = new AtomicLong();

  GuardedObserver(TrainingObserver observer) {
    this.observer = Objects.requireNonNull(observer, "observer");
  }

  /** Reports that threw, so far. */
  long failures() {
    return failures.get();
  }

  @Override
  public void restored(String view, long nanos, long eventsRead, long retrained) {
    tell(view, () -> observer.restored(view, nanos, eventsRead, retrained));
  }

  @Override
  public void batchApplied(String view, StreamingTrainer trainer, int events, long timestamp,
      boolean checkpointDue) {
    tell(view, () -> observer.batchApplied(view, trainer, events, timestamp, checkpointDue));
  }

  @Override
  public void published(String view, int users, int items) {
    tell(view, () -> observer.published(view, users, items));
  }

  @Override
  public void checkpointCommitted(String view, int rows, long bytes) {
    tell(view, () -> observer.checkpointCommitted(view, rows, bytes));
  }

  @Override
  public void quality(String view, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {
    tell(view, () -> observer.quality(view, model, popularity));
  }

  private void tell(String view, Runnable report) {
    try {
      report.run();
    } catch (RuntimeException e) {
      long n = failures.incrementAndGet();
      if (Long.bitCount(n) == 1) {
        LOG.warn("view {}: a report to the training observer failed ({} so far); training goes on", view, n, e);
      }
    }
  }
}
