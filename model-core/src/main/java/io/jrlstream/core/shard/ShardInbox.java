package io.jrlstream.core.shard;

import io.jrlstream.core.state.StateBlock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
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
  /** Format of the row of {@link #state}. */
  private static final int FORMAT = 1;
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
   * The inbox as one checkpoint row: the task's epoch, the duplicates counted, every delta waiting for its merge
   * (in {@link DeltaCodec}'s format, own ones included) and every epoch end of the current or a later epoch. Since a
   * delta of a merge the task applied is dropped (and refused by {@link #offer}), it holds about L + 1 rounds' deltas
   * of every task, not the history. Restored into an inbox of a task restored from the same checkpoint (its widths
   * decode the deltas).
   */
  public StateBlock state() {
    return StateBlock.single(this::encode, this::decode);
  }

  private byte[] encode() {
    List<byte[]> deltas = new ArrayList<>();
    int size = 4 * 5 + ends.size() * 4 * (1 + tasks);
    for (Map.Entry<Integer, Delta[]> e : rounds.entrySet()) {
      for (int i = 0; i < tasks; i++) {
        Delta d = e.getValue()[i];
        byte[] m = d == null ? null : DeltaCodec.encodeDelta(i, e.getKey(), d);
        deltas.add(m);
        size += 4 + (m == null ? 0 : m.length);
      }
    }
    ByteBuffer b = ByteBuffer.allocate(size + 4 * rounds.size() + 8).putInt(FORMAT).putInt(epoch).putLong(duplicates)
        .putInt(tasks).putInt(rounds.size());
    int k = 0;
    for (int round : rounds.keySet()) {
      b.putInt(round);
      for (int i = 0; i < tasks; i++) {
        byte[] m = deltas.get(k++);
        b.putInt(m == null ? -1 : m.length);
        if (m != null) {
          b.put(m);
        }
      }
    }
    b.putInt(ends.size());
    for (Map.Entry<Integer, int[]> e : ends.entrySet()) {
      b.putInt(e.getKey());
      for (int last : e.getValue()) {
        b.putInt(last);
      }
    }
    return Arrays.copyOf(b.array(), b.position());
  }

  private void decode(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    int format = b.getInt();
    if (format != FORMAT) {
      throw new IllegalStateException("task " + task.index() + "'s inbox: a checkpoint row of format " + format
          + ", this build reads " + FORMAT);
    }
    epoch = b.getInt();
    duplicates = b.getLong();
    int n = b.getInt();
    if (n != tasks) {
      throw new IllegalStateException("task " + task.index() + "'s inbox: a checkpoint of a view of " + n
          + " tasks, this one has " + tasks);
    }
    rounds.clear();
    ends.clear();
    int[] widths = task.widths();
    for (int r = b.getInt(); r > 0; r--) {
      Delta[] ds = new Delta[tasks];
      rounds.put(b.getInt(), ds);
      for (int i = 0; i < tasks; i++) {
        int len = b.getInt();
        if (len >= 0) {
          byte[] m = new byte[len];
          b.get(m);
          ds[i] = DeltaCodec.decode(m, widths).delta();
        }
      }
    }
    for (int e = b.getInt(); e > 0; e--) {
      int[] last = new int[tasks];
      ends.put(b.getInt(), last);
      for (int i = 0; i < tasks; i++) {
        last[i] = b.getInt();
      }
    }
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
