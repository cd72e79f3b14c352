package io.jrlstream.core.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
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
 * <p>Streaming learning-rate schedule: constant at the view's lr0 (an unbounded stream has no "total" to
 * decay towards; a decaying rate would stop a long-running model from adapting).
 *
 * <p>Not thread-safe: one instance per view, driven by one thread (one stream task).
 */
public final class StreamingTrainer {
  private final View view;
  private final long viewSeed;
  private final int batchSize;
  private final NegativeSampler sampler = new NegativeSampler();
  private final List<Interaction> pending = new ArrayList<>();
  private final Rng rng = new Rng(0);
  private long sequence;
  private long batches;
  private double lastLoss;

  /**
   * @param view the view to train (fresh, or restored by the caller)
   * @param seed run seed
   * @param batchSize positive interactions per mini-batch (64)
   */
  public StreamingTrainer(View view, long seed, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be ≥ 1, got " + batchSize);
    }
    this.view = view;
    this.viewSeed = Rng.mix(seed, Rng.hash(view.name()));
    this.batchSize = batchSize;
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

  /** Mean loss per interaction of the last applied batch. */
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
    sequence++;
  }

  private void trainPending() {
    int n = pending.size();
    float w = 1f / n;
    float lr = (float) view.config().learningRate();
    long first = sequence - n;
    view.beginBatch(lr);
    double loss = 0;
    for (int i = 0; i < n; i++) {
      Interaction x = pending.get(i);
      rng.reseed(Rng.mix(viewSeed, first + i));
      loss += Examples.add(view, x, sampler, rng, w);
    }
    view.applyBatch(lr);
    pending.clear();
    batches++;
    lastLoss = loss;
  }
}
