package io.jrlstream.core.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateReader;
import io.jrlstream.core.state.StateWriter;
import io.jrlstream.core.view.StreamSettings;
import io.jrlstream.core.view.View;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Trains one view in a single pass over an unbounded stream (DESIGN.md §2 "Training state"): each event
 * is observed when it arrives (vocabulary, tables and negative sampler grow), joins the pending
 * mini-batch, and the batch trains when it holds {@code batchSize} events. Batch boundaries are
 * count-based and every random draw is seeded from (seed, view, sequence number), so the same events in
 * the same order give bit-identical parameters — in the Kafka Streams processor, after a crash and
 * replay, and in an offline one-pass run alike.
 *
 * <p>Learning from one pass (DESIGN.md §2 "Learning from a stream"): the constructor switches the view to its
 * {@link StreamSettings} (optimiser, L2, a constant learning rate: an unbounded stream has no "total" to decay
 * towards, and a decaying rate would stop a long-running model from adapting). A full mini-batch trains
 * {@link StreamSettings#passes()} steps over its new events, then {@link StreamSettings#replayRatio()} past
 * interactions per new one, drawn from a {@link Reservoir} of every interaction the view has seen, in further
 * mini-batches of the same size: each event trains once when it arrives and then, on average, again and again as
 * a replayed one, as multi-epoch offline training would.
 *
 * <p>State, and how a restart rebuilds it (DESIGN.md §2 "Training state": "a restart reads the latest checkpoint
 * … and only the events after it"): the caller checkpoints the view's parameter rows and structure, and this
 * trainer's own {@link #state}: the negative sampler (each user's latest {@link StreamSettings#samplerHistory()}
 * items, the seen items), the reservoir and the counters (sequence, batches, the optimiser's step count, the
 * tables' sizes). Restored from them right after a mini-batch, the trainer goes on exactly as it would have; every
 * random draw is seeded from (seed, view, sequence number), so the same events in the same order give
 * bit-identical parameters whether or not the run was interrupted. Without a checkpoint (or from a store of an older
 * layout) {@link #replay} rebuilds the structure from the events themselves instead.
 *
 * <p>Not thread-safe: one instance per view, driven by one thread (one stream task).
 */
public final class StreamingTrainer {
  /** Seed stream of the replayed interactions' draws (distinct from the new events', which use the plain seed). */
  private static final long REPLAY = 0x5E9_1A7L;
  /** Seed stream of the reservoir's replacement draws. */
  private static final long RESERVOIR = 0x5E5_E4B0L;
  private static final int FORMAT = 1;

  private final View view;
  private final StreamSettings settings;
  private final long viewSeed;
  private final long replaySeed;
  private final int batchSize;
  private final NegativeSampler sampler;
  private final Reservoir reservoir;
  private final List<Interaction> pending = new ArrayList<>();
  private final Rng rng = new Rng(0);
  private long sequence;
  private long batches;
  private long replayed;
  private double lastLoss;

  /**
   * @param view the view to train: fresh (its rows may be restored by the caller afterwards); switched to its
   *     stream settings here
   * @param seed run seed
   * @param batchSize positive interactions per mini-batch (64)
   * @throws IllegalStateException when the view has already trained
   */
  public StreamingTrainer(View view, long seed, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be ≥ 1, got " + batchSize);
    }
    this.view = view;
    view.startStream();
    this.settings = view.config().stream();
    this.viewSeed = Rng.mix(seed, Rng.hash(view.name()));
    this.replaySeed = Rng.mix(viewSeed, REPLAY);
    this.batchSize = batchSize;
    this.sampler = new NegativeSampler(settings.samplerHistory());
    this.reservoir = new Reservoir(settings.replays() ? settings.reservoir() : 0, Rng.mix(viewSeed, RESERVOIR));
  }

  public View view() {
    return view;
  }

  /** Events accepted so far (the next event's sequence number). */
  public long sequence() {
    return sequence;
  }

  /** Mini-batches applied so far. */
  public long batches() {
    return batches;
  }

  /** Past interactions replayed so far (since this instance started; not restored). */
  public long replayed() {
    return replayed;
  }

  /** The reservoir replayed interactions are drawn from. */
  public Reservoir reservoir() {
    return reservoir;
  }

  /** Mean loss per interaction of the last applied batch (its new events, first pass). */
  public double lastLoss() {
    return lastLoss;
  }

  /** The events observed but not trained yet (the half-collected batch), in order. */
  public List<Interaction> pending() {
    return Collections.unmodifiableList(pending);
  }

  /**
   * Takes the next event of the stream: observes it, adds it to the pending batch, and trains the batch
   * when it is full. Events the view does not accept are ignored (and not counted).
   *
   * @return true when this event completed (and applied) a mini-batch
   */
  public boolean accept(Interaction x) {
    if (!view.accepts(x)) {
      return false;
    }
    register(x);
    pending.add(x);
    if (pending.size() >= batchSize) {
      trainPending();
      return true;
    }
    return false;
  }

  /**
   * Rebuilds structure after a restart: registers an event that was accepted before (same order as then)
   * without training it. Events of already-applied batches pass {@code pendingBatch = false}; those of the
   * half-collected batch pass true and are trained when the batch fills up. Parameters are restored by
   * the caller afterwards.
   */
  public void replay(Interaction x, boolean pendingBatch) {
    if (!view.accepts(x)) {
      return;
    }
    register(x);
    if (pendingBatch) {
      pending.add(x);
    }
  }

  /**
   * The trainer's own state as checkpoint blocks, beyond the view's parameters and structure: the negative sampler
   * (two blocks), the reservoir, and the counters (one row: sequence, batches, the optimiser's step count and the
   * size of each of the view's tables, so that a restored table holds as many rows as before, those never changed
   * at their initial values). Checkpoint them right after a mini-batch: the half-collected batch is not part of
   * them.
   *
   * @throws IllegalStateException from the counters' {@code encode} when a mini-batch is half collected
   */
  public List<StateBlock> state() {
    String name = view.name() + ".trainer";
    List<StateBlock> out = new ArrayList<>(sampler.state(name + ".sampler"));
    out.add(reservoir.state(name + ".reservoir"));
    out.add(StateBlock.single(() -> {
      if (!pending.isEmpty()) {
        throw new IllegalStateException(name + ": checkpointed with " + pending.size() + " events of a "
            + "half-collected mini-batch, which a restore would lose");
      }
      List<Param> params = view.params();
      StateWriter w = new StateWriter(FORMAT).putLong(sequence).putLong(batches).putLong(view.optimizer().steps())
          .putInt(params.size());
      for (Param p : params) {
        w.putInt(p.value().size());
      }
      return w.toBytes();
    }, bytes -> {
      StateReader r = new StateReader(bytes, FORMAT, name + ".counters");
      sequence = r.getLong();
      batches = r.getLong();
      view.optimizer().steps(r.getLong());
      List<Param> params = view.params();
      int n = r.getInt();
      if (n != params.size()) {
        throw new IllegalStateException(name + ".counters: the checkpoint holds " + n + " tables, the view has "
            + params.size());
      }
      for (Param p : params) {
        p.value().ensure(r.getInt());
      }
    }));
    return out;
  }

  /** Restores the counters after {@link #replay}: batches applied so far. */
  public void restoreBatches(long appliedBatches) {
    this.batches = appliedBatches;
  }

  /**
   * Trains the pending events now, even though the batch is not full: the wall-clock flush option. It
   * trades determinism for freshness: where batch boundaries fall then depends on timing.
   */
  public boolean flush() {
    if (pending.isEmpty()) {
      return false;
    }
    trainPending();
    return true;
  }

  /** The negative sampler (grows with the stream). */
  public NegativeSampler sampler() {
    return sampler;
  }

  private void register(Interaction x) {
    view.observe(x);
    sampler.add(x.user(), x.item());
    reservoir.offer(x);
    sequence++;
  }

  private void trainPending() {
    int n = pending.size();
    float w = 1f / n;
    float lr = (float) settings.learningRate();
    long first = sequence - n;
    for (int pass = 0; pass < settings.passes(); pass++) {
      view.beginBatch(lr);
      double loss = 0;
      for (int i = 0; i < n; i++) {
        Interaction x = pending.get(i);
        // The first pass draws exactly as a trainer without passes did.
        rng.reseed(pass == 0 ? Rng.mix(viewSeed, first + i) : Rng.mix(viewSeed, first + i, pass));
        loss += Examples.add(view, x, sampler, rng, w);
      }
      view.applyBatch(lr);
      if (pass == 0) {
        lastLoss = loss;
      }
    }
    pending.clear();
    batches++;
    replay(first, (int) Math.round(settings.replayRatio() * n), lr);
  }

  /**
   * Trains {@code count} interactions drawn uniformly from the reservoir, in mini-batches of {@code batchSize}: the
   * j-th draw of the batch whose first event has sequence number {@code first} is seeded from (first, j).
   */
  private void replay(long first, int count, float lr) {
    int held = reservoir.size();
    if (held == 0 || count == 0) {
      return;
    }
    for (int start = 0; start < count; start += batchSize) {
      int end = Math.min(count, start + batchSize);
      float w = 1f / (end - start);
      view.beginBatch(lr);
      for (int j = start; j < end; j++) {
        rng.reseed(Rng.mix(replaySeed, first, j));
        Examples.addReplayed(view, reservoir.get(rng.nextInt(held)), sampler, rng, w);
      }
      view.applyBatch(lr);
    }
    replayed += count;
  }
}
