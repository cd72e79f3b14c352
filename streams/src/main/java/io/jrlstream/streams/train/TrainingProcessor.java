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
import java.util.ArrayList;
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
 *   <li>{@code R} + parameter block + row + generation: parameter rows with their optimiser state, each version
 *       written by the checkpoint of that generation. A checkpoint is taken after a mini-batch once
 *       {@link TrainingOptions#checkpointBatches()} batches and {@link TrainingOptions#checkpointEventsPerRow()}
 *       interactions per changed row have passed: it snapshots (encodes, a copy) the rows that changed since the
 *       previous one, so hot rows are written once per checkpoint, not once per batch, and writes them under
 *       generation committed + 1 a share per mini-batch over the next
 *       {@link TrainingOptions#checkpointSpreadBatches()} batches. The committed checkpoint is, for each row, its
 *       version with the highest generation up to {@code M generation}; versions of the generation being written
 *       never overwrite those, so it stays whole until the new one commits. No checkpoint is due while one is
 *       being written.
 *   <li>{@code M} + name: the first input offset ever trained ({@code origin}), the last one processed
 *       ({@code position}, written per record but coalesced by the store's cache to one write per commit), and
 *       the committed checkpoint's generation and counters (its offset, events, batches, optimiser steps),
 *       written, all of them, in the mini-batch that writes its last row.
 * </ul>
 * Once a generation commits, the versions it superseded are deleted, a share per batch too; the restore deletes
 * (with the next checkpoint, before it commits) any superseded version a crash left and every version above the
 * committed generation (a checkpoint interrupted while being written). Until written, the snapshot holds encoded
 * copies of its rows in memory (3.6 KB per row of the review view at K=300 with Adam state), released as they
 * are written.
 * Restoring re-reads the input from {@code origin} to {@code position}: it rebuilds the structure (id indices,
 * vocabulary with its evictions, negative sampler) from the events up to the checkpoint, loads the checkpoint's
 * rows, then re-trains the events after it (the half-collected mini-batch included). Training is deterministic
 * (count-based batches, seeds from sequence numbers), so the result is bit-identical to the state before the
 * crash. Restart cost grows with the history (observe steps only, no training before the checkpoint);
 * checkpointing the structure too is future work. When the checkpoints fall depends on the input and, after a
 * crash during a checkpoint's writes, on the restart (it starts again from the committed one); training does not.
 *
 * <p>Publication ({@link TrainingOptions#publishIntervalMs()}): changed rows are forwarded after a batch
 * once the interval has passed since the last publication, by a wall-clock punctuation otherwise, and
 * always right before a checkpoint's snapshot. So every row changed before the last committed checkpoint was
 * published in the transaction that took its snapshot, no later than the one that committed it, and every row
 * changed after it is changed again when a restart re-trains those events, and published then: a crash may
 * publish a vector twice, never lose its latest value. With an interval of 0 each batch's rows are published in
 * the {@code process} call that trains it, hence in the same transaction, and a restart publishes nothing twice:
 * the committed embedding log is exactly that of an uninterrupted run.
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
  private static final Bytes GENERATION = metaKey("generation");
  /** {@code R}, block, row, generation. */
  private static final int ROW_KEY_BYTES = 10;

  private static final java.util.concurrent.atomic.AtomicLong CHECKPOINTS = new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.concurrent.atomic.AtomicLong RESTORES = new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.concurrent.atomic.AtomicLong RESTORE_NANOS =
      new java.util.concurrent.atomic.AtomicLong();
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
  /** Committed checkpoint generation (0: none yet). */
  private int committedGeneration;
  /** Per block, the generation of each row's version in the committed checkpoint (0: none stored). */
  private int[][] storedGenerations = new int[0][];
  /** Row versions the restore found superfluous, deleted by the next checkpoint before it commits. */
  private final List<Bytes> garbage = new ArrayList<>();
  /** The checkpoint being written, null when none is. */
  private PendingCheckpoint pending;
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
      } else if (pending != null) {
        pending.step();
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
    if (pending != null) {
      return false;
    }
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

  /**
   * Takes a checkpoint's snapshot: encodes every row changed since the previous one (a copy, written later by
   * {@link PendingCheckpoint#step}) and drains the dirty sets, then writes the first share of it.
   */
  private void checkpoint() {
    List<Param> params = trainer.view().params();
    int n = 0;
    for (Param p : params) {
      n += p.value().dirtyCount();
    }
    int[] blocks = new int[n];
    int[] rows = new int[n];
    byte[][] values = new byte[n][];
    int[] k = {0};
    int superseded = 0;
    for (int b = 0; b < params.size(); b++) {
      Param p = params.get(b);
      int block = b;
      p.value().drainDirty(row -> {
        blocks[k[0]] = block;
        rows[k[0]] = row;
        values[k[0]++] = RowCodec.encode(p, row);
      });
    }
    for (int i = 0; i < n; i++) {
      superseded += storedGeneration(blocks[i], rows[i]) > 0 ? 1 : 0;
    }
    checkpointedBatches = trainer.batches();
    checkpointedSequence = trainer.sequence();
    recordSizes();
    int spread = Math.min(options.checkpointSpreadBatches(), options.checkpointBatches());
    long ops = garbage.size() + (long) n + superseded;
    int perBatch = (int) Math.min(Integer.MAX_VALUE, spread <= 1 ? ops : (ops + spread - 1) / spread);
    pending = new PendingCheckpoint(committedGeneration + 1, position, checkpointedSequence, checkpointedBatches,
        trainer.view().optimizer().steps(), blocks, rows, values, new ArrayList<>(garbage), Math.max(1, perBatch));
    garbage.clear();
    pending.step();
  }

  /**
   * A checkpoint being written: its snapshot of the changed rows and counters, and how far the store has got.
   * Each {@link #step} (one per mini-batch) does at most {@code perBatch} store operations, in this order:
   * delete the versions the restore found superfluous (superseded, or left by an interrupted checkpoint with a
   * generation above the committed one, which must be gone before this generation commits: re-training after the
   * restart changes those rows again, so this snapshot re-writes them anyway, but correctness does not rest on
   * that), put the snapshot's
   * rows under the new generation, commit it (the meta counters, in the step that puts the last row), delete the
   * versions it superseded.
   */
  private final class PendingCheckpoint {
    final int generation;
    final long offset;
    final long sequence;
    final long batches;
    final long steps;
    final int[] blocks;
    final int[] rows;
    /** The encoded rows not yet written (null once written). */
    final byte[][] values;
    final List<Bytes> deletesBefore;
    final int perBatch;
    /** After the commit, the generation each written row had before (0: none). */
    int[] previous;
    int deleted;
    int written;
    int cleaned;

    PendingCheckpoint(int generation, long offset, long sequence, long batches, long steps, int[] blocks, int[] rows,
        byte[][] values, List<Bytes> deletesBefore, int perBatch) {
      this.generation = generation;
      this.offset = offset;
      this.sequence = sequence;
      this.batches = batches;
      this.steps = steps;
      this.blocks = blocks;
      this.rows = rows;
      this.values = values;
      this.deletesBefore = deletesBefore;
      this.perBatch = perBatch;
    }

    /** Does this mini-batch's share; clears {@link #pending} once everything is done. */
    void step() {
      int budget = perBatch;
      for (; budget > 0 && deleted < deletesBefore.size(); budget--) {
        store.delete(deletesBefore.get(deleted++));
      }
      for (; budget > 0 && written < values.length; budget--) {
        store.put(rowKey(blocks[written], rows[written], generation), values[written]);
        values[written++] = null;
      }
      if (written < values.length) {
        return;
      }
      if (previous == null) {
        commit();
      }
      for (; budget > 0 && cleaned < previous.length; cleaned++) {
        if (previous[cleaned] > 0) {
          store.delete(rowKey(blocks[cleaned], rows[cleaned], previous[cleaned]));
          budget--;
        }
      }
      while (cleaned < previous.length && previous[cleaned] == 0) {
        cleaned++;
      }
      if (cleaned == previous.length) {
        pending = null;
      }
    }

    private void commit() {
      putMeta(CHECKPOINT, offset);
      putMeta(ACCEPTED, sequence);
      putMeta(BATCHES, batches);
      putMeta(STEPS, steps);
      putMeta(GENERATION, generation);
      committedGeneration = generation;
      previous = new int[rows.length];
      for (int i = 0; i < rows.length; i++) {
        previous[i] = storedGeneration(blocks[i], rows[i]);
        setStoredGeneration(blocks[i], rows[i], generation);
      }
      CHECKPOINTS.incrementAndGet();
      CHECKPOINT_ROWS.addAndGet(rows.length);
    }
  }

  private int storedGeneration(int block, int row) {
    int[] g = block < storedGenerations.length ? storedGenerations[block] : null;
    return g != null && row < g.length ? g[row] : 0;
  }

  private void setStoredGeneration(int block, int row, int generation) {
    if (block >= storedGenerations.length) {
      storedGenerations = java.util.Arrays.copyOf(storedGenerations, block + 1);
    }
    int[] g = storedGenerations[block];
    if (g == null || row >= g.length) {
      g = java.util.Arrays.copyOf(g == null ? new int[0] : g, Math.max(row + 1, g == null ? 16 : g.length * 2));
      storedGenerations[block] = g;
    }
    g[row] = generation;
  }

  private void restore(int partition) {
    long t0 = System.nanoTime();
    // Only the review view reads texts, and only those of the reviews it keeps vectors of.
    content = new StreamContent(io.jrlstream.core.view.ReviewView.NAME.equals(viewName), config.review().window());
    View view = ViewFactory.create(viewName, config, content);
    trainer = new StreamingTrainer(view, config.seed(), options.batchSize());
    pending = null;
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
    long nanos = System.nanoTime() - t0;
    RESTORES.incrementAndGet();
    RESTORE_NANOS.addAndGet(nanos);
    if (origin >= 0) {
      String upTo = checkpointed < 0 ? "no checkpoint yet"
          : checkpointedSequence + " interactions observed up to the checkpoint at offset " + checkpointed;
      LOG.info("view {}: restored in {} ms from its input's offsets {}..{}: {}, {} re-trained after it", viewName,
          nanos / 1_000_000, origin, position, upTo, trainer.sequence() - checkpointedSequence);
    }
  }

  /** Restores (task initialisations) done by every training processor of this JVM so far (for benchmarks). */
  public static long restores() {
    return RESTORES.get();
  }

  /** Wall time those restores took, in nanoseconds. */
  public static long restoreNanos() {
    return RESTORE_NANOS.get();
  }

  /**
   * Loads the committed checkpoint: of each row, the stored version with the highest generation up to the
   * committed one. Every other version (superseded, or written by a checkpoint that did not commit) is queued
   * for deletion by the next checkpoint.
   */
  private void loadCheckpoint(View view) {
    List<Param> params = view.params();
    committedGeneration = (int) getMeta(GENERATION, 0);
    storedGenerations = new int[params.size()][];
    garbage.clear();
    try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(new byte[] {ROW}),
        new org.apache.kafka.common.serialization.BytesSerializer())) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        if (kv.key.get().length != ROW_KEY_BYTES) {
          throw new IllegalStateException("store " + storeName + " holds a row key of " + kv.key.get().length
              + " bytes, not " + ROW_KEY_BYTES + ": written by an older layout; reset the application's state");
        }
        ByteBuffer k = ByteBuffer.wrap(kv.key.get());
        k.get();
        int block = k.get();
        int row = k.getInt();
        int generation = k.getInt();
        int stored = storedGeneration(block, row);
        if (generation > committedGeneration || generation < stored) {
          garbage.add(kv.key);
        } else {
          if (stored > 0) {
            garbage.add(rowKey(block, row, stored));
          }
          RowCodec.decode(params.get(block), row, kv.value);
          setStoredGeneration(block, row, generation);
        }
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

  private static Bytes rowKey(int block, int row, int generation) {
    return Bytes.wrap(ByteBuffer.allocate(ROW_KEY_BYTES).put(ROW).put((byte) block).putInt(row).putInt(generation)
        .array());
  }

  private static Bytes metaKey(String name) {
    byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(1 + n.length).put(META).put(n).array());
  }
}
