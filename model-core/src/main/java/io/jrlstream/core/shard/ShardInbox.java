package io.jrlstream.core.shard;

import io.jrlstream.core.state.DirtyRows;
import io.jrlstream.core.state.StateBlock;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
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
  /**
   * Format of the header row of {@link #state} (row 0). Format 1 was the whole inbox in that one row; its rows are
   * refused (see {@link #state}).
   */
  private static final int FORMAT = 2;
  private final ShardTask task;
  private final int tasks;
  /** Round → the slot of each source task's delta (0: not in yet). */
  private final TreeMap<Integer, int[]> rounds = new TreeMap<>();
  /** By slot (a checkpoint row, from 1): the delta it holds (null: a free slot), its round and source task. */
  private Delta[] slotDelta = new Delta[16];
  private int[] slotRound = new int[16];
  private int[] slotSource = new int[16];
  /** Slots that hold a delta. */
  private final BitSet used = new BitSet();
  /** One past the highest slot ever used: the block's size. */
  private int slots = 1;
  /** Checkpoint rows changed since the last checkpoint: 0 the header, a slot filled or freed. */
  private final DirtyRows dirty = new DirtyRows();
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
    dirty.mark(0);
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

  /** Deltas waiting for their merge (the task's own included). */
  public int pendingDeltas() {
    return used.cardinality();
  }

  /**
   * The inbox as checkpoint rows: row 0, a header (its format, the task's epoch, the duplicates counted, the number
   * of tasks and every epoch end of the current or a later epoch), then one row per slot: the delta that waits in it
   * for its merge, own ones included, as it came ({@link DeltaCodec}'s message, which names its round and source),
   * or no bytes for a free slot. A delta that arrives takes the lowest free slot; a merge frees the slots of its
   * deltas. Only the rows changed since the last checkpoint are written: the header when anything in it changed, the
   * slots filled or freed since (a freed slot's row is emptied, not deleted, and reused by a later delta), so a
   * checkpoint writes the deltas that arrived since the last one, not every delta waiting (with checkpoints more than
   * L + 1 rounds apart, every delta waiting arrived since the last one: then the bytes are the same, in rows of one
   * delta). Since a delta of a merge the task applied is dropped (and refused by {@link #offer}), about L + 1 rounds'
   * deltas of every task wait, in as many slots (up to 2 (L + 1) rounds' while others run ahead of the task); the
   * highest slot ever used bounds the rows.
   *
   * <p>A delta's row is as large as its message on the update topic, which the topic (and the producer) took whole,
   * and the checkpoint's changelog takes records as large ({@code ShardedTopology}): a delta too large for one row
   * fails at its send first, so no delta is cut into rows.
   *
   * <p>Restored into an inbox of a task restored from the same checkpoint (its widths decode the deltas): the slots
   * rebuild the (round, source) map, a row decoded again replacing what its slot held. A checkpoint of format 1 (the
   * whole inbox in row 0, written before this layout) is refused with an error that says so, never decoded as a
   * header: sharded views were new and off by default then; reset the application's state to start again.
   */
  public StateBlock state() {
    return StateBlock.tracked(() -> slots, dirty, row -> row == 0 ? header() : slot(row), (row, bytes) -> {
      if (row == 0) {
        readHeader(bytes);
      } else {
        readSlot(row, bytes);
      }
    });
  }

  private byte[] header() {
    ByteBuffer b = ByteBuffer.allocate(4 * 4 + 8 + ends.size() * 4 * (1 + tasks)).putInt(FORMAT).putInt(epoch)
        .putLong(duplicates).putInt(tasks).putInt(ends.size());
    for (Map.Entry<Integer, int[]> e : ends.entrySet()) {
      b.putInt(e.getKey());
      for (int last : e.getValue()) {
        b.putInt(last);
      }
    }
    return b.array();
  }

  private void readHeader(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    int format = bytes.length < 4 ? -1 : b.getInt();
    if (format != FORMAT) {
      throw new IllegalStateException("task " + task.index() + "'s inbox: a checkpoint of format " + format
          + (format == 1 ? " (the whole inbox in one row, written by an earlier build)" : "") + ", this build reads "
          + FORMAT + ": reset the application's state (kafka-streams-application-reset and the state directories) "
          + "to train again from the input");
    }
    epoch = b.getInt();
    duplicates = b.getLong();
    int n = b.getInt();
    if (n != tasks) {
      throw new IllegalStateException("task " + task.index() + "'s inbox: a checkpoint of a view of " + n
          + " tasks, this one has " + tasks);
    }
    ends.clear();
    for (int k : used.stream().toArray()) { // (the slots' rows follow: what the inbox held before does not count)
      free(k);
    }
    for (int e = b.getInt(); e > 0; e--) {
      int[] last = new int[tasks];
      ends.put(b.getInt(), last);
      for (int i = 0; i < tasks; i++) {
        last[i] = b.getInt();
      }
    }
  }

  private byte[] slot(int row) {
    Delta d = row < slotDelta.length ? slotDelta[row] : null;
    return d == null ? new byte[0] : DeltaCodec.encodeDelta(slotSource[row], slotRound[row], d);
  }

  private void readSlot(int row, byte[] bytes) {
    free(row);
    slots = Math.max(slots, row + 1);
    if (bytes.length == 0) {
      return;
    }
    DeltaCodec.Message m;
    try {
      m = DeltaCodec.decode(bytes, task.widths());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("task " + task.index() + "'s inbox: checkpoint row " + row + " is not a "
          + "delta of this view (" + e.getMessage() + ")", e);
    }
    if (m.kind() != DeltaCodec.Kind.DELTA || m.source() >= tasks) {
      throw new IllegalStateException("task " + task.index() + "'s inbox: checkpoint row " + row + " holds " + m
          .kind() + " of task " + m.source() + ", not a delta of a view of " + tasks + " tasks");
    }
    fill(row, m.round(), m.source(), m.delta());
  }

  /** Puts task {@code source}'s round-{@code round} delta in slot {@code slot}. */
  private void fill(int slot, int round, int source, Delta d) {
    if (slot >= slotDelta.length) {
      int n = Math.max(slot + 1, slotDelta.length * 2);
      slotDelta = Arrays.copyOf(slotDelta, n);
      slotRound = Arrays.copyOf(slotRound, n);
      slotSource = Arrays.copyOf(slotSource, n);
    }
    slotDelta[slot] = d;
    slotRound[slot] = round;
    slotSource[slot] = source;
    used.set(slot);
    slots = Math.max(slots, slot + 1);
    rounds.computeIfAbsent(round, r -> new int[tasks])[source] = slot;
  }

  /** Empties slot {@code slot} (and forgets its delta's place in its round), if it holds one. */
  private void free(int slot) {
    if (!used.get(slot)) {
      return;
    }
    int[] s = rounds.get(slotRound[slot]);
    if (s != null && s[slotSource[slot]] == slot) {
      s[slotSource[slot]] = 0;
      if (Arrays.stream(s).allMatch(k -> k == 0)) {
        rounds.remove(slotRound[slot]);
      }
    }
    slotDelta[slot] = null;
    used.clear(slot);
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
        dirty.mark(0);
      }
    } else {
      int[] s = rounds.get(m.round());
      fresh = m.round() > task.merged() && (s == null || s[m.source()] == 0);
      if (fresh) {
        int slot = used.nextClearBit(1);
        fill(slot, m.round(), m.source(), m.delta());
        dirty.mark(slot);
      }
    }
    if (!fresh) {
      duplicates++;
      dirty.mark(0);
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
      dirty.mark(0);
    }
  }

  /** Every task's round-r delta is in, or the task ended the epoch before round r (it has none). */
  private boolean complete(int r) {
    int[] s = rounds.get(r);
    int[] e = ends.get(epoch);
    for (int i = 0; i < tasks; i++) {
      boolean in = s != null && s[i] > 0;
      boolean none = e != null && e[i] >= 0 && e[i] < r;
      if (!in && !none) {
        return false;
      }
    }
    return true;
  }

  /** Applies merge r at the task and frees its deltas' slots. */
  private void merge(int r) {
    int[] s = rounds.remove(r);
    Delta[] ds = new Delta[tasks];
    for (int i = 0; s != null && i < tasks; i++) {
      if (s[i] > 0) {
        ds[i] = slotDelta[s[i]];
        free(s[i]);
        dirty.mark(s[i]);
      }
    }
    index.index(ds);
    if (task.settings().merge() == ShardSettings.Merge.MEAN) {
      index.mean();
    }
    task.merge(r, index);
  }
}
