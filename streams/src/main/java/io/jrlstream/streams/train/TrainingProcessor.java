package io.jrlstream.streams.train;

import io.jrlstream.core.data.IdIndex;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.EntityKind;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.codec.EmbeddingCodec;
import io.jrlstream.streams.ingest.FlushMarkers;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Trains one view from its single-partition input, the validated topic (DESIGN.md §2 "Training state",
 * "Parallelism" phase 1), and forwards the user and item vectors the mini-batches changed, as
 * single-object-encoded {@link io.jrlstream.schemas.EmbeddingRecord}s (written by {@link EmbeddingCodec} straight
 * from the parameter rows). Input values are single-object-encoded {@link TrainingEvent}s; events the view does
 * not learn from ({@link TrainingTopology#feeds}) only advance its position; a flush marker (a null value, see
 * {@link FlushMarkers}) trains the half-collected mini-batch, so batch boundaries stay a function of the input.
 *
 * <p>State lives in one RocksDB-backed key-value store with a changelog, as a checkpoint plus a position in the
 * input ({@link CheckpointStore}: key layout, generations, spreading), so that everything a commit covers can be
 * rebuilt exactly after a crash. The input topic itself is the event log ({@link EventHistory}): nothing of an
 * event is written to the store, and a restore re-reads only the events after the checkpoint, which holds the whole
 * trainer ({@link TrainerRestorer#blocks}). A checkpoint is taken after a mini-batch once
 * {@link TrainingOptions#checkpointBatches()} batches and {@link TrainingOptions#checkpointEventsPerRow()}
 * interactions per changed row have passed, and written over the next {@link TrainingOptions#checkpointSpreadBatches()}
 * batches. {@link TrainerRestorer} rebuilds the trainer when the task starts.
 *
 * <p>Publication ({@link TrainingOptions#publishIntervalMs()}): rows are forwarded after a batch once the interval has
 * passed since the last publication, by a wall-clock punctuation otherwise. A publication forwards the users of the new
 * events trained since the last one ({@link FreshRows}); a refresh, once {@link TrainingOptions#publishRefreshMs()} has
 * passed and always right before a checkpoint's snapshot, forwards every row changed since the last refresh, which is
 * what replay and negative sampling moved; a publication that finds no batch applied since the previous one (the stream
 * went quiet) is a refresh too. So every row changed before the last committed checkpoint was published in the
 * transaction that took its snapshot, no later than the one that committed it, and every row changed after it is
 * changed again when a restart re-trains those events, and published then: a crash may publish a vector twice, never
 * lose its latest value. With an interval of 0 each batch's rows are published in the {@code process} call that trains
 * it, hence in the same transaction, and a restart publishes nothing twice: the committed embedding log is exactly that
 * of an uninterrupted run.
 *
 * <p>Live quality: before a sampled event trains, {@link LiveQuality} ranks its item with the view's current vectors
 * and with popularity, and reports each window to the observer ({@link TrainingOptions.Quality}).
 *
 * <p>Lifecycle: Kafka Streams calls {@link #init} once per task assignment (restoring state), then
 * {@link #process} per record on the stream thread; not thread-safe.
 */
public final class TrainingProcessor implements Processor<String, byte[], String, byte[]> {
  private final String viewName;
  private final ModelConfig config;
  private final TrainingOptions options;
  private final String storeName;
  private final EventHistory history;
  private final TrainingObserver observer;
  private final EmbeddingCodec embeddings = EmbeddingCodec.create();

  private ProcessorContext<String, byte[]> context;
  private CheckpointStore checkpoints;
  private StreamContent content;
  private StreamingTrainer trainer;
  private ViewInput input;
  private List<StateBlock> blocks;
  /** The view's live prequential quality, null when not measured. */
  private LiveQuality quality;
  /** Record timestamp of the event that completed the latest mini-batch (carried by published vectors). */
  private long batchTimestamp;
  private long lastPublishMs;
  private long lastRefreshMs;
  /** Mini-batches applied at the last publication: none since means the stream went quiet. */
  private long batchesAtLastPublish;
  /** Users of the new events since the last publication. */
  private final FreshRows fresh = new FreshRows();
  /** Sequence number up to which events are in applied batches (the observer is told the size of each batch). */
  private long trainedThrough;
  /** Rows forwarded by the publication in progress (a field: the row visitors are lambdas). */
  private int forwarded;

  /**
   * @param viewName the view this processor trains
   * @param config model configuration (the view's settings and the run seed)
   * @param options batch size, checkpoint and publication intervals
   * @param storeName the view's state store (see {@link #storeName(String)})
   * @param history the processor's input topic, whose events after the checkpoint a restore re-reads
   * @param observer told of restores and checkpoints (guarded: what it throws is logged and never stops the task)
   */
  public TrainingProcessor(String viewName, ModelConfig config, TrainingOptions options, String storeName,
      EventHistory history, TrainingObserver observer) {
    this.viewName = viewName;
    this.config = config;
    this.options = Objects.requireNonNull(options, "options");
    this.storeName = storeName;
    this.history = Objects.requireNonNull(history, "history");
    this.observer = TrainingObserver.guarded(Objects.requireNonNull(observer, "observer"));
  }

  /** The state store name of a view's trainer. */
  public static String storeName(String view) {
    return "jrl-train-" + view;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    checkpoints = new CheckpointStore(context.getStateStore(storeName), viewName, observer);
    TrainerRestorer.Restored r = TrainerRestorer.restore(viewName, config, options, checkpoints, history,
        context.taskId().partition(), observer);
    content = r.content();
    trainer = r.trainer();
    input = r.input();
    blocks = r.blocks();
    trainedThrough = trainer.sequence() - trainer.pending().size();
    quality = options.quality().sampleEvery() > 0 ? new LiveQuality(viewName, trainer, options.quality(), observer)
        : null;
    lastPublishMs = context.currentSystemTimeMs();
    lastRefreshMs = lastPublishMs;
    if (options.publishIntervalMs() > 0) {
      context.schedule(Duration.ofMillis(options.publishIntervalMs()), PunctuationType.WALL_CLOCK_TIME,
          now -> publish(false));
    }
  }

  /**
   * The last input offset covered by the committed checkpoint in a view's store (read through interactive queries),
   * -1 before the first: a restart re-reads the input from the next offset, so the offsets up to this one may be
   * deleted from the input (for operators' tools and tests).
   */
  public static long checkpointedOffset(ReadOnlyKeyValueStore<Bytes, byte[]> store) {
    return CheckpointStore.committedOffset(store);
  }

  /** The trainer (for tests). */
  StreamingTrainer trainer() {
    return trainer;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    long offset = context.recordMetadata().orElseThrow(
        () -> new IllegalStateException("a training processor needs its input's offsets")).offset();
    checkpoints.recordInput(offset);
    if (!train(offset, record.value())) {
      return;
    }
    batchTimestamp = record.timestamp();
    boolean due = checkpoints.due(blocks, trainer.batches(), trainer.sequence(), options);
    observer.batchApplied(viewName, trainer, (int) (trainer.sequence() - trainedThrough), batchTimestamp, due);
    trainedThrough = trainer.sequence();
    fresh.batchTrained();
    if (due || context.currentSystemTimeMs() - lastPublishMs >= options.publishIntervalMs()) {
      publish(due);
    }
    if (due) {
      int spread = Math.min(options.checkpointSpreadBatches(), options.checkpointBatches());
      checkpoints.take(blocks, new CheckpointStore.Counters(offset, trainer.sequence(), trainer.batches(),
          trainer.view().optimizer().steps()), spread);
    } else {
      checkpoints.step();
    }
  }

  /**
   * Trains what an input record brings: an interaction joins the pending mini-batch, a flush marker
   * ({@link FlushMarkers}) trains the half-collected one.
   *
   * @return whether a mini-batch was applied
   */
  private boolean train(long offset, byte[] value) {
    if (FlushMarkers.isMarker(value)) {
      return trainer.flush();
    }
    Interaction x = input.interaction(offset, value);
    if (x == null) {
      return false;
    }
    if (trainer.view().accepts(x)) {
      if (quality != null) {
        quality.measure(x); // before the event trains: test, then train
      }
      fresh.note(x.user());
    }
    return trainer.accept(x);
  }

  /**
   * Forwards the vectors of the users of the new events trained since the last publication, or, at a refresh (when
   * {@code force}d, once the refresh interval has passed, or when no batch was applied since the last publication),
   * of every user and item changed since the last refresh; then starts the next publication period.
   */
  private void publish(boolean force) {
    View view = trainer.view();
    long now = context.currentSystemTimeMs();
    int users;
    int items;
    // A quiet stream (no batch since the last publication) refreshes at once: the refresh interval only spaces
    // refreshes while new events keep coming, so that a stream that stops leaves nothing unpublished for long.
    boolean quiet = trainer.batches() == batchesAtLastPublish;
    if (force || quiet || options.everyPublicationRefreshes() || now - lastRefreshMs >= options.publishRefreshMs()) {
      users = publishChanged(view, view.users(), EntityKind.USER, content.users());
      items = publishChanged(view, view.items(), EntityKind.ITEM, content.items());
      view.users().tick();
      view.items().tick();
      fresh.forgetTrained();
      lastRefreshMs = now;
    } else {
      forwarded = 0;
      fresh.drainTrained(row -> forwarded += publishRow(view, view.users(), EntityKind.USER, content.users(), row));
      users = forwarded;
      items = 0;
    }
    observer.published(viewName, users, items);
    lastPublishMs = now;
    batchesAtLastPublish = trainer.batches();
  }

  /** Forwards the rows of one table changed since its last tick; returns how many. */
  private int publishChanged(View view, Table table, EntityKind kind, IdIndex ids) {
    forwarded = 0;
    table.forEachChangedSinceTick(row -> forwarded += publishRow(view, table, kind, ids, row));
    return forwarded;
  }

  /** Forwards one row's vector; returns 1, or 0 for a row reserved beyond the known ids (no entity yet). */
  private int publishRow(View view, Table table, EntityKind kind, IdIndex ids, int row) {
    if (row >= ids.size()) {
      return 0;
    }
    String id = ids.id(row);
    byte[] value = embeddings.encode(view.name(), kind, id, table.row(row), trainer.batches(), batchTimestamp);
    context.forward(new Record<>(EmbeddingKey.format(kind, id), value, batchTimestamp));
    return 1;
  }
}
