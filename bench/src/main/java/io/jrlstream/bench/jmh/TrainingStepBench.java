package io.jrlstream.bench.jmh;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One view's training step as the streaming trainer runs it (DESIGN.md §1 "Optimisation", §2 "Training state"):
 * 64 events through {@link StreamingTrainer#accept}, the last of which trains the mini-batch of 64 (ranking term
 * with a sampled negative, the view's own terms, L2, clipping, the optimiser's sparse row updates). The view's
 * defaults apart from K: {@code collaborative-K64} is the collaborative view at K=64, {@code rating-K300} the rating
 * view at K=300 (both their defaults).
 *
 * <p>Data: synthetic interactions at the scale of the Beauty pairs (22,363 users, 12,101 items, 9 per user, 64
 * planted clusters, stars from the clusters), so that the tables and the optimiser state are Beauty-sized; one
 * untimed pass over all of them before the timed batches registers every user and item, then the timed batches
 * cycle through the same events again, as a stream of repeat interactions. Every timed call is one whole batch.
 *
 * <p>Lifecycle: JMH creates one instance per fork and thread; {@link #setUp} builds the view and runs the untimed
 * pass. Not thread-safe ({@link Scope#Thread}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class TrainingStepBench {
  /** Positive interactions per mini-batch: the trainer's default (DESIGN.md §1, paper 5.2). */
  static final int BATCH = 64;

  /** The Beauty pairs' scale (users, items, interactions per user). */
  static final SyntheticSpec BEAUTY_SCALE = new SyntheticSpec(22_363, 12_101, 64, 9, 0, 0);

  /** The view and its dimension, as {@code VIEW-KDIM}. */
  @Param({"collaborative-K64", "rating-K300"})
  public String step;

  /** The data's shape; tests make it smaller. */
  SyntheticSpec spec = BEAUTY_SCALE;

  private StreamingTrainer trainer;
  private Interaction[] events;
  private int next;

  /** Builds the view, keeps a whole number of batches of the events it accepts, and trains them once, untimed. */
  @Setup(Level.Trial)
  public void setUp() {
    int k = step.lastIndexOf("-K");
    if (k < 1) {
      throw new IllegalArgumentException("step must be VIEW-KDIM, e.g. rating-K300, got '" + step + "'");
    }
    String view = step.substring(0, k);
    int dim = Integer.parseInt(step.substring(k + 2));
    Dataset ds = SyntheticData.generate(spec, 1L);
    ModelConfig base = ModelConfig.defaults().fittedTo(ds);
    ModelConfig cfg = base.withView(view, base.view(view).withDim(dim));
    View v = ViewFactory.create(view, cfg, ds);
    trainer = new StreamingTrainer(v, cfg.seed(), BATCH);
    Interaction[] accepted = ds.interactions().stream().filter(v::accepts).toArray(Interaction[]::new);
    int whole = accepted.length / BATCH * BATCH;
    if (whole == 0) {
      throw new IllegalStateException("the " + view + " view accepts " + accepted.length + " of the "
          + ds.interactions().size() + " events: fewer than one batch of " + BATCH);
    }
    events = new Interaction[whole];
    System.arraycopy(accepted, 0, events, 0, whole);
    for (Interaction x : events) {
      trainer.accept(x);
    }
    next = 0;
  }

  /** @return the batches applied so far (the event that completes a batch trains it inside accept) */
  @Benchmark
  public long miniBatch() {
    for (int i = 0; i < BATCH; i++) {
      trainer.accept(events[next]);
      next = next + 1 == events.length ? 0 : next + 1;
    }
    return trainer.batches();
  }

  /** @return the trainer, for tests */
  StreamingTrainer trainer() {
    return trainer;
  }
}
