package io.jrlstream.streams.shard;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The by-user records that the tasks of one sharded view hold in this instance: taken from their partition, so that
 * the application's committed offset moves past them, but not trained yet ({@link ShardedTrainingProcessor}: a task
 * waiting for another task's round delta holds what arrives, docs/scaling.md "Shared rows: the round protocol", step
 * 4; a task freed after a long wait trains its backlog a drain at a time). The committed-offset lag of the view's
 * application does not see them, so the pipeline adds them to the lag it reports for this instance (ops'
 * {@code Pipeline.viewLag}, {@code TrainerLag}, {@code Pipeline.awaitCaughtUp}). Events and flush markers count
 * alike, as records of the by-user topic.
 *
 * <p>Only the instance that runs a task knows what it holds: in a deployment of several instances each counts its
 * own tasks' records. A task that closes (moved to another instance, or stopped) stops counting here; its new owner
 * counts what it holds once its restore has re-read them.
 *
 * <p>Thread-safe: each task sets its own count on its stream thread; any thread reads the total.
 */
public final class HeldRecords {
  private final Map<Integer, Long> byTask = new ConcurrentHashMap<>();

  /** Task {@code task} holds {@code records} records now (0: none, or closed). */
  void set(int task, long records) {
    if (records == 0) {
      byTask.remove(task);
    } else {
      byTask.put(task, records);
    }
  }

  /** The records every task of the view in this instance holds, at about this moment. */
  public long total() {
    long n = 0;
    for (long r : byTask.values()) {
      n += r;
    }
    return n;
  }
}
