package io.jrlstream.streams.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.RowCodec;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.EntityKind;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Trains one view from its single-partition input (DESIGN.md §2 "Training state", "Parallelism" phase 1)
 * and forwards the user and item vectors each mini-batch changed, as {@link EmbeddingRecord}s.
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
 * state before the crash; vectors those events already published are not published again. Restart cost
 * grows with the log (observe steps only, no training before the checkpoint); compacting it is future work.
 *
 * <p>Lifecycle: Kafka Streams calls {@link #init} once per task assignment (restoring state), then
 * {@link #process} per record on the stream thread; not thread-safe.
 */
public final class TrainingProcessor implements Processor<String, TrainingEvent, String, EmbeddingRecord> {
  private static final byte EVENT = 'E';
  private static final byte ROW = 'R';
  private static final byte META = 'M';

  private final String viewName;
  private final ModelConfig config;
  private final int batchSize;
  private final String storeName;
  private final int checkpointBatches;
  private final AvroCodec<TrainingEvent> codec = AvroCodec.of(TrainingEvent.class);

  private ProcessorContext<String, EmbeddingRecord> context;
  private KeyValueStore<Bytes, byte[]> store;
  private StreamContent content;
  private StreamingTrainer trainer;
  private long logged;

  /**
   * @param viewName the view this processor trains
   * @param config model configuration (the view's settings and the run seed)
   * @param batchSize positive interactions per mini-batch
   * @param storeName the view's state store (see {@link #storeName(String)})
   * @param checkpointBatches mini-batches between checkpoints of the parameter rows
   */
  public TrainingProcessor(String viewName, ModelConfig config, int batchSize, String storeName,
      int checkpointBatches) {
    if (checkpointBatches < 1) {
      throw new IllegalArgumentException("checkpointBatches must be ≥ 1, got " + checkpointBatches);
    }
    this.viewName = viewName;
    this.config = config;
    this.batchSize = batchSize;
    this.storeName = storeName;
    this.checkpointBatches = checkpointBatches;
  }

  /** The state store name of a view's trainer. */
  public static String storeName(String view) {
    return "jrl-train-" + view;
  }

  @Override
  public void init(ProcessorContext<String, EmbeddingRecord> context) {
    this.context = context;
    this.store = context.getStateStore(storeName);
    restore();
  }

  /** The trainer (for tests and metrics). */
  StreamingTrainer trainer() {
    return trainer;
  }

  @Override
  public void process(Record<String, TrainingEvent> record) {
    TrainingEvent e = record.value();
    store.put(key(EVENT, logged), codec.encode(e));
    logged++;
    Interaction x = content.apply(e);
    if (x != null && trainer.accept(x)) {
      publish(record.timestamp());
      drainPublished();
      if (trainer.batches() % checkpointBatches == 0) {
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
    trainer = new StreamingTrainer(view, config.seed(), batchSize);
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
          // Re-train what followed the checkpoint; its output was published already.
          if (trainer.accept(x)) {
            drainPublished();
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
    }
    view.optimizer().steps(getMeta("steps"));
    trainer.restoreBatches(getMeta("batches"));
  }

  /** Starts the next publication period: the next batch publishes only the rows it changes. */
  private void drainPublished() {
    trainer.view().users().tick();
    trainer.view().items().tick();
  }

  /** Forwards the vectors of every user and item the last batch changed (before their rows are drained). */
  private void publish(long timestamp) {
    View view = trainer.view();
    List<EmbeddingRecord> out = new ArrayList<>();
    collect(view, view.users(), EntityKind.USER, content.users(), out, timestamp);
    collect(view, view.items(), EntityKind.ITEM, content.items(), out, timestamp);
    for (EmbeddingRecord r : out) {
      String key = r.getKind() + ":" + r.getEntityId();
      context.forward(new Record<>(key, r, timestamp));
    }
  }

  private void collect(View view, io.jrlstream.core.param.Table table, EntityKind kind,
      io.jrlstream.core.data.IdIndex ids, List<EmbeddingRecord> out, long timestamp) {
    List<Integer> rows = new ArrayList<>();
    table.forEachChangedSinceTick(rows::add);
    for (int row : rows) {
      if (row >= ids.size()) {
        continue; // rows reserved beyond known ids carry no entity yet
      }
      List<Float> v = new ArrayList<>(table.dim());
      for (float f : table.row(row)) {
        v.add(f);
      }
      out.add(EmbeddingRecord.newBuilder().setViewName(view.name()).setKind(kind).setEntityId(ids.id(row))
          .setVector(v).setUpdateCount(trainer.batches()).setEventTime(Instant.ofEpochMilli(timestamp)).build());
    }
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
