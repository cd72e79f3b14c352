package io.jrlstream.streams.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.state.StateBlock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * {@link CheckpointStore} on its own, over an in-memory store and blocks of one-byte rows: what a checkpoint
 * writes, when it commits, that the committed one stays whole while the next is written or after a crash in its
 * writes, and when one is due.
 */
class CheckpointStoreTest {
  /** A block of rows holding one byte each, recording which rows changed. */
  private static final class ByteBlock implements StateBlock {
    final List<Byte> rows = new ArrayList<>();
    final Set<Integer> dirty = new LinkedHashSet<>();

    void set(int row, int value) {
      while (rows.size() <= row) {
        rows.add((byte) 0);
      }
      rows.set(row, (byte) value);
      dirty.add(row);
    }

    @Override
    public int size() {
      return rows.size();
    }

    @Override
    public int dirtyCount() {
      return dirty.size();
    }

    @Override
    public void drainDirty(IntConsumer sink) {
      dirty.forEach(sink::accept);
      dirty.clear();
    }

    @Override
    public byte[] encode(int row) {
      return new byte[] {rows.get(row)};
    }

    @Override
    public void decode(int row, byte[] bytes) {
      set(row, bytes[0]);
      dirty.remove(row);
    }
  }

  private static KeyValueStore<Bytes, byte[]> store() {
    MockProcessorContext<String, byte[]> ctx = new MockProcessorContext<>();
    KeyValueStore<Bytes, byte[]> s = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("ckpt"), Serdes.Bytes(),
        Serdes.ByteArray()).withLoggingDisabled().build();
    s.init(ctx.getStateStoreContext(), s);
    return s;
  }

  private static List<StateBlock> blocks(ByteBlock... b) {
    return List.of(b);
  }

  /** The rows the store holds: block/row → their versions' values, one list entry per stored generation. */
  private static Map<String, List<Byte>> rows(KeyValueStore<Bytes, byte[]> store) {
    Map<String, List<Byte>> out = new HashMap<>();
    try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(new byte[] {'R'}), new BytesSerializer())) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        byte[] k = kv.key.get();
        out.computeIfAbsent(k[1] + "/" + k[5], x -> new ArrayList<>()).add(kv.value[0]);
      }
    }
    return out;
  }

  /** Loads the store's committed checkpoint into a fresh block, as a restarted task would. */
  private static List<Byte> committedRows(KeyValueStore<Bytes, byte[]> store) {
    ByteBlock fresh = new ByteBlock();
    new CheckpointStore(store, "v", TrainingObserver.NONE).load(blocks(fresh));
    return fresh.rows;
  }

  @Test
  void shouldStartEmptyAndRecordOriginAndPosition() {
    KeyValueStore<Bytes, byte[]> store = store();
    CheckpointStore c = new CheckpointStore(store, "v", TrainingObserver.NONE);
    assertEquals(-1, c.origin());
    assertEquals(-1, c.position());
    assertEquals(CheckpointStore.Counters.NONE, c.committed());
    c.recordInput(17);
    c.recordInput(18);
    c.recordInput(20);
    CheckpointStore reopened = new CheckpointStore(store, "v", TrainingObserver.NONE);
    assertEquals(17, reopened.origin());
    assertEquals(20, reopened.position());
  }

  @Test
  void shouldSpreadWritesAndCommitWithTheLastRow() {
    KeyValueStore<Bytes, byte[]> store = store();
    List<int[]> commits = new ArrayList<>();
    CheckpointStore c = new CheckpointStore(store, "v", new TrainingObserver() {
      @Override
      public void checkpointCommitted(String view, int rows, long bytes) {
        commits.add(new int[] {rows, (int) bytes});
      }
    });
    ByteBlock b = new ByteBlock();
    c.load(blocks(b));
    for (int r = 0; r < 6; r++) {
      b.set(r, 10 + r);
    }
    CheckpointStore.Counters at = new CheckpointStore.Counters(99, 600, 10, 10);
    c.take(blocks(b), at, 3); // 6 rows over 3 batches: 2 per batch
    assertEquals(2, rows(store).size());
    assertEquals(CheckpointStore.Counters.NONE, c.committed(), "not committed before its last row");
    assertTrue(c.writing());
    c.step();
    assertEquals(CheckpointStore.Counters.NONE, c.committed());
    c.step();
    assertEquals(at, c.committed());
    assertFalse(c.writing());
    assertEquals(List.of(10, 11, 12, 13, 14, 15), committedRows(store).stream().map(x -> (int) x).toList());
    assertEquals(1, commits.size());
    assertArrayEquals(new int[] {6, 6}, commits.get(0));
    assertEquals(0, b.dirtyCount(), "the snapshot drained the dirty rows");
  }

  @Test
  void shouldKeepTheCommittedCheckpointWholeWhileTheNextIsWrittenAndThenDropItsVersions() {
    KeyValueStore<Bytes, byte[]> store = store();
    CheckpointStore c = new CheckpointStore(store, "v", TrainingObserver.NONE);
    ByteBlock b = new ByteBlock();
    c.load(blocks(b));
    for (int r = 0; r < 4; r++) {
      b.set(r, r);
    }
    c.take(blocks(b), new CheckpointStore.Counters(1, 4, 1, 1), 0);
    for (int r = 0; r < 4; r++) {
      b.set(r, 20 + r);
    }
    c.take(blocks(b), new CheckpointStore.Counters(2, 8, 2, 2), 4); // 4 puts + 4 deletes: 2 per batch
    assertEquals(List.of(0, 1, 2, 3), committedRows(store).stream().map(x -> (int) x).toList(),
        "the committed checkpoint is whole while the next is written");
    c.step();
    assertEquals(List.of(20, 21, 22, 23), committedRows(store).stream().map(x -> (int) x).toList());
    assertTrue(c.writing(), "superseded versions still to delete");
    assertTrue(rows(store).values().stream().anyMatch(v -> v.size() == 2));
    c.step();
    c.step();
    assertFalse(c.writing());
    assertTrue(rows(store).values().stream().allMatch(v -> v.size() == 1), "one version per row: " + rows(store));
  }

  @Test
  void shouldLoadTheCommittedCheckpointAfterACrashInTheNextOnesWritesAndDeleteItsLeftovers() {
    KeyValueStore<Bytes, byte[]> store = store();
    CheckpointStore c = new CheckpointStore(store, "v", TrainingObserver.NONE);
    ByteBlock b = new ByteBlock();
    c.load(blocks(b));
    for (int r = 0; r < 6; r++) {
      b.set(r, r);
    }
    c.take(blocks(b), new CheckpointStore.Counters(5, 6, 1, 1), 0);
    for (int r = 0; r < 6; r++) {
      b.set(r, 30 + r);
    }
    c.take(blocks(b), new CheckpointStore.Counters(9, 12, 2, 2), 6); // crash after its first share
    CheckpointStore restarted = new CheckpointStore(store, "v", TrainingObserver.NONE);
    ByteBlock again = new ByteBlock();
    assertEquals(new CheckpointStore.Counters(5, 6, 1, 1), restarted.load(blocks(again)));
    assertEquals(List.of(0, 1, 2, 3, 4, 5), again.rows.stream().map(x -> (int) x).toList());
    assertTrue(rows(store).values().stream().anyMatch(v -> v.size() == 2), "the interrupted one left versions");
    again.set(0, 77);
    restarted.take(blocks(again), new CheckpointStore.Counters(10, 13, 2, 2), 0);
    assertEquals(List.of(77, 1, 2, 3, 4, 5), committedRows(store).stream().map(x -> (int) x).toList());
    assertTrue(rows(store).values().stream().allMatch(v -> v.size() == 1), "leftovers deleted: " + rows(store));
  }

  @Test
  void shouldBeDueAfterTheBatchesAndEnoughEventsPerRewrittenRow() {
    CheckpointStore c = new CheckpointStore(store(), "v", TrainingObserver.NONE);
    ByteBlock b = new ByteBlock();
    c.load(blocks(b));
    TrainingOptions every10 = TrainingOptions.defaults().withBatchSize(4).withCheckpointBatches(10)
        .withPublishIntervalMs(0).withCheckpointEventsPerRow(2);
    for (int r = 0; r < 5; r++) {
      b.set(r, r);
    }
    assertFalse(c.due(blocks(b), 9, 1000, every10), "fewer batches than the interval");
    assertTrue(c.due(blocks(b), 10, 0, every10), "rows created since are written once, whatever the events");
    c.take(blocks(b), new CheckpointStore.Counters(0, 40, 10, 10), 0);
    b.set(0, 9);
    b.set(1, 9);
    b.set(2, 9); // 3 old rows re-written: 6 events needed at 2 per row
    assertFalse(c.due(blocks(b), 20, 45, every10));
    assertTrue(c.due(blocks(b), 20, 46, every10));
    assertTrue(c.due(blocks(b), 20, 41, every10.withCheckpointEventsPerRow(0)), "0: every interval exactly");
    c.take(blocks(b), new CheckpointStore.Counters(1, 46, 20, 20), 5);
    assertFalse(c.due(blocks(b), 100, 10_000, every10), "never while one is being written");
  }

  @Test
  void shouldRefuseRowsOfAnotherKeyLayout() {
    KeyValueStore<Bytes, byte[]> store = store();
    store.put(Bytes.wrap(new byte[] {'R', 0, 0, 0, 0, 1}), new byte[] {1});
    CheckpointStore c = new CheckpointStore(store, "v", TrainingObserver.NONE);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.load(blocks(new ByteBlock())));
    assertTrue(e.getMessage().contains("reset the application's state"), e.getMessage());
  }
}
