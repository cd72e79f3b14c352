package io.jrlstream.streams.shard;

import io.jrlstream.core.shard.ShardTask;

/**
 * Told, on the stream thread of a sharded view's task, when the task has ended an epoch (at a flush marker: its
 * half-collected batch trained, every merge up to the epoch's last round applied). For metrics and tests; must not
 * change the task.
 */
public interface ShardObserver {
  /** An observer that does nothing. */
  ShardObserver NONE = new ShardObserver() { };

  /**
   * @param view the view
   * @param task the task, at the start of its next epoch (its {@link ShardTask#events()} count every event it trained)
   * @param epoch the epoch that ended
   */
  default void epochEnded(String view, ShardTask task, int epoch) {}
}
