package io.jrlstream.streams.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.ModelSettings;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.core.view.ViewKind;
import io.jrlstream.streams.ingest.FlushMarkers;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a view's trainer when its task starts (DESIGN.md §2 "Training state": "a restart reads the latest
 * checkpoint … and only the events after it: its cost follows the state and the checkpoint interval, never the
 * length of the history"). A checkpoint holds everything the trainer needs ({@link #blocks}): the view's parameter
 * rows with their optimiser state, the view's structure (the review view's vocabulary, ring and row owners), the
 * content (id indices, lexicon, review window, features) and the trainer's own state (negative sampler, replay
 * reservoir, counters). The restore loads it, then re-reads the input from the offset after the checkpoint to the
 * last one the store covers and trains those events as they were trained the first time (the half-collected
 * mini-batch included, flush markers cutting batches where they did). Training is deterministic (count-based
 * batches, seeds from sequence numbers), so the result is bit-identical to the state before a crash. Without a
 * checkpoint it re-reads from the first offset the view trained, at most a checkpoint interval of events.
 *
 * <p>Layouts ({@link CheckpointStore#LAYOUT}): a store written before checkpoints held the structure (no layout
 * key, rows of the parameter blocks only) is restored the old way, once: the structure is rebuilt by re-reading the
 * input from the first offset ever trained up to the checkpoint (so that range must still be in the input), then
 * the checkpoint's parameter rows are loaded; every structure row is then new, and the next checkpoint writes it
 * with the current layout. So is a checkpoint whose structure was built under other settings ({@link #fingerprint}:
 * a review window, a reservoir, a vocabulary cap, a batch size changed), as every restore did before checkpoints
 * held the structure. A store of a newer layout is refused.
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
   * The blocks a view's checkpoint stores, in this order (a block's index is part of its rows' keys): the view's
   * parameters, its structure, the content, the trainer's state.
   */
  static List<StateBlock> blocks(StreamingTrainer trainer, StreamContent content) {
    List<StateBlock> b = new ArrayList<>();
    trainer.view().params().forEach(p -> b.add(StateBlock.of(p)));
    b.addAll(trainer.view().structure());
    b.addAll(content.state());
    b.addAll(trainer.state());
    return b;
  }

  /**
   * Restores {@code view} from its checkpoint store and the event history of its input {@code partition}. With a
   * publication interval of 0 every batch re-trained here was published in the transaction that trained it, so its
   * rows are not published again.
   *
   * @throws IllegalStateException when the store was written by a newer layout, or the history lacks events the
   *     restore needs (see {@link EventHistory#read})
   */
  static Restored restore(String view, ModelConfig config, TrainingOptions options, CheckpointStore store,
      EventHistory history, int partition, TrainingObserver observer) {
    long t0 = System.nanoTime();
    // Only the review view reads texts, and only those of the reviews it keeps vectors of.
    StreamContent content = new StreamContent(ViewKind.of(view).readsTexts(), config.review().window());
    View v = ViewFactory.create(view, config, content);
    StreamingTrainer trainer = new StreamingTrainer(v, config.seed(), options.batchSize());
    ViewInput input = new ViewInput(view, content);
    List<StateBlock> blocks = blocks(trainer, content);
    CheckpointStore.Counters at = store.committed();
    long[] read = {0};
    long fingerprint = fingerprint(view, config, options);
    store.checkLayout();
    boolean old = at.offset() >= 0 && (store.layout() == CheckpointStore.NO_LAYOUT
        || store.storedSettings() != fingerprint);
    store.settings(fingerprint);
    if (old) {
      at = restoreFromOrigin(store, history, partition, trainer, input, options, read);
    } else {
      at = load(store, blocks, trainer, true);
      long from = at.offset() >= 0 ? at.offset() + 1 : store.origin();
      if (store.origin() >= 0 && from <= store.position()) {
        history.read(partition, from, store.position(), (offset, value) -> {
          read[0]++;
          train(trainer, input, options, offset, value);
        });
      }
    }
    long nanos = System.nanoTime() - t0;
    long retrained = trainer.sequence() - at.sequence();
    observer.restored(view, nanos, read[0], retrained);
    if (store.origin() >= 0) {
      String how = old ? "the old way (a store without structure, or settings changed since its checkpoint): "
          + "re-read its input's offsets " + store.origin()
          + ".." + store.position() : at.offset() < 0 ? "no checkpoint yet: re-read offsets " + store.origin() + ".."
          + store.position() : "from the checkpoint at offset " + at.offset() + " (" + at.sequence()
          + " interactions), then re-read offsets " + (at.offset() + 1) + ".." + store.position();
      LOG.info("view {}: restored in {} ms {}: {} records read, {} interactions re-trained", view,
          nanos / 1_000_000, how, read[0], retrained);
    }
    return new Restored(content, trainer, input, blocks);
  }

  /**
   * What the structure in a checkpoint depends on besides the input: the view's model settings (the run file's
   * {@code jrl.model.VIEW.*} keys), the seed and the batch size.
   */
  static long fingerprint(String view, ModelConfig config, TrainingOptions options) {
    Properties all = ModelSettings.toProperties(config);
    StringBuilder b = new StringBuilder().append(config.seed()).append('/').append(options.batchSize());
    String prefix = ModelSettings.PREFIX + view + ".";
    new TreeSet<>(all.stringPropertyNames()).stream().filter(k -> k.startsWith(prefix))
        .forEach(k -> b.append('/').append(k).append('=').append(all.getProperty(k)));
    long h = Rng.hash(b.toString());
    return h == 0 ? 1 : h; // 0 reads as "none recorded"
  }

  /** Trains what one input record after the checkpoint brings, as {@link TrainingProcessor} did the first time. */
  private static void train(StreamingTrainer trainer, ViewInput input, TrainingOptions options, long offset,
      byte[] value) {
    boolean trained;
    if (FlushMarkers.isMarker(value)) {
      trained = trainer.flush(); // the marker cuts the batch where it did the first time
    } else {
      Interaction x = input.interaction(offset, value);
      trained = x != null && trainer.accept(x);
    }
    if (trained && options.publishIntervalMs() == 0) {
      // Published after every batch, its output was committed with it; coalesced, its rows are published again
      // (see TrainingProcessor).
      trainer.view().users().tick();
      trainer.view().items().tick();
    }
  }

  /**
   * The restore of a store of no layout (parameter rows only): observes the events up to the checkpoint to rebuild
   * the structure, loads the parameter rows, then trains the events after the checkpoint.
   */
  private static CheckpointStore.Counters restoreFromOrigin(CheckpointStore store, EventHistory history,
      int partition, StreamingTrainer trainer, ViewInput input, TrainingOptions options, long[] read) {
    long checkpointed = store.committed().offset();
    List<StateBlock> params = trainer.view().params().stream().map(StateBlock::of).toList();
    store.dropLayout();
    CheckpointStore.Counters[] at = {null};
    history.read(partition, store.origin(), store.position(), (offset, value) -> {
      read[0]++;
      if (at[0] == null && offset > checkpointed) {
        at[0] = load(store, params, trainer, false);
      }
      if (at[0] != null) {
        train(trainer, input, options, offset, value);
        return;
      }
      if (!FlushMarkers.isMarker(value)) { // before the checkpoint nothing trains
        Interaction x = input.interaction(offset, value);
        if (x != null) {
          trainer.replay(x, false);
        }
      }
    });
    return at[0] != null ? at[0] : load(store, params, trainer, false);
  }

  /**
   * Loads the committed checkpoint into {@code blocks}; its rows were published with it. With {@code whole}, the
   * blocks include the trainer's own, whose counters must agree with the store's; otherwise (parameter blocks of a
   * store of no layout) the counters come from the store's.
   */
  private static CheckpointStore.Counters load(CheckpointStore store, List<StateBlock> blocks,
      StreamingTrainer trainer, boolean whole) {
    CheckpointStore.Counters c = store.load(blocks, !whole);
    for (Param p : trainer.view().params()) {
      p.value().tick();
    }
    if (!whole) {
      trainer.view().optimizer().steps(c.steps());
      trainer.restoreBatches(c.batches());
    } else if (c.offset() >= 0 && (trainer.sequence() != c.sequence() || trainer.batches() != c.batches()
        || trainer.view().optimizer().steps() != c.steps())) {
      throw new IllegalStateException("view " + trainer.view().name() + ": the checkpoint's counters (" + c
          + ") disagree with its trainer state (sequence " + trainer.sequence() + ", batches " + trainer.batches()
          + ", steps " + trainer.view().optimizer().steps() + "): a damaged store; reset the application's state");
    }
    return c;
  }
}
