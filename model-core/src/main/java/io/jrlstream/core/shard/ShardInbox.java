package io.jrlstream.core.shard;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one task of a sharded view has received from the others (and kept of its own) for the merges it has not applied
 * yet: round deltas keyed (round, source task) and epoch ends keyed (epoch, source task), so that a message received
 * twice (re-sent after a crash) changes nothing (docs/scaling.md "Transport", "Exactly-once"). {@link #advance}
 * applies, at the task, every merge whose deltas are all in, at the points the round protocol fixes.
 *
 * <p>Lifecycle: one per task, fed by the thread that drives the task ({@link #offer} for what arrives, own deltas
 * included); not thread-safe.
 */
public final class ShardInbox {
  private final ShardTask task;
  private final int tasks;
  /** Round → its deltas by source task (null: not in yet). */
  private final TreeMap<Integer, Delta[]> rounds = new TreeMap<>();
  /** Epoch → the last round each task closed in it (−1: its end not in yet). */
  private final Map<Integer, int[]> ends = new HashMap<>();
  private final RoundIndex index = new RoundIndex();
  /** The task's current epoch (ends counted since it started). */
  private int epoch;
  private long duplicates;

  /** @param task the task whose merges this inbox feeds */
  public ShardInbox(ShardTask task) {
    this.task = task;
    this.tasks = task.settings().shards();
  }

  /** The task's current epoch. */
  public int epoch() {
    return epoch;
  }

  /** Messages received more than once (and ignored). */
  public long duplicates() {
    return duplicates;
  }

  /** Rounds with some delta waiting for their merge. */
  public int pendingRounds() {
    return rounds.size();
  }

  /**
   * Takes a message: a round delta (the task's own too, right after it closed the round) or an epoch end.
   *
   * @return false when it was a duplicate, or for a merge already applied (ignored)
   * @throws IllegalArgumentException when its source is not a task of the view
   */
  public boolean offer(DeltaCodec.Message m) {
    if (m.source() < 0 || m.source() >= tasks) {
      throw new IllegalArgumentException("a shard message from task " + m.source() + " of a view of " + tasks
          + " tasks");
    }
    boolean fresh;
    if (m.kind() == DeltaCodec.Kind.END) {
      fresh = m.epoch() >= epoch && ends.computeIfAbsent(m.epoch(), e -> minusOnes())[m.source()] < 0;
      if (fresh) {
        ends.get(m.epoch())[m.source()] = m.round();
      }
    } else {
      fresh = m.round() > task.merged() && rounds.computeIfAbsent(m.round(), r -> new Delta[tasks])[m.source()] == null;
      if (fresh) {
        rounds.get(m.round())[m.source()] = m.delta();
      }
    }
    if (!fresh) {
      duplicates++;
    }
    return fresh;
  }

  private int[] minusOnes() {
    int[] a = new int[tasks];
    Arrays.fill(a, -1);
    return a;
  }

  /**
   * Applies at the task what is ready: the merge it waits for, and at the end of its epoch, once every task's end is
   * in, every outstanding merge, then the next epoch; repeatedly, while anything applies.
   *
   * @return true when the task may train on (it waits for nothing)
   */
  public boolean advance() {
    while (true) {
      int r = task.waitingFor();
      if (r > 0) {
        if (!complete(r)) {
          return false;
        }
        merge(r);
        continue;
      }
      if (!task.ended()) {
        return true;
      }
      int[] e = ends.get(epoch);
      int last = 0;
      for (int i = 0; e != null && i < tasks; i++) {
        if (e[i] < 0) {
          return false;
        }
        last = Math.max(last, e[i]);
      }
      if (e == null) {
        return false;
      }
      while (task.merged() < last) {
        if (!complete(task.merged() + 1)) {
          return false;
        }
        merge(task.merged() + 1);
      }
      task.nextEpoch(last);
      ends.remove(epoch);
      epoch++;
    }
  }

  /** Every task's round-r delta is in, or the task ended the epoch before round r (it has none). */
  private boolean complete(int r) {
    Delta[] ds = rounds.get(r);
    int[] e = ends.get(epoch);
    for (int i = 0; i < tasks; i++) {
      boolean in = ds != null && ds[i] != null;
      boolean none = e != null && e[i] >= 0 && e[i] < r;
      if (!in && !none) {
        return false;
      }
    }
    return true;
  }

  private void merge(int r) {
    Delta[] ds = rounds.remove(r);
    if (ds == null) {
      ds = new Delta[tasks];
    }
    index.index(ds);
    if (task.settings().merge() == ShardSettings.Merge.MEAN) {
      index.mean();
    }
    task.merge(r, index);
  }
}
