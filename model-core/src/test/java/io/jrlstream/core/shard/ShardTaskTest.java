package io.jrlstream.core.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateFake;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import java.util.ArrayDeque;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ShardTask} and {@link ShardInbox} driven as the Kafka processor drives them (one inbox per task, every
 * message through {@link DeltaCodec}, deliveries in a seeded random order, some twice), against the simulator.
 */
class ShardTaskTest {
  private static final Dataset DATA = SyntheticData.generate(new SyntheticSpec(120, 40, 4, 10, 6, 12), 7L);
  private static final long SEED = 11;
  /** A flush marker in a task's input. */
  private static final Interaction MARKER = new Interaction(-1, -1, Float.NaN, -1, 0);

  private static ModelConfig config() {
    return ModelConfig.defaults().mapViews(v -> v.withDim(6)).withSeed(3);
  }

  /** N tasks, each with its inbox, its input queue and its incoming messages (encoded). */
  private static final class Cluster {
    final ShardSettings settings;
    final ShardTask[] tasks;
    final ShardInbox[] inboxes;
    final List<ArrayDeque<Interaction>> inputs = new ArrayList<>();
    final List<ArrayDeque<byte[]>> mail = new ArrayList<>();
    final int[] epochs;

    Cluster(String view, ShardSettings s) {
      settings = s;
      int n = s.shards();
      tasks = new ShardTask[n];
      inboxes = new ShardInbox[n];
      epochs = new int[n];
      for (int i = 0; i < n; i++) {
        tasks[i] = new ShardTask(i, ViewFactory.create(view, config(), new ShardContent(DATA)), SEED, 8, s);
        inboxes[i] = new ShardInbox(tasks[i]);
        inputs.add(new ArrayDeque<>());
        mail.add(new ArrayDeque<>());
      }
    }

    void send(int from, byte[] message) {
      inboxes[from].offer(DeltaCodec.decode(message, tasks[from].widths()));
      for (int j = 0; j < tasks.length; j++) {
        if (j != from) {
          mail.get(j).add(message);
        }
      }
    }

    /** Delivers messages and trains inputs in a random order until nothing is left, some messages twice. */
    void run(Random rnd) {
      while (move(rnd)) {
        // (until nothing moves)
      }
    }

    /**
     * One delivery or one trained input, at a random task (some messages twice); false when nothing is left that
     * could move.
     */
    boolean move(Random rnd) {
      for (int k = 0; k < 4 * tasks.length; k++) {
        int i = rnd.nextInt(tasks.length);
        if (rnd.nextBoolean() && !mail.get(i).isEmpty()) {
          byte[] m = mail.get(i).poll();
          inboxes[i].offer(DeltaCodec.decode(m, tasks[i].widths()));
          if (rnd.nextInt(8) == 0) {
            assertFalse(inboxes[i].offer(DeltaCodec.decode(m, tasks[i].widths())), "a duplicate changes nothing");
          }
          return true;
        } else if (inboxes[i].advance() && !inputs.get(i).isEmpty()) {
          step(i, inputs.get(i).poll());
          return true;
        }
      }
      for (int i = 0; i < tasks.length; i++) {
        if (!mail.get(i).isEmpty() || inboxes[i].advance() && !inputs.get(i).isEmpty()) {
          return true;
        }
      }
      return false;
    }

    /** Task i's checkpoint blocks: the task's, then its inbox's (the Kafka processor's order). */
    List<StateBlock> blocks(int i) {
      List<StateBlock> b = new ArrayList<>(tasks[i].state());
      b.add(inboxes[i].state());
      return b;
    }

    void step(int i, Interaction x) {
      ShardTask t = tasks[i];
      if (x == MARKER) {
        Delta d = t.endEpoch(null);
        if (d != null) {
          send(i, DeltaCodec.encodeDelta(i, t.closed(), d));
        }
        send(i, DeltaCodec.encodeEnd(i, inboxes[i].epoch(), t.closed()));
      } else if (t.train(x)) {
        send(i, DeltaCodec.encodeDelta(i, t.closed() + 1, t.closeRound(false, null)));
      }
    }
  }

  /**
   * Asserts that every shared row (value and optimiser state) and each user row of {@code owned} is the same, bit
   * for bit ({@code owned} null: every user).
   */
  private static void assertSameState(View a, View b, IntPredicate owned, String what) {
    for (int i = 0; i < a.params().size(); i++) {
      Param p = a.params().get(i);
      Param q = b.params().get(i);
      boolean users = p.value() == a.users();
      if (!users) {
        assertEquals(p.value().size(), q.value().size(), what + " " + p.value().name());
      }
      for (int r = 0; r < Math.min(p.value().size(), q.value().size()); r++) {
        if (users && owned != null && !owned.test(r)) {
          continue;
        }
        assertArrayEquals(p.value().row(r), q.value().row(r), what + " " + p.value().name() + " row " + r);
        assertArrayEquals(p.state1OrNull(r), q.state1OrNull(r), what + " " + p.value().name() + " state row " + r);
        assertArrayEquals(p.state2OrNull(r), q.state2OrNull(r), what + " " + p.value().name() + " state2 row " + r);
      }
    }
  }

  /**
   * The last column bounds a round's delta (0: the default bound, never reached here): 1 KiB, about 20 item rows of
   * the collaborative view in float32, closes most rounds before their s-th mini-batch.
   */
  @ParameterizedTest
  @CsvSource({"collaborative, 2, 1, 1, 0, FLOAT32, 0", "collaborative, 3, 2, 0, 0.5, FLOAT32, 0",
      "rating, 3, 1, 2, 0, FLOAT32, 0", "collaborative, 2, 1, 1, 0, BF16, 0", "rating, 3, 2, 1, 0.5, BF16, 0",
      "collaborative, 3, 6, 1, 0.5, BF16, 1024", "collaborative, 2, 6, 1, 0, FLOAT32, 1024"})
  void shouldTrainEachTaskBitForBitAsTheSimulatorDoesWhateverTheDeliveryOrder(String view, int n, int s, int lag,
      float theta, ShardSettings.Precision precision, int maxRoundBytes) {
    ShardSettings settings = new ShardSettings(n, s, lag).withThreshold(theta, 3).withPrecision(precision)
        .withMaxRoundBytes(maxRoundBytes > 0 ? maxRoundBytes : ShardSettings.DEFAULT_MAX_ROUND_BYTES);
    ShardedTrainer sim = new ShardedTrainer(c -> ViewFactory.create(view, config(), c), DATA, SEED, 8, settings);
    for (Interaction x : DATA.interactions()) {
      sim.accept(x);
    }
    sim.finish();
    for (long order = 1; order <= 2; order++) {
      Cluster c = new Cluster(view, settings);
      for (Interaction x : DATA.interactions()) {
        int task = sim.shardOf(x.user());
        c.inputs.get(task).add(x);
      }
      for (ArrayDeque<Interaction> in : c.inputs) {
        in.add(MARKER); // the end of the stream: one epoch, as the simulator's finish
      }
      c.run(new Random(order));
      for (int i = 0; i < n; i++) {
        assertTrue(c.inputs.get(i).isEmpty() && !c.tasks[i].ended(), "task " + i + " ran to the end");
        assertEquals(sim.stats().eventsPerShard()[i], c.tasks[i].events(), "events of task " + i);
        assertEquals(c.tasks[i].closed(), c.tasks[i].merged(), "every merge applied at task " + i);
        assertEquals(0, c.inboxes[i].pendingRounds(), "nothing left in task " + i + "'s inbox");
        int task = i;
        assertSameState(sim.trainer(i).view(), c.tasks[i].trainer().view(), u -> sim.shardOf(u) == task,
            "order " + order + ", task " + i); // (the simulator copied every user's row into task 0's view)
      }
    }
  }

  @Test
  void shouldGiveTheSameTasksOverManyEpochsWhateverTheDeliveryOrder() {
    ShardSettings settings = new ShardSettings(3, 1, 1);
    List<View[]> runs = new ArrayList<>();
    for (long order = 1; order <= 2; order++) {
      Cluster c = new Cluster("collaborative", settings);
      int k = 0;
      for (Interaction x : DATA.interactions()) {
        c.inputs.get(settings.shardOf(x.user(), SEED)).add(x);
        if (++k % 97 == 0) { // a flush marker reaches every partition at the same point
          c.inputs.forEach(in -> in.add(MARKER));
        }
      }
      c.inputs.forEach(in -> in.add(MARKER));
      c.run(new Random(order));
      View[] views = new View[3];
      for (int i = 0; i < 3; i++) {
        assertTrue(c.inputs.get(i).isEmpty(), "task " + i + " ran to the end");
        assertEquals(k / 97 + 1, c.inboxes[i].epoch(), "epochs at task " + i);
        views[i] = c.tasks[i].trainer().view();
      }
      runs.add(views);
    }
    for (int i = 0; i < 3; i++) {
      assertSameState(runs.get(0)[i], runs.get(1)[i], null, "task " + i);
    }
  }

  /**
   * A task checkpointed after every mini-batch it applies (each checkpoint writing only the rows changed since the
   * previous one, into one store), under L = 2 and a random delivery order, so that its inbox holds deltas of
   * several rounds and tasks at most checkpoints: restored from that store at the checkpoint with the most deltas
   * waiting, into a fresh task and inbox, it holds the same deltas, and it ends, as do the others, as the tasks of a
   * run without the restore. At every checkpoint the store holds the waiting deltas and nothing else: the deltas of
   * the merges applied since the previous checkpoint are gone from it (their rows emptied), none of an applied merge
   * is left.
   */
  @ParameterizedTest
  @CsvSource({"1, 0", "6, 1024"}) // s, and a bound on a round's delta that closes most rounds early (0: default)
  void shouldRestoreATaskFromItsCheckpointsWithTheDeltasOfSeveralRoundsWaiting(int s, int maxRoundBytes) {
    ShardSettings settings = new ShardSettings(3, s, 2).withMaxRoundBytes(maxRoundBytes > 0 ? maxRoundBytes
        : ShardSettings.DEFAULT_MAX_ROUND_BYTES);
    Cluster straight = new Cluster("collaborative", settings);
    Cluster c = new Cluster("collaborative", settings);
    for (Interaction x : DATA.interactions()) {
      straight.inputs.get(settings.shardOf(x.user(), SEED)).add(x);
      c.inputs.get(settings.shardOf(x.user(), SEED)).add(x);
    }
    straight.inputs.forEach(in -> in.add(MARKER));
    c.inputs.forEach(in -> in.add(MARKER));
    straight.run(new Random(5));

    StateFake store = new StateFake();
    List<StateBlock> blocks = c.blocks(0);
    int inboxBlock = blocks.size() - 1;
    Random rnd = new Random(6);
    long batches = 0;
    int most = 0;
    int checkpoints = 0;
    List<StateBlock> restoreAt = null;
    while (c.move(rnd)) {
      ShardTask t = c.tasks[0];
      if (t.trainer().batches() == batches || !t.trainer().pending().isEmpty() || t.ended()) {
        continue;
      }
      batches = t.trainer().batches();
      store.checkpoint(blocks);
      checkpoints++;
      Set<Long> stored = new HashSet<>();
      store.rows(inboxBlock).forEach((row, bytes) -> {
        if (row > 0 && bytes.length > 0) {
          DeltaCodec.Message m = DeltaCodec.decode(bytes, t.widths());
          assertTrue(m.round() > t.merged(), "checkpoint row " + row + " holds round " + m.round() + ", merged");
          assertTrue(stored.add((long) m.round() << 8 | m.source()), "round " + m.round() + " of task " + m.source()
              + " in two rows");
        }
      });
      assertEquals(c.inboxes[0].pendingDeltas(), stored.size(), "the deltas waiting, each in one row");
      if (restoreAt == null && c.inboxes[0].pendingRounds() >= 3 && c.inboxes[0].pendingDeltas() > most
          && checkpoints > 20) {
        most = c.inboxes[0].pendingDeltas();
        ShardTask fresh = new ShardTask(0, ViewFactory.create("collaborative", config(), new ShardContent(DATA)),
            SEED, 8, settings);
        ShardInbox inbox = new ShardInbox(fresh);
        restoreAt = new ArrayList<>(fresh.state());
        restoreAt.add(inbox.state());
        store.restore(restoreAt);
        assertEquals(c.inboxes[0].pendingRounds(), inbox.pendingRounds(), "rounds waiting");
        assertEquals(c.inboxes[0].pendingDeltas(), inbox.pendingDeltas(), "deltas waiting");
        assertEquals(c.inboxes[0].epoch(), inbox.epoch());
        assertEquals(c.inboxes[0].duplicates(), inbox.duplicates());
        assertEquals(t.merged(), fresh.merged());
        c.tasks[0] = fresh;
        c.inboxes[0] = inbox;
        blocks = c.blocks(0);
      }
    }
    assertNotNull(restoreAt, "no checkpoint with 3 rounds of deltas waiting");
    assertTrue(most >= 5, "deltas waiting at the restore: " + most);
    // (the others may close up to L + 1 rounds beyond the task's last, before they wait for it)
    int rows = store.rows(inboxBlock).size();
    assertTrue(rows <= 1 + 2 * (settings.lag() + 1) * settings.shards() && 4 * (rows - 1) < c.tasks[0].merged()
        * settings.shards(), "slots reused: " + rows + " rows for the deltas of " + c.tasks[0].merged() + " merges");
    for (int i = 0; i < 3; i++) {
      assertTrue(c.inputs.get(i).isEmpty() && !c.tasks[i].ended(), "task " + i + " ran to the end");
      assertEquals(straight.tasks[i].events(), c.tasks[i].events(), "task " + i + "'s events");
      assertSameState(straight.tasks[i].trainer().view(), c.tasks[i].trainer().view(), null, "task " + i);
    }
  }

  /**
   * A checkpoint after one new delta writes that delta's row alone, as many bytes as its message, not the inbox (the
   * deltas of L + 1 rounds of every task).
   */
  @Test
  void shouldWriteOnlyTheNewDeltaAtTheNextCheckpoint() {
    ShardSettings settings = new ShardSettings(3, 1, 2);
    Cluster c = new Cluster("collaborative", settings);
    for (Interaction x : DATA.interactions()) {
      c.inputs.get(settings.shardOf(x.user(), SEED)).add(x);
    }
    Random rnd = new Random(8);
    StateBlock inbox = c.inboxes[0].state();
    long[] bytes = {0};
    int[] rows = {0};
    byte[] fresh = null;
    while (fresh == null && c.move(rnd)) {
      if (c.inboxes[0].pendingDeltas() < 5 || c.mail.get(0).isEmpty()) {
        continue;
      }
      inbox.drainDirty(r -> { }); // a checkpoint
      byte[] m = c.mail.get(0).poll();
      if (c.inboxes[0].offer(DeltaCodec.decode(m, c.tasks[0].widths()))
          && DeltaCodec.decode(m, c.tasks[0].widths()).kind() == DeltaCodec.Kind.DELTA) {
        fresh = m;
        inbox.drainDirty(r -> {
          rows[0]++;
          bytes[0] += inbox.encode(r).length;
        });
      }
    }
    assertNotNull(fresh, "no delta came while 5 waited");
    assertEquals(1, rows[0], "rows written");
    assertEquals(fresh.length, bytes[0], "bytes written: the new delta's message");
    long waiting = 0;
    for (int r = 1; r < inbox.size(); r++) {
      waiting += inbox.encode(r).length;
    }
    assertTrue(waiting > 4 * fresh.length, "the inbox holds " + waiting + " bytes of deltas, the new one "
        + fresh.length);
  }

  /**
   * A checkpoint of the format that held the whole inbox in one row (format 1) is refused, naming the format, never
   * decoded as the header it is not.
   */
  @Test
  void shouldRefuseAnInboxCheckpointOfTheOneRowFormat() {
    ShardTask task = new ShardTask(0, ViewFactory.create("collaborative", config(), DATA), SEED, 8,
        new ShardSettings(2, 1, 1));
    // format 1, epoch 0, 0 duplicates, 2 tasks, no rounds, no epoch ends: an empty inbox of that format
    byte[] old = ByteBuffer.allocate(28).putInt(1).putInt(0).putLong(0).putInt(2).putInt(0).putInt(0).array();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ShardInbox(task).state()
        .decode(0, old));
    assertTrue(e.getMessage().contains("of format 1 (the whole inbox in one row"), e.getMessage());
    assertTrue(e.getMessage().contains("reset the application's state"), e.getMessage());
  }

  @Test
  void shouldRoundTripADeltaExactly() {
    Delta d = new Delta(new int[] {3, 2});
    float[] first = {1.5f, -0f, Float.NaN};
    float[] second = {Float.MIN_VALUE, -7e30f, 0f};
    d.add(0, 17, first, null);
    d.add(0, 4, second, null);
    d.hold(0, 9);
    d.add(1, 2, new float[] {Float.intBitsToFloat(0x7fc00001), 3f}, new float[] {0f, 1f});
    byte[] bytes = DeltaCodec.encodeDelta(5, 42, d);
    DeltaCodec.Message m = DeltaCodec.decode(bytes, new int[] {3, 2});
    assertEquals(DeltaCodec.Kind.DELTA, m.kind());
    assertEquals(5, m.source());
    assertEquals(42, m.round());
    Delta e = m.delta();
    assertEquals(2, e.count(0));
    assertEquals(17, e.key(0, 0));
    assertEquals(4, e.key(0, 1));
    assertEquals(1, e.heldCount(0));
    assertEquals(9, e.heldKey(0, 0));
    assertEquals(1, e.count(1));
    for (int t = 0; t < 2; t++) {
      for (int i = 0; i < e.count(t) * e.dim(t); i++) {
        assertEquals(Float.floatToRawIntBits(d.values(t)[i]), Float.floatToRawIntBits(e.values(t)[i]),
            "table " + t + " float " + i + ": the raw bits, NaN payloads and −0 included");
      }
    }
    assertEquals(8 + 8 + 2 * 13 + 4 * (2 + 1 + 1) + 4 * (6 + 2), bytes.length, "keys and floats, 4 bytes each");
    DeltaCodec.Message end = DeltaCodec.decode(DeltaCodec.encodeEnd(1, 3, 77), new int[] {3, 2});
    assertEquals(DeltaCodec.Kind.END, end.kind());
    assertEquals(1, end.source());
    assertEquals(3, end.epoch());
    assertEquals(77, end.round());
    assertNull(end.delta());
  }

  @Test
  void shouldCarryBfloat16ValuesInTwoBytesExactly() {
    Delta d = new Delta(new int[] {3, 2});
    d.valueBytes(0, 2);
    float[] rounded = {ShardSettings.Precision.bf16(0.1f), -0f, ShardSettings.Precision.bf16(-3.3e-7f)};
    d.add(0, 8, rounded, null);
    d.add(0, 1, new float[] {1f, Float.NaN, Float.NEGATIVE_INFINITY}, null);
    d.add(1, 2, new float[] {0.1f, 3f}, null); // a float32 table beside it
    byte[] bytes = DeltaCodec.encodeDelta(1, 7, d);
    assertEquals(8 + 8 + 2 * 13 + 4 * (2 + 1) + 2 * 6 + 4 * 2, bytes.length, "bfloat16 values take 2 bytes each");
    Delta e = DeltaCodec.decode(bytes, new int[] {3, 2}).delta();
    assertEquals(2, e.valueBytes(0));
    assertEquals(4, e.valueBytes(1));
    for (int t = 0; t < 2; t++) {
      for (int i = 0; i < e.count(t) * e.dim(t); i++) {
        assertEquals(Float.floatToRawIntBits(d.values(t)[i]), Float.floatToRawIntBits(e.values(t)[i]),
            "table " + t + " value " + i);
      }
    }
    assertEquals(2 * 3 * 2 + 1 * 2 * 4, d.valueBytes());
  }

  @Test
  void shouldRoundToTheNearestBfloat16TiesToEven() {
    assertEquals(1f, ShardSettings.Precision.bf16(1f));
    // 7 mantissa bits: the unit of the last place at 1 is 2^-7, so 1 + 2^-8 is half way.
    assertEquals(1f, ShardSettings.Precision.bf16(1f + 0x1p-8f), "a tie goes to the even mantissa (down)");
    assertEquals(1f + 0x1p-6f, ShardSettings.Precision.bf16(1f + 0x1p-7f + 0x1p-8f), "a tie goes to even (up)");
    assertEquals(1f + 0x1p-7f, ShardSettings.Precision.bf16(1f + 0x1p-7f - 0x1p-12f), "nearest");
    assertEquals(1f + 0x1p-7f, ShardSettings.Precision.bf16(1f + 0x1p-8f + 0x1p-20f), "above half way: up");
    assertEquals(-0.10009765625f, ShardSettings.Precision.bf16(-0.1f));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(ShardSettings.Precision.bf16(-0f)));
    assertTrue(Float.isNaN(ShardSettings.Precision.bf16(Float.intBitsToFloat(0x7f800001))), "a NaN stays NaN");
    assertEquals(Float.POSITIVE_INFINITY, ShardSettings.Precision.bf16(Float.MAX_VALUE), "beyond bfloat16's largest");
    for (float x : new float[] {0.3f, -12345.678f, 1e-30f, 7e20f}) {
      float q = ShardSettings.Precision.bf16(x);
      assertEquals(0, Float.floatToRawIntBits(q) & 0xFFFF, "low half of " + x);
      assertTrue(Math.abs(q - x) <= Math.abs(x) * 0x1p-8f, x + " → " + q + ": within half a unit of the last place");
    }
  }

  @Test
  void shouldRefuseBadBytesWithAClearError() {
    Delta d = new Delta(new int[] {2});
    d.add(0, 1, new float[] {1f, 2f}, null);
    byte[] good = DeltaCodec.encodeDelta(0, 1, d);
    int[] widths = {2};
    assertMessage("fewer than", () -> DeltaCodec.decode(new byte[3], widths));
    assertMessage("null", () -> DeltaCodec.decode(null, widths));
    byte[] magic = good.clone();
    magic[0] = 'X';
    assertMessage("magic", () -> DeltaCodec.decode(magic, widths));
    assertFalse(DeltaCodec.isShardMessage(magic), "bad magic: foreign bytes");
    assertFalse(DeltaCodec.isShardMessage(new byte[] {'J', 'D', 1}), "shorter than a header");
    assertFalse(DeltaCodec.isShardMessage(null));
    assertTrue(DeltaCodec.isShardMessage(good));
    byte[] version = good.clone();
    version[2] = 9;
    assertMessage("version 9", () -> DeltaCodec.decode(version, widths));
    byte[] kind = good.clone();
    kind[3] = 7;
    assertMessage("kind 7", () -> DeltaCodec.decode(kind, widths));
    assertMessage("truncated", () -> DeltaCodec.decode(Arrays.copyOf(good, 20), widths));
    assertMessage("more than", () -> DeltaCodec.decode(Arrays.copyOf(good, good.length - 1), widths));
    assertMessage("after its end", () -> DeltaCodec.decode(Arrays.copyOf(good, good.length + 3), widths));
    assertMessage("1 shared tables, this view has 2", () -> DeltaCodec.decode(good, new int[] {2, 2}));
    assertMessage("2 floats per row, this view 3", () -> DeltaCodec.decode(good, new int[] {3}));
    byte[] valueBytes = good.clone();
    valueBytes[20] = 3; // after the header, the round, the table count and the table's width
    assertMessage("3 bytes per value", () -> DeltaCodec.decode(valueBytes, widths));
    byte[] older = good.clone();
    older[2] = 1;
    assertMessage("version 1, this build reads 2", () -> DeltaCodec.decode(older, widths));
    ShardTask task = new ShardTask(0, ViewFactory.create("collaborative", config(), DATA), SEED, 8,
        new ShardSettings(2, 1, 1));
    assertMessage("from task 2 of a view of 2 tasks", () -> new ShardInbox(task).offer(
        DeltaCodec.decode(DeltaCodec.encodeEnd(2, 0, 0), widths)));
  }

  private static void assertMessage(String part, Executable e) {
    String m = assertThrows(IllegalArgumentException.class, e).getMessage();
    assertTrue(m.contains(part), "message '" + m + "' should say '" + part + "'");
  }
}
