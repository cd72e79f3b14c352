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

/**
 * Trains one view from its single-partition input (DESIGN.md §2 "Training state", "Parallelism" phase 1)
 * and forwards the user and item vectors the mini-batches changed, as single-object-encoded
 * {@link io.jrlstream.schemas.EmbeddingRecord}s (written by {@link EmbeddingCodec} straight from the
 * parameter rows). Input values are single-object-encoded {@link TrainingEvent}s; the processor logs those
 * bytes as they are.
 *
 * <p>State lives in one RocksDB-backed key-value store with a changelog, as a checkpoint plus a log, so
 * that everything a commit covers can be rebuilt exactly after a crash:
 * <ul>
 *   <li>{@code E} + 8-byte sequence: the view's event log, written before the event trains. It holds the
 *       half-collected mini-batch too.
 *   <li>{@code R} + parameter block + row: the parameter rows with their optimiser state as of the last
 *       checkpoint, taken right after every {@code checkpointBatches}-th mini-batch (only rows that changed
 *       since the previous checkpoint are written, so hot rows are written once per checkpoint, not once
 *       per batch).
 *   <li>{@code M} + name: the checkpoint's counters (log position, events, batches, optimiser steps).
 * </ul>
 * Restoring replays the log's structure (id indices, vocabulary with its evictions, negative sampler) up
 * to the checkpoint, loads the checkpoint's rows, then re-trains the events logged after it. Training is
 * deterministic (count-based batches, seeds from sequence numbers), so the result is bit-identical to the
 * state before the crash. Restart cost grows with the log (observe steps only, no training before the
 * checkpoint); compacting it is future work.
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
  private static final byte EVENT = 'E';
  private static final byte ROW = 'R';
  private static final byte META = 'M';

  private final String viewName;
  private final ModelConfig config;
  private final TrainingOptions options;
  private final String storeName;
  private final AvroCodec<TrainingEvent> codec = AvroCodec.of(TrainingEvent.class);
  private final EmbeddingCodec embeddings = EmbeddingCodec.create();

  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<Bytes, byte[]> store;
  private StreamContent content;
  private StreamingTrainer trainer;
  private long logged;
  /** Record timestamp of the event that completed the latest mini-batch (carried by published vectors). */
  private long batchTimestamp;
  private long lastPublishMs;

  /**
   * @param viewName the view this processor trains
   * @param config model configuration (the view's settings and the run seed)
   * @param options batch size, checkpoint and publication intervals
   * @param storeName the view's state store (see {@link #storeName(String)})
   */
  public TrainingProcessor(String viewName, ModelConfig config, TrainingOptions options, String storeName) {
    this.viewName = viewName;
    this.config = config;
    this.options = java.util.Objects.requireNonNull(options, "options");
    this.storeName = storeName;
  }

  /** The state store name of a view's trainer. */
  public static String storeName(String view) {
    return "jrl-train-" + view;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    restore();
    lastPublishMs = context.currentSystemTimeMs();
    if (options.publishIntervalMs() > 0) {
      context.schedule(Duration.ofMillis(options.publishIntervalMs()), PunctuationType.WALL_CLOCK_TIME,
          now -> publish());
    }
  }

  /** The trainer (for tests and metrics). */
  StreamingTrainer trainer() {
    return trainer;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    TrainingEvent e = codec.decode(record.value());
    store.put(key(EVENT, logged), record.value());
    logged++;
    Interaction x = content.apply(e);
    if (x != null && trainer.accept(x)) {
      batchTimestamp = record.timestamp();
      boolean checkpointDue = trainer.batches() % options.checkpointBatches() == 0;
      if (checkpointDue || context.currentSystemTimeMs() - lastPublishMs >= options.publishIntervalMs()) {
        publish();
      }
      if (checkpointDue) {
        checkpoint();
      }
    }
  }

  /** Writes every row changed since the last checkpoint, then the counters that make it a checkpoint. */
  private void checkpoint() {
    List<Param> params = trainer.view().params();
    for (int b = 0; b < params.size(); b++) {
      Param p = params.get(b);
      int block = b;
      p.value().drainDirty(row -> store.put(rowKey(block, row), RowCodec.encode(p, row)));
    }
    putMeta("logged", logged);
    putMeta("accepted", trainer.sequence());
    putMeta("batches", trainer.batches());
    putMeta("steps", trainer.view().optimizer().steps());
  }

  private void restore() {
    content = new StreamContent();
    View view = ViewFactory.create(viewName, config, content);
    trainer = new StreamingTrainer(view, config.seed(), options.batchSize());
    long checkpointLogged = getMeta("logged");
    logged = 0;
    boolean loaded = false;
    try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(new byte[] {EVENT}),
        new org.apache.kafka.common.serialization.BytesSerializer())) {
      while (it.hasNext()) {
        if (logged == checkpointLogged) {
          loadCheckpoint(view);
          loaded = true;
        }
        KeyValue<Bytes, byte[]> kv = it.next();
        Interaction x = content.apply(codec.decode(kv.value));
        logged++;
        if (x == null) {
          continue;
        }
        if (loaded) {
          // Re-train what followed the checkpoint. Published after every batch, its output was committed with
          // it; coalesced, its rows are published again (see the class doc).
          if (trainer.accept(x) && options.publishIntervalMs() == 0) {
            trainer.view().users().tick();
            trainer.view().items().tick();
          }
        } else {
          trainer.replay(x, false);
        }
      }
    }
    if (!loaded) {
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
    view.optimizer().steps(getMeta("steps"));
    trainer.restoreBatches(getMeta("batches"));
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

  private long getMeta(String name) {
    byte[] v = store.get(metaKey(name));
    return v == null ? 0 : ByteBuffer.wrap(v).getLong();
  }

  private void putMeta(String name, long value) {
    store.put(metaKey(name), ByteBuffer.allocate(8).putLong(value).array());
  }

  private static Bytes key(byte prefix, long seq) {
    return Bytes.wrap(ByteBuffer.allocate(9).put(prefix).putLong(seq).array());
  }

  private static Bytes rowKey(int block, int row) {
    return Bytes.wrap(ByteBuffer.allocate(6).put(ROW).put((byte) block).putInt(row).array());
  }

  private static Bytes metaKey(String name) {
    byte[] n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(1 + n.length).put(META).put(n).array());
  }
}
