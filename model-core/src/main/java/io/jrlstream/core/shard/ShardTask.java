package io.jrlstream.core.shard;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateReader;
import io.jrlstream.core.state.StateWriter;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.View;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One task of a sharded view (docs/scaling.md "Shared rows: the round protocol"): its trainer on its own replica of
 * the view, its round counters, and the steps of the round protocol — train an event, close a round (a
 * {@link Delta} of the shared rows it changed), apply merge r once every task's round-r delta is in, end an epoch at
 * a flush marker. Both the simulator ({@link ShardedTrainer}, which holds every task's deltas in one place and
 * indexes each round once for all tasks) and the Kafka processor (one task per partition, each with its own
 * {@link ShardInbox} of the deltas that reached it) drive it, so the two compute the same thing.
 *
 * <p>Determinism: the task's state is a function of its own input and of the other tasks' deltas, applied at points
 * fixed by its own input (merge r right after it closes round r + L; every outstanding merge at the end of an
 * epoch), in task order. Waiting for a delta changes when the task trains, never what.
 *
 * <p>Epochs: a flush marker reaches every partition at the same point of the validated topic, so every task ends
 * an epoch there ({@link #endEpoch}): it trains its half-collected batch, closes a last round if anything changed
 * since its last one, and tells the others the last round it closed. Once every task's end is known, the epoch's
 * rounds are those up to the largest last round: a task that ended before round r contributes nothing to it. Every
 * task applies every outstanding merge, and the next epoch numbers its rounds on from there ({@link #nextEpoch}). The
 * simulator's end of stream is exactly one such epoch end.
 *
 * <p>Lifecycle: created with a fresh view; driven by one thread; not thread-safe.
 */
public final class ShardTask {
  /** Seed stream of the tasks' trainers (task i draws from (seed, SHARD, i)). */
  private static final long SHARD = 0x5A4D_7A5CL;
  /** Format of the counters row of {@link #state}. */
  private static final int FORMAT = 1;

  private final int index;
  private final ShardSettings settings;
  private final StreamingTrainer trainer;
  private final Replica replica;
  /** Items already handed to the sampler from other tasks' deltas (a second hand-over would change no draw). */
  private boolean[] registered = new boolean[64];
  private long events;
  private int sinceRound;
  private int closed;
  private int merged;
  /** The merge this task must apply before it trains on (0: none). */
  private int waitingFor;
  /** The epoch ended here and its outstanding merges are not all applied yet. */
  private boolean ended;

  /**
   * @param index the task's index (its partition)
   * @param view a fresh view for this task; every task's view must be built alike from the same seed, so that
   *     shared rows start equal everywhere
   * @param seed the run seed; task i's trainer draws from (seed, i) when the view is sharded, from seed itself
   *     when it is not (then it is the plain streaming trainer)
   * @param batchSize positive interactions per mini-batch
   * @param settings the sharding
   */
  public ShardTask(int index, View view, long seed, int batchSize, ShardSettings settings) {
    if (index < 0 || index >= settings.shards()) {
      throw new IllegalArgumentException("task index must be in 0.." + (settings.shards() - 1) + ", got " + index);
    }
    this.index = index;
    this.settings = settings;
    boolean sharded = settings.sharded();
    this.trainer = new StreamingTrainer(view, sharded ? trainerSeed(seed, index) : seed, batchSize);
    this.replica = sharded ? new Replica(view, settings.optimizerState(), settings.threshold(), settings.maxHeld(),
        settings.precision())
        : null;
  }

  /** The seed of task {@code index}'s trainer in a sharded view. */
  public static long trainerSeed(long seed, int index) {
    return Rng.mix(seed, SHARD, index);
  }

  public int index() {
    return index;
  }

  public ShardSettings settings() {
    return settings;
  }

  /** The task's trainer (its replica is {@code trainer().view()}). */
  public StreamingTrainer trainer() {
    return trainer;
  }

  /** Events this task received. */
  public long events() {
    return events;
  }

  /** Rounds closed so far (round numbers start at 1 and run on across epochs). */
  public int closed() {
    return closed;
  }

  /** The last merge applied. */
  public int merged() {
    return merged;
  }

  /** The merge the task must apply before it trains on, 0 when none. */
  public int waitingFor() {
    return waitingFor;
  }

  /** Whether the task ended its epoch and waits to apply the epoch's outstanding merges ({@link #nextEpoch}). */
  public boolean ended() {
    return ended;
  }

  /** Names of the shared tables, in delta order. */
  public List<String> tableNames() {
    return replica.tableNames();
  }

  /** Floats per row of each shared table, in delta order (a delta of this view must have them). */
  public int[] widths() {
    return replica.widths();
  }

  /** State coordinates merges would have made negative, set to zero instead. */
  public long clamped() {
    return replica == null ? 0 : replica.clamped();
  }

  /**
   * The task's state as checkpoint blocks: the replica's (every parameter row with its optimiser state, the shared
   * rows' bases and the replica's bookkeeping), the view's structure, the trainer's own (negative sampler, reservoir,
   * counters: {@link StreamingTrainer#state}) and one row of the task's counters (events, rounds since the last
   * close, rounds closed and merged, the merge it waits for, whether its epoch ended, the items handed to its
   * sampler from others' deltas). With its inbox's ({@link ShardInbox#state}) they are everything the task's state is
   * a function of. Checkpoint them right after a mini-batch: the trainer's counters refuse a half-collected one.
   *
   * @throws IllegalStateException for a task of an unsharded view (it checkpoints as the plain trainer does), or of
   *     a view whose replica is not checkpointed (see {@code Replica#state})
   */
  public List<StateBlock> state() {
    if (replica == null) {
      throw new IllegalStateException("task " + index + " of an unsharded view: checkpoint its trainer");
    }
    String name = trainer.view().name() + ".task" + index;
    List<StateBlock> b = new ArrayList<>(replica.state(name + ".replica"));
    b.addAll(trainer.view().structure());
    b.addAll(trainer.state());
    b.add(StateBlock.single(() -> {
      int n = 0;
      int[] items = new int[registered.length];
      for (int i = 0; i < registered.length; i++) {
        if (registered[i]) {
          items[n++] = i;
        }
      }
      return new StateWriter(FORMAT).putLong(events).putInt(sinceRound).putInt(closed).putInt(merged)
          .putInt(waitingFor).putInt(ended ? 1 : 0).putInts(items, 0, n).toBytes();
    }, bytes -> {
      StateReader r = new StateReader(bytes, FORMAT, name + ".counters");
      events = r.getLong();
      sinceRound = r.getInt();
      closed = r.getInt();
      merged = r.getInt();
      waitingFor = r.getInt();
      ended = r.getInt() != 0;
      int[] items = r.getInts();
      registered = new boolean[Math.max(64, items.length == 0 ? 0 : items[items.length - 1] + 1)];
      for (int i : items) {
        registered[i] = true;
      }
    }));
    return b;
  }

  /**
   * Trains x (it joins the pending mini-batch, which trains when full).
   *
   * @return true when that completed the round's s-th mini-batch, or a mini-batch after which the round's delta
   *     would reach {@link ShardSettings#maxRoundBytes}: the caller must {@link #closeRound} now
   * @throws IllegalStateException while the task waits for a merge or its epoch's end
   */
  public boolean train(Interaction x) {
    if (waitingFor > 0 || ended) {
      throw new IllegalStateException("task " + index + " trains while it waits for "
          + (ended ? "the end of its epoch" : "merge " + waitingFor));
    }
    events++;
    if (replica != null) {
      replica.prepare(x);
    }
    return trainer.accept(x) && replica != null && (++sinceRound >= settings.syncBatches()
        || replica.pendingBytes() >= settings.maxRoundBytes());
  }

  /**
   * Closes the next round: its delta (captured into {@code free}, cleared first, or a new delta when null). A round
   * closed mid-epoch (not {@code last}) makes the task wait for merge {@code closed − L} before it trains on, unless
   * that merge is applied already (the first L rounds of an epoch after the first).
   *
   * @param last the task's last round of the epoch, which carries everything (held rows, word rows)
   */
  public Delta closeRound(boolean last, Delta free) {
    int k = settings.wordRounds();
    boolean words = k > 0 && (last || (closed + 1) % k == 0);
    Delta d = replica.capture(words, last, free != null ? free : new Delta(replica.widths()));
    closed++;
    sinceRound = 0;
    int due = closed - settings.lag();
    if (!last && due > merged) { // (at an epoch's start the merges up to its first round are all applied)
      waitingFor = due;
    }
    return d;
  }

  /**
   * Ends the epoch (a flush marker, or the end of the stream): trains the half-collected batch and, when anything may
   * have changed since the last round (or rows wait for a round: word rows, rows under a threshold), closes a last
   * round, whose delta it returns (null when none). Afterwards the task trains nothing until {@link #nextEpoch}.
   */
  public Delta endEpoch(Delta free) {
    if (waitingFor > 0 || ended) {
      throw new IllegalStateException("task " + index + " ends its epoch while it waits for "
          + (ended ? "the end of its epoch" : "merge " + waitingFor));
    }
    boolean trained = trainer.flush();
    Delta d = null;
    if (replica != null && (trained || sinceRound > 0 || settings.wordRounds() > 1 || replica.holding())) {
      // (word rows, or rows under a threshold, may be waiting for their round even when nothing trained since)
      d = closeRound(true, free);
    }
    ended = replica != null;
    return d;
  }

  /**
   * Starts the next epoch once every merge up to {@code rounds} (the epoch's last round, all tasks) is applied: the
   * rounds this task did not reach count as closed, empty.
   */
  public void nextEpoch(int rounds) {
    if (merged != rounds || closed > rounds) {
      throw new IllegalStateException("task " + index + " starts an epoch at round " + rounds + " having closed "
          + closed + " and merged " + merged);
    }
    closed = rounds;
    ended = false;
  }

  /**
   * Applies merge r: round r's deltas of every task (indexed, with their shares set when the merge is the mean), in
   * task order; items new to the task join its negative sampler's pool in that order.
   *
   * @throws IllegalStateException when r is not the next merge
   */
  public void merge(int r, RoundIndex round) {
    if (r != merged + 1) {
      throw new IllegalStateException("task " + index + " applies merge " + r + " after merge " + merged);
    }
    replica.merge(round, index, settings.merge() == ShardSettings.Merge.MEAN);
    Delta[] ds = round.round();
    for (int i = 0; i < ds.length; i++) {
      if (ds[i] != null && i != index) {
        replica.items(ds[i], this::register);
      }
    }
    merged = r;
    if (waitingFor <= r) {
      waitingFor = 0;
    }
  }

  /** Tells the negative sampler of an item another task's delta brought, once. */
  private void register(int item) {
    if (item >= registered.length) {
      registered = Arrays.copyOf(registered, Math.max(item + 1, registered.length * 2));
    }
    if (!registered[item]) {
      registered[item] = true;
      trainer.sampler().addItem(item);
    }
  }
}
