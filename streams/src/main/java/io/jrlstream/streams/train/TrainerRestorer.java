package io.jrlstream.streams.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.core.view.ViewKind;
import io.jrlstream.streams.ingest.FlushMarkers;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a view's trainer when its task starts (DESIGN.md §2 "Training state"): re-reads the input from the first
 * offset the view ever trained to the last one its store covers, rebuilding the structure (id indices, vocabulary
 * with its evictions, negative sampler, review window) from the events up to the checkpoint, loads the checkpoint's
 * rows, then re-trains the events after it (the half-collected mini-batch included). Training is deterministic
 * (count-based batches, seeds from sequence numbers), so the result is bit-identical to the state before a crash.
 * Restart cost grows with the history (observe steps only, no training before the checkpoint).
 *
 * <p>Stateless; called on the task's stream thread from {@link TrainingProcessor#init}.
 */
final class TrainerRestorer {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerRestorer.class);

  /**
   * A restored view: its content, trainer, input reader, and the blocks its checkpoints store.
   */
  record Restored(StreamContent content, StreamingTrainer trainer, ViewInput input, List<StateBlock> blocks) {}

  private TrainerRestorer() {}

  /**
   * Restores {@code view} from its checkpoint store and the event history of its input {@code partition}. With a
   * publication interval of 0 every batch re-trained here was published in the transaction that trained it, so its
   * rows are not published again.
   */
  static Restored restore(String view, ModelConfig config, TrainingOptions options, CheckpointStore store,
      EventHistory history, int partition, TrainingObserver observer) {
    long t0 = System.nanoTime();
    // Only the review view reads texts, and only those of the reviews it keeps vectors of.
    StreamContent content = new StreamContent(ViewKind.of(view).readsTexts(), config.review().window());
    View v = ViewFactory.create(view, config, content);
    StreamingTrainer trainer = new StreamingTrainer(v, config.seed(), options.batchSize());
    ViewInput input = new ViewInput(view, content);
    List<StateBlock> blocks = v.params().stream().map(StateBlock::of).toList();
    long checkpointed = store.committed().offset();
    long[] read = {0};
    boolean[] loaded = {false};
    CheckpointStore.Counters[] at = {CheckpointStore.Counters.NONE};
    if (store.origin() >= 0) {
      history.read(partition, store.origin(), store.position(), (offset, value) -> {
        read[0]++;
        if (!loaded[0] && offset > checkpointed) {
          at[0] = load(store, blocks, trainer);
          loaded[0] = true;
        }
        if (FlushMarkers.isMarker(value)) {
          // Before the checkpoint nothing trains; after it the marker cuts the batch where it did the first time.
          if (loaded[0] && trainer.flush() && options.publishIntervalMs() == 0) {
            trainer.view().users().tick();
            trainer.view().items().tick();
          }
          return;
        }
        Interaction x = input.interaction(offset, value);
        if (x == null) {
          return;
        }
        if (!loaded[0]) {
          trainer.replay(x, false);
        } else if (trainer.accept(x) && options.publishIntervalMs() == 0) {
          // Re-train what followed the checkpoint. Published after every batch, its output was committed with it;
          // coalesced, its rows are published again (see TrainingProcessor).
          trainer.view().users().tick();
          trainer.view().items().tick();
        }
      });
    }
    if (!loaded[0]) {
      at[0] = load(store, blocks, trainer);
    }
    long nanos = System.nanoTime() - t0;
    long retrained = trainer.sequence() - at[0].sequence();
    observer.restored(view, nanos, read[0], retrained);
    if (store.origin() >= 0) {
      String upTo = checkpointed < 0 ? "no checkpoint yet"
          : at[0].sequence() + " interactions observed up to the checkpoint at offset " + checkpointed;
      LOG.info("view {}: restored in {} ms from its input's offsets {}..{}: {}, {} re-trained after it", view,
          nanos / 1_000_000, store.origin(), store.position(), upTo, retrained);
    }
    return new Restored(content, trainer, input, blocks);
  }

  /** Loads the committed checkpoint into the trainer's view; its rows were published with it. */
  private static CheckpointStore.Counters load(CheckpointStore store, List<StateBlock> blocks,
      StreamingTrainer trainer) {
    CheckpointStore.Counters c = store.load(blocks);
    for (Param p : trainer.view().params()) {
      p.value().tick();
    }
    trainer.view().optimizer().steps(c.steps());
    trainer.restoreBatches(c.batches());
    return c;
  }
}
