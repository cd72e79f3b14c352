package io.jrlstream.streams.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.RowCodec;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.core.data.IdIndex;
import io.jrlstream.core.param.Table;
import io.jrlstream.schemas.EntityKind;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.schemas.codec.EmbeddingCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one view from its single-partition input, the validated topic (DESIGN.md §2 "Training state",
 * "Parallelism" phase 1), and forwards the user and item vectors the mini-batches changed, as
 * single-object-encoded {@link io.jrlstream.schemas.EmbeddingRecord}s (written by {@link EmbeddingCodec} straight
 * from the parameter rows). Input values are single-object-encoded {@link TrainingEvent}s; events the view does
 * not learn from ({@link TrainingTopology#feeds}) only advance its position.
 *
 * <p>State lives in one RocksDB-backed key-value store with a changelog, as a checkpoint plus a position in the
 * input, so that everything a commit covers can be rebuilt exactly after a crash. The input topic itself is the
 * event log ({@link EventHistory}): nothing of an event is written to the store.
 * <ul>
 *   <li>{@code R} + parameter block + row: the parameter rows with their optimiser state as of the last
 *       checkpoint, taken after a mini-batch once {@link TrainingOptions#checkpointBatches()} batches and
 *       {@link TrainingOptions#checkpointEventsPerRow()} interactions per changed row have passed (only rows that
 *       changed since the previous checkpoint are written, so hot rows are written once per checkpoint, not once
 *       per batch).
 *   <li>{@code M} + name: the first input offset ever trained ({@code origin}), the last one processed
 *       ({@code position}, written per record but coalesced by the store's cache to one write per commit), and
 *       the checkpoint's counters (its offset, events, batches, optimiser steps).
 * </ul>
 * Restoring re-reads the input from {@code origin} to {@code position}: it rebuilds the structure (id indices,
 * vocabulary with its evictions, negative sampler) from the events up to the checkpoint, loads the checkpoint's
 * rows, then re-trains the events after it (the half-collected mini-batch included). Training is deterministic
 * (count-based batches, seeds from sequence numbers), so the result is bit-identical to the state before the
 * crash. Restart cost grows with the history (observe steps only, no training before the checkpoint);
 * checkpointing the structure too is future work.
 *
 * <p>Publication ({@link TrainingOptions#publishIntervalMs()}): changed rows are forwarded after a batch
 * once the interval has passed since the last publication, by a wall-clock punctuation otherwise, and
 * always right before a checkpoint. So every row changed before the last checkpoint was published in the
 * same transaction as the checkpoint, and every row changed after it is changed again when a restart
 * re-trains those events, and published then: a crash may publish a vector twice, never lose its latest
 * value. With an interval of 0 each batch's rows are published in the {@code process} call that trains it,
 * hence in the same transaction, and a restart publishes nothing twice: the committed embedding log is
 * exactly that of an uninterrupted run.
 *
 * <p>Lifecycle: Kafka Streams calls {@link #init} once per task assignment (restoring state), then
 * {@link #process} per record on the stream thread; not thread-safe.
 */
public final class TrainingProcessor implements Processor<String, byte[], String, byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingProcessor.class);
  private static final byte ROW = 'R';
  private static final byte META = 'M';
  private static final Bytes ORIGIN = metaKey("origin");
  private static final Bytes POSITION = metaKey("position");
  private static final Bytes CHECKPOINT = metaKey("checkpoint");
  private static final Bytes ACCEPTED = metaKey("accepted");
  private static final Bytes BATCHES = metaKey("batches");
  private static final Bytes STEPS = metaKey("steps");

  private static final java.util.concurrent.atomic.AtomicLong CHECKPOINTS = new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.concurrent.atomic.AtomicLong CHECKPOINT_ROWS =
      new java.util.concurrent.atomic.AtomicLong();

  private final String viewName;
  private final ModelConfig config;
  private final TrainingOptions options;
  private final String storeName;
  private final EventHistory history;
  private final AvroCodec<TrainingEvent> codec = AvroCodec.of(TrainingEvent.class);
  private final EmbeddingCodec embeddings = EmbeddingCodec.create();

  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<Bytes, byte[]> store;
  private StreamContent content;
  private StreamingTrainer trainer;
  /** First input offset trained, -1 before any. */
  private long origin;
  /** Last input offset processed, -1 before any. */
  private long position;
  private long undecodable;
  /** Batches and accepted interactions at the last checkpoint. */
  private long checkpointedBatches;
  private long checkpointedSequence;
  /** Rows of each parameter block at the last checkpoint. */
  private int[] checkpointedSizes = new int[0];
  /** Record timestamp of the event that completed the latest mini-batch (carried by published vectors). */
  private long batchTimestamp;
  private long lastPublishMs;

  /**
   * @param viewName the view this processor trains
   * @param config model configuration (the view's settings and the run seed)
   * @param options batch size, checkpoint and publication intervals
   * @param storeName the view's state store (see {@link #storeName(String)})
   * @param history the processor's input topic, re-read on restore
   */
  public TrainingProcessor(String viewName, ModelConfig config, TrainingOptions options, String storeName,
      EventHistory history) {
    this.viewName = viewName;
    this.config = config;
    this.options = java.util.Objects.requireNonNull(options, "options");
    this.storeName = storeName;
    this.history = java.util.Objects.requireNonNull(history, "history");
  }

  /** The state store name of a view's trainer. */
  public static String storeName(String view) {
    return "jrl-train-" + view;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    restore(context.taskId().partition());
    lastPublishMs = context.currentSystemTimeMs();
    if (options.publishIntervalMs() > 0) {
      context.schedule(Duration.ofMillis(options.publishIntervalMs()), PunctuationType.WALL_CLOCK_TIME,
          now -> publish());
    }
  }

  /** Checkpoints taken by every training processor of this JVM so far (for benchmarks). */
  public static long checkpoints() {
    return CHECKPOINTS.get();
  }

  /** Rows written by those checkpoints. */
  public static long checkpointedRows() {
    return CHECKPOINT_ROWS.get();
  }

  /** The trainer (for tests and metrics). */
  StreamingTrainer trainer() {
    return trainer;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    long offset = context.recordMetadata().orElseThrow(
        () -> new IllegalStateException("a training processor needs its input's offsets")).offset();
    if (origin < 0) {
      origin = offset;
      putMeta(ORIGIN, offset);
    }
    position = offset;
    putMeta(POSITION, offset);
    Interaction x = interaction(offset, record.value());
    if (x != null && trainer.accept(x)) {
      batchTimestamp = record.timestamp();
      boolean checkpointDue = checkpointDue();
      if (checkpointDue || context.currentSystemTimeMs() - lastPublishMs >= options.publishIntervalMs()) {
        publish();
      }
      if (checkpointDue) {
        checkpoint();
      }
    }
  }

  /**
   * The interaction an input record brings to the view (its ids registered in the view's content), or null when
   * the view does not learn from it. Undecodable bytes (the validated topic holds only what ingestion encoded, so
   * only a foreign writer puts them there) are skipped with a warning, the same way live and on restore.
   */
  private Interaction interaction(long offset, byte[] value) {
    TrainingEvent e;
    try {
      e = codec.decode(value);
    } catch (RuntimeException ex) {
      if (undecodable++ == 0 || Long.bitCount(undecodable) == 1) {
        LOG.warn("view {}: skipping undecodable input at offset {} ({} so far): {}", viewName, offset, undecodable,
            ex.getMessage());
      }
      return null;
    }
    return TrainingTopology.feeds(viewName, e) ? content.apply(e) : null;
  }

  /**
   * Whether to checkpoint after the batch just trained: {@code checkpointBatches} batches since the last one, and
   * with {@code checkpointEventsPerRow} n > 0, at least n interactions since then per row it would write again
   * (rows that existed at the last checkpoint; rows created since are written once whenever it comes). A function
   * of the input alone, like the training.
   */
  private boolean checkpointDue() {
    if (trainer.batches() - checkpointedBatches < options.checkpointBatches()) {
      return false;
    }
    if (options.checkpointEventsPerRow() == 0) {
      return true;
    }
    List<Param> params = trainer.view().params();
    long rewritten = 0;
    for (int b = 0; b < params.size(); b++) {
      Table t = params.get(b).value();
      long created = Math.max(0, t.size() - (b < checkpointedSizes.length ? checkpointedSizes[b] : 0));
      rewritten += Math.max(0, t.dirtyCount() - created);
    }
    return trainer.sequence() - checkpointedSequence >= rewritten * options.checkpointEventsPerRow();
  }

  private void recordSizes() {
    List<Param> params = trainer.view().params();
    checkpointedSizes = new int[params.size()];
    for (int b = 0; b < params.size(); b++) {
      checkpointedSizes[b] = params.get(b).value().size();
    }
  }

  /** Writes every row changed since the last checkpoint, then the counters that make it a checkpoint. */
  private void checkpoint() {
    List<Param> params = trainer.view().params();
    for (int b = 0; b < params.size(); b++) {
      Param p = params.get(b);
      int block = b;
      CHECKPOINT_ROWS.addAndGet(p.value().dirtyCount());
      p.value().drainDirty(row -> store.put(rowKey(block, row), RowCodec.encode(p, row)));
    }
    CHECKPOINTS.incrementAndGet();
    checkpointedBatches = trainer.batches();
    checkpointedSequence = trainer.sequence();
    recordSizes();
    putMeta(CHECKPOINT, position);
    putMeta(ACCEPTED, checkpointedSequence);
    putMeta(BATCHES, checkpointedBatches);
    putMeta(STEPS, trainer.view().optimizer().steps());
  }

  private void restore(int partition) {
    // Only the review view reads texts, and only those of the reviews it keeps vectors of.
    content = new StreamContent(io.jrlstream.core.view.ReviewView.NAME.equals(viewName), config.review().window());
    View view = ViewFactory.create(viewName, config, content);
    trainer = new StreamingTrainer(view, config.seed(), options.batchSize());
    origin = getMeta(ORIGIN, -1);
    position = getMeta(POSITION, -1);
    long checkpointed = getMeta(CHECKPOINT, -1);
    boolean[] loaded = {false};
    if (origin >= 0) {
      history.read(partition, origin, position, (offset, value) -> {
        if (!loaded[0] && offset > checkpointed) {
          loadCheckpoint(view);
          loaded[0] = true;
        }
        Interaction x = interaction(offset, value);
        if (x == null) {
          return;
        }
        if (loaded[0]) {
          // Re-train what followed the checkpoint. Published after every batch, its output was committed with
          // it; coalesced, its rows are published again (see the class doc).
          if (trainer.accept(x) && options.publishIntervalMs() == 0) {
            trainer.view().users().tick();
            trainer.view().items().tick();
          }
        } else {
          trainer.replay(x, false);
        }
      });
    }
    if (!loaded[0]) {
      loadCheckpoint(view);
    }
  }

  private void loadCheckpoint(View view) {
    List<Param> params = view.params();
    try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(new byte[] {ROW}),
        new org.apache.kafka.common.serialization.BytesSerializer())) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        ByteBuffer k = ByteBuffer.wrap(kv.key.get());
        k.get();
        int block = k.get();
        int row = k.getInt();
        RowCodec.decode(params.get(block), row, kv.value);
      }
    }
    for (Param p : params) {
      p.value().drainDirty(r -> { });
      p.value().tick(); // the checkpoint's rows were published with it
    }
    view.optimizer().steps(getMeta(STEPS, 0));
    checkpointedBatches = getMeta(BATCHES, 0);
    checkpointedSequence = getMeta(ACCEPTED, 0);
    recordSizes();
    trainer.restoreBatches(checkpointedBatches);
  }

  /**
   * Forwards the vector of every user and item changed since the last publication, then starts the next
   * publication period.
   */
  private void publish() {
    View view = trainer.view();
    publish(view, view.users(), EntityKind.USER, content.users());
    publish(view, view.items(), EntityKind.ITEM, content.items());
    view.users().tick();
    view.items().tick();
    lastPublishMs = context.currentSystemTimeMs();
  }

  private void publish(View view, Table table, EntityKind kind, IdIndex ids) {
    String prefix = kind + ":";
    table.forEachChangedSinceTick(row -> {
      if (row < ids.size()) { // rows reserved beyond known ids carry no entity yet
        String id = ids.id(row);
        byte[] value = embeddings.encode(view.name(), kind, id, table.row(row), trainer.batches(), batchTimestamp);
        context.forward(new Record<>(prefix + id, value, batchTimestamp));
      }
    });
  }

  private long getMeta(Bytes key, long absent) {
    byte[] v = store.get(key);
    return v == null ? absent : ByteBuffer.wrap(v).getLong();
  }

  private void putMeta(Bytes key, long value) {
    store.put(key, ByteBuffer.allocate(8).putLong(value).array());
  }

  private static Bytes rowKey(int block, int row) {
    return Bytes.wrap(ByteBuffer.allocate(6).put(ROW).put((byte) block).putInt(row).array());
  }

  private static Bytes metaKey(String name) {
    byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(1 + n.length).put(META).put(n).array());
  }
}
