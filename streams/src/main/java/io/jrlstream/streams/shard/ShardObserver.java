package io.jrlstream.streams.shard;

import io.jrlstream.core.shard.ShardTask;
import java.util.function.IntPredicate;

/**
 * Told, on the stream thread of a sharded view's task, when the task starts, closes a round, and ends an epoch (at a
 * flush marker: its half-collected batch trained, every merge up to the epoch's last round applied). For metrics and
 * tests; must not change the task.
 */
public interface ShardObserver {
  /** An observer that does nothing. */
  ShardObserver NONE = new ShardObserver() { };

  /**
   * @param view the view
   * @param task the task, at the start of its next epoch (its {@link ShardTask#events()} count every event it trained)
   * @param epoch the epoch that ended
   * @param ownsUser whether a user index is one of the task's users (whose rows it trains and publishes)
   */
  default void epochEnded(String view, ShardTask task, int epoch, IntPredicate ownsUser) {}

  /**
   * The task started (a task assignment), after it rebuilt its state: its committed checkpoint loaded, if any, and the
   * committed input after it re-read.
   *
   * @param view the view
   * @param task the task
   * @param replayed records of its input re-read to rebuild its state (0: a task that starts afresh, or right at its
   *     checkpoint)
   * @param millis how long the rebuild took, the checkpoint's load included
   */
  default void started(String view, ShardTask task, long replayed, long millis) {}

  /** The task closed a round (its {@link ShardTask#closed()} rounds so far). */
  default void roundClosed(String view, ShardTask task) {}

  /**
   * A checkpoint of the task committed to its store (its last row written, in the transaction that commits the batch
   * that wrote it).
   *
   * @param rows the rows it wrote (those changed since the previous checkpoint)
   * @param bytes their encoded size
   */
  default void checkpointCommitted(String view, ShardTask task, int rows, long bytes) {}
}
