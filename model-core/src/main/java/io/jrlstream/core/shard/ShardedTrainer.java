package io.jrlstream.core.shard;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.View;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntUnaryOperator;

/**
 * Simulates one view trained as N tasks with the deterministic bounded-staleness merge of docs/scaling.md, on one
 * thread, so that quality against N, s and L is measured before anything runs on Kafka (issue 16).
 *
 * <p><b>What it models.</b> Events arrive in stream order; each goes to the task owning its user ({@link
 * ShardSettings#shardOf}), as a repartition by user key would deliver it. Each task is a {@link ShardTask} (the unit
 * the Kafka processor drives too): a {@link StreamingTrainer} on its own replica of the view, with its own negative
 * sampler (the items its partition has seen) and, in the review view, its own reviews. Tasks are infinitely fast
 * compared with the arrivals: an event trains as soon as it arrives, unless its task is waiting for a merge (below), in
 * which case it queues in the task's input, as the task would leave it in its partition (or its store). So the
 * interleaving is the stream's own, and the only pacing is the merge's.
 *
 * <p><b>Rounds and merges.</b> After every s of its own mini-batches a task closes a round: its {@link Delta} (the
 * shared rows it changed, value − round base) goes to every other task. When a task closes round r + L it applies
 * merge r — the others' round-r deltas added in task order — before it trains on; if a task has not closed round r
 * yet, the others that reached that point wait (their events queue). A task's state is therefore a function of its
 * own input and the others' deltas applied at points fixed by its own input: the same whatever the interleaving
 * of the tasks (tested), which is what lets the Kafka version keep bit-identity across crashes. The end of the
 * stream acts as the flush marker every partition receives: each task trains its half-collected batch and closes a
 * last round, tasks that ran out of input count as closing empty rounds, and every task applies every outstanding
 * merge, so each replica ends with every task's changes.
 *
 * <p>A task's negative sampler draws from every item it knows: those of its own events and those whose rows a merge
 * brought (the items other tasks' partitions have seen), registered in merge order. One task draws from every item seen
 * so far; a task that knew only its own partition's items would draw its negatives from a smaller pool, early on biased
 * to the popular items (on the Beauty pairs, 4 tasks merging every batch: 0.65 % NDCG@10 instead of 0.72 %, seed 1).
 *
 * <p>With one shard it is exactly the plain streaming trainer (same seed, same calls, no rounds): bit-identical to
 * the stream protocol (tested). With more, task i's trainer seeds its draws from (seed, i), as a Kafka task seeds
 * them from its partition; every replica is built from the same seed, so shared rows start equal everywhere.
 *
 * <p>The tasks' steps are {@link ShardTask}'s; what the simulator adds is one thread's scheduling (queues, the pump)
 * and one copy of each round's deltas and index for all tasks.
 *
 * <p>Lifecycle: {@link #accept} each event in stream order, then {@link #finish} once, which returns the view to
 * score (task 0's replica, holding every task's shared changes, with each user's row copied from the task owning the
 * user). Not thread-safe.
 */
public final class ShardedTrainer {
  /**
   * What a run did, for the report and the capacity model.
   *
   * @param settings the sharding
   * @param eventsPerShard events each task received
   * @param batches mini-batches of new events, all tasks together
   * @param rounds most rounds any task closed
   * @param waitedEvents events that queued because their task was waiting for a merge
   * @param maxQueued most events queued at one task at once
   * @param deltaRows per shared table, rows in all the deltas written (one copy each)
   * @param deltaFloats floats in all the deltas written (one copy each)
   * @param deltaValueBytes bytes of those floats on the update topic (4 each, 2 under bfloat16)
   * @param heldKeys keys of rows changed but held back, in all the deltas written (one copy each; 4 bytes each)
   * @param clampedState optimiser state coordinates (sums of squares) that merges would have made negative, set to
   *     zero instead (all tasks)
   * @param largestDeltaBytes the largest single delta's rows on the update topic (values and keys; bounded by
   *     {@link ShardSettings#maxRoundBytes} plus one mini-batch's rows)
   */
  public record Stats(ShardSettings settings, long[] eventsPerShard, long batches, int rounds, long waitedEvents,
      int maxQueued, Map<String, Long> deltaRows, long deltaFloats, long deltaValueBytes, long heldKeys,
      long clampedState, long largestDeltaBytes) {
    /** Events of all tasks. */
    public long events() {
      long n = 0;
      for (long e : eventsPerShard) {
        n += e;
      }
      return n;
    }

    /**
     * Bytes written to the update topic per event: one copy of each delta row (its values, 4 or 2 bytes each, and a
     * 4-byte key) and of each held row's key.
     */
    public double deltaBytesPerEvent() {
      long keys = deltaRows.values().stream().mapToLong(Long::longValue).sum();
      return events() == 0 ? 0 : ((double) deltaValueBytes + 4.0 * (keys + heldKeys)) / events();
    }

    /** One line for a progress log. */
    public String summary() {
      StringBuilder rows = new StringBuilder();
      long batchCount = Math.max(1, batches);
      deltaRows.forEach((t, n) -> rows.append(String.format(" %s %.1f", t, n / (double) batchCount)));
      long min = Long.MAX_VALUE;
      long max = 0;
      for (long e : eventsPerShard) {
        min = Math.min(min, e);
        max = Math.max(max, e);
      }
      int k = settings.wordRounds();
      String state = (settings.optimizerState() ? "values and optimiser state" : "values only")
          + (settings.precision() == ShardSettings.Precision.BF16 ? " in bfloat16" : "")
          + (settings.threshold() > 0f ? String.format(", rows held while their change is below %s of their norm "
          + "(at most %d rounds)", settings.threshold(), settings.maxHeld()) : ", every changed row sent");
      String words = k == 0 ? "words task-local" : k == 1 ? "words every round" : "words every " + k + " rounds";
      return String.format("%d shards (events per shard %d–%d), sync every %d batches, lag %d, %s merge, %s, %s: "
          + "%d rounds; %d events waited for a merge (at most %d at one task); update traffic %.0f B per event (one "
          + "copy); %d state coordinates clamped at zero; shared rows per batch in the deltas:%s", settings.shards(),
          min, max, settings.syncBatches(), settings.lag(), settings.merge().label(), state, words, rounds,
          waitedEvents, maxQueued, deltaBytesPerEvent(), clampedState, rows);
    }
  }

  /** One task with its queued input and, in the review view, its renumbered reviews. */
  private static final class Shard {
    final ShardContent content;
    final ShardTask task;
    final ArrayDeque<Interaction> queue = new ArrayDeque<>();

    Shard(ShardContent content, ShardTask task) {
      this.content = content;
      this.task = task;
    }
  }

  private final ShardSettings settings;
  private final IntUnaryOperator owner;
  private final Shard[] shards;
  /** Round r's deltas at index r − 1, one per task (null: none yet, or an empty round). */
  private final List<Delta[]> rounds = new ArrayList<>();
  private final List<Integer> mergedBy = new ArrayList<>();
  /** Round r's index at r − 1 once some task has merged it (null before, and after every task has). */
  private final List<RoundIndex> indexes = new ArrayList<>();
  /** Deltas and indexes of fully merged rounds, reused so that a round allocates nothing in the steady state. */
  private final ArrayDeque<Delta> freeDeltas = new ArrayDeque<>();
  private final ArrayDeque<RoundIndex> freeIndexes = new ArrayDeque<>();
  private final Map<String, Long> deltaRows = new LinkedHashMap<>();
  private long deltaFloats;
  private long deltaValueBytes;
  private long heldKeys;
  private long largestDeltaBytes;
  private long waitedEvents;
  private int maxQueued;
  private boolean done;

  /**
   * @param newView makes a fresh replica of the view reading the given content (called once per task, in task order;
   *     every call must build the same view from the same seed)
   * @param content the stream's content (review texts, item features)
   * @param seed run seed
   * @param batchSize positive interactions per mini-batch
   * @param settings shards, sync interval, lag
   */
  public ShardedTrainer(Function<Content, View> newView, Content content, long seed, int batchSize,
      ShardSettings settings) {
    this(newView, content, seed, batchSize, settings, u -> settings.shardOf(u, seed));
  }

  /**
   * As {@link #ShardedTrainer(Function, Content, long, int, ShardSettings)}, with the users partitioned by
   * {@code owner} (user index → task) instead of {@link ShardSettings#shardOf}: e.g. Kafka's partitioner of the user
   * key, to reproduce a Kafka run's tasks.
   */
  public ShardedTrainer(Function<Content, View> newView, Content content, long seed, int batchSize,
      ShardSettings settings, IntUnaryOperator owner) {
    this.settings = settings;
    this.owner = owner;
    int n = settings.shards();
    this.shards = new Shard[n];
    for (int i = 0; i < n; i++) {
      ShardContent c = n == 1 ? null : new ShardContent(content);
      View v = newView.apply(n == 1 ? content : c);
      shards[i] = new Shard(c, new ShardTask(i, v, seed, batchSize, settings));
    }
    if (n > 1) {
      for (String t : shards[0].task.tableNames()) {
        deltaRows.put(t, 0L);
      }
    }
  }

  public ShardSettings settings() {
    return settings;
  }

  /** Task i's trainer (its replica is {@code trainer(i).view()}). */
  public StreamingTrainer trainer(int i) {
    return shards[i].task.trainer();
  }

  /** The task that owns user (where its events train and its row lives). */
  public int shardOf(int user) {
    return owner.applyAsInt(user);
  }

  /** Takes the stream's next event: its task trains it now, or queues it while the task waits for a merge. */
  public void accept(Interaction x) {
    if (done) {
      throw new IllegalStateException("the sharded trainer has finished: no more events");
    }
    Shard sh = shards[shardOf(x.user())];
    Interaction local = sh.content == null ? x : sh.content.localise(x);
    if (sh.task.waitingFor() > 0 || !sh.queue.isEmpty()) {
      sh.queue.add(local);
      waitedEvents++;
      maxQueued = Math.max(maxQueued, sh.queue.size());
      return;
    }
    if (step(sh, local)) {
      pump();
    }
  }

  /**
   * Ends the stream (see the class doc) and returns the view to score: task 0's replica, with every task's shared
   * changes and each user's row from the task owning the user. The trainer takes no events afterwards.
   */
  public View finish() {
    if (done) {
      throw new IllegalStateException("finish() was called already");
    }
    done = true;
    if (shards.length == 1) {
      shards[0].task.endEpoch(null);
      return shards[0].task.trainer().view();
    }
    pump();
    boolean open = true;
    while (open) {
      open = false;
      for (Shard sh : shards) {
        if (!sh.task.ended() && sh.task.waitingFor() == 0 && sh.queue.isEmpty()) {
          Delta free = freeDeltas.poll();
          Delta d = sh.task.endEpoch(free);
          if (d != null) {
            record(sh, d);
          } else if (free != null) {
            freeDeltas.add(free);
          }
        }
      }
      pump();
      for (Shard sh : shards) {
        open |= !sh.task.ended();
      }
    }
    for (Shard sh : shards) {
      while (sh.task.merged() < rounds.size()) {
        merge(sh, sh.task.merged() + 1);
      }
    }
    View scored = shards[0].task.trainer().view();
    for (int i = 1; i < shards.length; i++) {
      View v = shards[i].task.trainer().view();
      for (int u = 0; u < v.users().size(); u++) {
        if (shardOf(u) == i) {
          scored.users().set(u, v.users().row(u));
        }
      }
    }
    return scored;
  }

  /** What the run did so far. */
  public Stats stats() {
    long[] events = new long[shards.length];
    long batches = 0;
    int closed = 0;
    long clamped = 0;
    for (int i = 0; i < shards.length; i++) {
      ShardTask t = shards[i].task;
      events[i] = t.events();
      batches += t.trainer().batches();
      closed = Math.max(closed, t.closed());
      clamped += t.clamped();
    }
    return new Stats(settings, events, batches, closed, waitedEvents, maxQueued,
        Collections.unmodifiableMap(new LinkedHashMap<>(deltaRows)), deltaFloats, deltaValueBytes, heldKeys,
        clamped, largestDeltaBytes);
  }

  /** Trains x at its task; true when that closed a round. */
  private boolean step(Shard sh, Interaction x) {
    if (!sh.task.train(x)) {
      return false;
    }
    record(sh, sh.task.closeRound(false, freeDeltas.poll()));
    tryMerge(sh);
    return true;
  }

  /** Files the round delta sh's task just closed (its round {@code closed()}) and counts its traffic. */
  private void record(Shard sh, Delta d) {
    int r = sh.task.closed();
    while (rounds.size() < r) {
      rounds.add(new Delta[shards.length]);
      mergedBy.add(0);
      indexes.add(null);
    }
    rounds.get(r - 1)[sh.task.index()] = d;
    int t = 0;
    for (Map.Entry<String, Long> e : deltaRows.entrySet()) {
      e.setValue(e.getValue() + d.count(t++));
    }
    deltaFloats += d.floats();
    deltaValueBytes += d.valueBytes();
    heldKeys += d.heldKeys();
    largestDeltaBytes = Math.max(largestDeltaBytes, d.bytes());
  }

  /** Every task has closed round r, or has ended its input (an empty round). */
  private boolean complete(int r) {
    for (Shard sh : shards) {
      if (sh.task.closed() < r && !sh.task.ended()) {
        return false;
      }
    }
    return true;
  }

  private void tryMerge(Shard sh) {
    int r = sh.task.waitingFor();
    if (r > 0 && complete(r)) {
      merge(sh, r);
    }
  }

  /** Applies merge r at sh: every task's round-r delta, in task order, indexed once for all tasks. */
  private void merge(Shard sh, int r) {
    Delta[] ds = rounds.get(r - 1);
    RoundIndex index = indexes.get(r - 1);
    if (index == null) { // the round is complete: every task's delta is in
      RoundIndex free = freeIndexes.poll();
      index = (free != null ? free : new RoundIndex()).index(ds);
      if (settings.merge() == ShardSettings.Merge.MEAN) {
        index.mean();
      }
      indexes.set(r - 1, index);
    }
    sh.task.merge(r, index);
    int by = mergedBy.get(r - 1) + 1;
    mergedBy.set(r - 1, by);
    if (by == shards.length) { // every task has it: recycle the deltas and the index
      for (Delta d : ds) {
        if (d != null) {
          freeDeltas.add(d);
        }
      }
      freeIndexes.add(index);
      rounds.set(r - 1, new Delta[0]);
      indexes.set(r - 1, null);
    }
  }

  /** Lets every task whose merge is complete apply it and train its queued events, until nothing moves. */
  private void pump() {
    boolean moved = true;
    while (moved) {
      moved = false;
      for (Shard sh : shards) {
        if (sh.task.waitingFor() > 0) {
          tryMerge(sh);
          if (sh.task.waitingFor() > 0) {
            continue;
          }
          moved = true;
        }
        while (sh.task.waitingFor() == 0 && !sh.queue.isEmpty()) {
          step(sh, sh.queue.poll());
          moved = true;
        }
      }
    }
  }
}
