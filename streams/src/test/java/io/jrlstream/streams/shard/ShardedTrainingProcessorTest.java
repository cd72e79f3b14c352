package io.jrlstream.streams.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.shard.DeltaCodec;
import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.shard.ShardTask;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.streams.train.CheckpointStore;
import io.jrlstream.streams.train.TrainingObserver;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The sharded task's processor without a broker: two tasks wired as Kafka wires them (each task's deltas go to the
 * other's update partition at once), every record a task received kept as its partition's log, which a restore
 * re-reads (as if everything were committed). Re-initialising a processor (Kafka Streams' revive) must rebuild its
 * state from that log alone; bad records are skipped and counted, live and in replay alike, or stop the task naming
 * the record.
 */
class ShardedTrainingProcessorTest {
  private static final String VIEW = "collaborative";
  private static final String BY_USER = "by-user";
  private static final String DELTAS = "deltas";
  private static final ShardSettings SHARD = new ShardSettings(2, 1, 1);
  private static final ModelConfig CONFIG = ModelConfig.defaults().mapViews(v -> v.withDim(4)).withSeed(5);
  private static final TrainingOptions OPTIONS = TrainingOptions.defaults().withBatchSize(4);
  /** A checkpoint every 3 mini-batches of a task, written over 2 (the defaults take none in these streams). */
  private static final TrainingOptions CHECKPOINTED = OPTIONS.withCheckpointBatches(3).withCheckpointEventsPerRow(0)
      .withCheckpointSpreadBatches(2);
  private static final int USERS = 12;

  /** Two tasks, their input logs and their checkpoint stores. */
  private static final class Tasks {
    final ShardedTrainingProcessor[] p = new ShardedTrainingProcessor[2];
    final List<MockProcessorContext<String, byte[]>> ctx = new ArrayList<>();
    final List<List<byte[]>> events = List.of(new ArrayList<>(), new ArrayList<>());
    final List<List<byte[]>> deltas = List.of(new ArrayList<>(), new ArrayList<>());
    final List<KeyValueStore<Bytes, byte[]>> stores = new ArrayList<>();
    final ShardTask[] ended = new ShardTask[2];
    final long[] replayed = new long[2];
    /** Per task, the offsets its last restore re-read from: update topic, by-user topic. */
    final long[][] from = new long[2][];
    final int[] checkpoints = new int[2];
    /** Per task, the checkpoint its last retention call would trim the input before (null: none asked). */
    final InputRetention.Checkpoint[] trimmed = new InputRetention.Checkpoint[2];
    final Set<String> items = new HashSet<>();
    /** What the two tasks hold, as the pipeline reads it. */
    final HeldRecords held = new HeldRecords();

    Tasks() {
      this(OPTIONS, TrainingObserver.NONE);
    }

    Tasks(TrainingOptions options) {
      this(options, TrainingObserver.NONE);
    }

    Tasks(TrainingOptions options, TrainingObserver training) {
      this(VIEW, options, SHARD, CONFIG, training);
    }

    Tasks(String view, TrainingOptions options, ShardSettings shard, ModelConfig config) {
      this(view, options, shard, config, TrainingObserver.NONE);
    }

    Tasks(String view, TrainingOptions options, ShardSettings shard, ModelConfig config, TrainingObserver training) {
      ShardReports reports = new ShardReports(view, training, held);
      ShardObserver observer = new ShardObserver() {
        @Override
        public void epochEnded(String view, ShardTask task, int epoch, IntPredicate ownsUser) {
          ended[task.index()] = task;
        }

        @Override
        public void started(String view, ShardTask task, long records, long millis) {
          replayed[task.index()] = records;
        }

        @Override
        public void checkpointCommitted(String view, ShardTask task, int rows, long bytes) {
          checkpoints[task.index()]++;
        }
      };
      for (int t = 0; t < 2; t++) {
        int task = t;
        CommittedInput input = (app, partition, deltasFrom, eventsFrom, d, e) -> {
          assertEquals(task, partition);
          from[partition] = new long[] {deltasFrom, eventsFrom};
          for (int i = (int) deltasFrom; i < deltas.get(partition).size(); i++) {
            d.accept(i, deltas.get(partition).get(i));
          }
          for (int i = (int) eventsFrom; i < events.get(partition).size(); i++) {
            e.accept(i, events.get(partition).get(i));
          }
          return new long[] {deltas.get(partition).size(), events.get(partition).size()};
        };
        InputRetention retention = (app, partition, c) -> trimmed[partition] = c;
        p[t] = new ShardedTrainingProcessor(view, config, options, shard, BY_USER, DELTAS, input, retention,
            observer, reports);
        Properties streams = new Properties();
        streams.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        streams.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        ctx.add(new MockProcessorContext<>(streams, new TaskId(0, t), null));
        ctx.get(t).setCurrentSystemTimeMs(0);
        KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(
            ShardedTopology.checkpointStore(view)), Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(ctx.get(t).getStateStoreContext(), store);
        ctx.get(t).addStateStore(store);
        stores.add(store);
        p[t].init(ctx.get(t));
      }
    }

    /** A by-user record for {@code task}. */
    void event(int task, byte[] value) {
      events.get(task).add(value);
      ctx.get(task).setRecordMetadata(BY_USER, task, events.get(task).size() - 1);
      p[task].process(new Record<>("k", value, 1000L + events.get(task).size()));
      pump();
    }

    /** User {@code user}'s event on {@code item}, routed as the router routes it (its task: user mod 2). */
    void event(int user, int item) {
      boolean first = items.add("i" + item);
      event(user % 2, new RoutedEvent(user, item, 3f, 1000L, first, "u" + user, "i" + item).encode());
    }

    /** An update-topic record for {@code task}. */
    void delta(int task, byte[] value) {
      delta(task, value, new RecordHeaders());
    }

    void delta(int task, byte[] value, Headers headers) {
      deltas.get(task).add(value);
      ctx.get(task).setRecordMetadata(DELTAS, task, deltas.get(task).size() - 1);
      p[task].process(new Record<>("d", value, 1000L, headers));
      pump();
    }

    /** Hands each task's forwarded deltas to the other, until none is left. */
    void pump() {
      boolean moved = true;
      while (moved) {
        moved = false;
        for (int t = 0; t < 2; t++) {
          List<Record<? extends String, ? extends byte[]>> out = new ArrayList<>();
          ctx.get(t).forwarded(ShardedTopology.DELTAS_SINK).forEach(f -> out.add(f.record()));
          ctx.get(t).resetForwards();
          for (Record<? extends String, ? extends byte[]> r : out) {
            moved = true;
            assertNotNull(r.headers().lastHeader(SettingsFingerprint.HEADER), "each message carries the settings");
            delta(1 - t, r.value(), r.headers());
          }
        }
      }
    }

    /** Sets both tasks' wall clock. */
    void at(long millis) {
      ctx.forEach(c -> c.setCurrentSystemTimeMs(millis));
    }

    /** A flush marker to both tasks (the router sends one to every partition), then the tasks settle. */
    void end() {
      event(0, (byte[]) null);
      event(1, (byte[]) null);
      settle();
    }

    /** Each task's re-check punctuation (the 10 ms wall clock's), until neither holds an event or 100 rounds. */
    void settle() {
      for (int round = 0; round < 100 && p[0].held() + p[1].held() > 0; round++) {
        for (int t = 0; t < 2; t++) {
          recheck(t).punctuate(0);
        }
        pump();
      }
    }

    Punctuator recheck(int task) {
      return ctx.get(task).scheduledPunctuators().get(0).getPunctuator();
    }
  }

  /** The events, in the validated topic's order: users and items drawn with a fixed seed. */
  private static int[][] stream(int n, long seed, boolean taskZeroOnly) {
    return stream(n, seed, taskZeroOnly, 8);
  }

  /** As {@link #stream(int, long, boolean)}, of {@code items} items. */
  private static int[][] stream(int n, long seed, boolean taskZeroOnly, int items) {
    Random r = new Random(seed);
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      int user = r.nextInt(USERS / 2) * 2 + (taskZeroOnly ? 0 : r.nextInt(2));
      out[i] = new int[] {user, r.nextInt(items)};
    }
    return out;
  }

  /** A flush marker in a stream of {@link #feed}. */
  private static final int[] MARKER = {-1, -1};

  private static void feed(Tasks tasks, int[][] events) {
    for (int[] e : events) {
      if (e == MARKER) {
        tasks.event(0, (byte[]) null);
        tasks.event(1, (byte[]) null);
      } else {
        tasks.event(e[0], e[1]);
      }
    }
  }

  /** The parts in order, then the end marker, undisturbed: what a disturbed run must end as. */
  private static Tasks reference(int[][]... parts) {
    return reference(OPTIONS, parts);
  }

  private static Tasks reference(TrainingOptions options, int[][]... parts) {
    return reference(VIEW, options, SHARD, CONFIG, parts);
  }

  private static Tasks reference(String view, TrainingOptions options, ShardSettings shard, ModelConfig config,
      int[][]... parts) {
    Tasks tasks = new Tasks(view, options, shard, config);
    for (int[][] part : parts) {
      feed(tasks, part);
    }
    tasks.end();
    return tasks;
  }

  @Test
  void shouldRebuildItsStateFromTheCommittedInputWhenInitialisedAgain() {
    Tasks straight = reference(stream(100, 1, false), stream(40, 2, true), stream(60, 3, false));

    Tasks revived = new Tasks();
    feed(revived, stream(100, 1, false));
    feed(revived, stream(40, 2, true));
    assertTrue(revived.p[0].held() > 0, "task 0 waits for task 1's deltas, holding events: the case that matters");
    revived.p[0].init(revived.ctx.get(0)); // Kafka Streams' revive: init again on the same object
    assertEquals(revived.events.get(0).size() + revived.deltas.get(0).size(), revived.replayed[0],
        "the revived task re-read its committed input");
    feed(revived, stream(60, 3, false));
    revived.end();

    for (int t = 0; t < 2; t++) {
      assertNotNull(revived.ended[t], "task " + t + " ended its epoch");
      assertEquals(straight.ended[t].events(), revived.ended[t].events(), "task " + t + ": every event trained once");
      assertEquals(straight.ended[t].closed(), revived.ended[t].closed(), "task " + t + "'s rounds");
      assertEquals(hash(straight.ended[t].trainer().view()), hash(revived.ended[t].trainer().view()),
          "task " + t + "'s parameters and optimiser state, bit for bit");
    }
    assertEquals(200, straight.ended[0].events() + straight.ended[1].events());
  }

  /**
   * A task revived after every few events, each time in a fresh pair of tasks: it loads its committed checkpoint
   * (some revivals fall while the next one is half written), re-reads only the records after the positions it
   * covers, and ends bit for bit as the uninterrupted task. The cuts fall while task 0 holds events that wait for
   * task 1's deltas, right after deltas arrived that no merge has used yet, mid-round and mid-batch: a checkpoint that
   * lost the held events, the inbox (deltas, the other task's epoch end), a base, a counter or an id would end
   * elsewhere. Under the defaults (s = 1,
   * L = 1), and under s = 2, L = 2 with a threshold (rows held back; checkpoints, every 3 batches, mid-round), the
   * latter also without replay on 40 items, where a row a checkpoint wrote may stay untouched for several rounds
   * (with replay every item row changes in every batch, which hides a row the checkpoint failed to write); and the
   * rating view (its MLP's dense rows shared too) under the defaults.
   */
  @Test
  void shouldRestoreFromItsCheckpointReReadingOnlyTheInputAfterIt() {
    ShardSettings held = new ShardSettings(2, 2, 2, true, 0, ShardSettings.Merge.MEAN, 0.5f, 3);
    restoreAtEveryCut(VIEW, SHARD, CONFIG, 8);
    restoreAtEveryCut(VIEW, held, CONFIG, 8);
    restoreAtEveryCut(VIEW, held, CONFIG.mapViews(v -> v.withStream(v.stream().withReplayRatio(0))), 40);
    restoreAtEveryCut("rating", SHARD, CONFIG, 8);
  }

  private static void restoreAtEveryCut(String view, ShardSettings shard, ModelConfig config, int items) {
    int[][] events = concat(stream(100, 1, false, items), stream(40, 2, true, items), new int[][] {MARKER},
        stream(60, 3, false, items));
    Tasks straight = reference(view, CHECKPOINTED, shard, config, events);
    int fromCheckpoint = 0;
    int holding = 0;
    for (int cut = 3; cut < events.length; cut += 4) {
      Tasks revived = new Tasks(view, CHECKPOINTED, shard, config);
      feed(revived, Arrays.copyOf(events, cut));
      int t = cut / 4 % 2;
      holding += revived.p[t].held() > 0 ? 1 : 0;
      revived.p[t].init(revived.ctx.get(t));
      long covered = new CheckpointStore(revived.stores.get(t), view, new TrainingObserver() { }).committed()
          .offset();
      long[] from = revived.from[t];
      assertEquals(covered + 1, from[1], "cut " + cut + ": the events after the checkpoint's position re-read");
      assertEquals(revived.deltas.get(t).size() - from[0] + revived.events.get(t).size() - from[1],
          revived.replayed[t], "cut " + cut + ": only the records after the checkpoint re-read");
      if (revived.checkpoints[t] > 0) {
        fromCheckpoint++;
        assertTrue(from[1] > 0, "cut " + cut + ": restored from a checkpoint");
      }
      feed(revived, Arrays.copyOfRange(events, cut, events.length));
      revived.end();
      for (int u = 0; u < 2; u++) {
        assertNotNull(revived.ended[u], "cut " + cut + ": task " + u + " ended its epoch");
        assertEquals(straight.ended[u].events(), revived.ended[u].events(), "cut " + cut + ", task " + u);
        assertEquals(straight.ended[u].closed(), revived.ended[u].closed(), "cut " + cut + ", task " + u);
        assertEquals(hash(straight.ended[u].trainer().view()), hash(revived.ended[u].trainer().view()),
            "cut " + cut + ", task " + u + ": parameters and optimiser state, bit for bit");
        assertEquals(straight.p[u].userIds(), revived.p[u].userIds(), "cut " + cut + ", task " + u + "'s users");
        assertEquals(straight.p[u].itemIds(), revived.p[u].itemIds(), "cut " + cut + ", task " + u + "'s items");
      }
    }
    assertTrue(fromCheckpoint >= 40, view + ", " + shard + ": restores from a checkpoint: " + fromCheckpoint);
    assertTrue(holding >= 2, view + ", " + shard + ": restores of a task holding events: " + holding);
  }

  /**
   * On a long history (3,000 events) a restore re-reads about a checkpoint interval (at most 5 batches of 4 events
   * and their deltas), plus the events the task holds, not the partition, and ends as the uninterrupted task; without
   * checkpoints it re-reads everything. Prints both restores' records and times.
   */
  @Test
  void shouldReReadAboutACheckpointIntervalOfALongHistory() {
    int[][] events = stream(3000, 8, false);
    Tasks straight = reference(CHECKPOINTED, events);
    Tasks tasks = new Tasks(CHECKPOINTED);
    Tasks whole = new Tasks(OPTIONS);
    feed(tasks, events);
    feed(whole, events);
    for (int t = 0; t < 2; t++) {
      long log = tasks.events.get(t).size() + tasks.deltas.get(t).size();
      int held = tasks.p[t].held();
      long t0 = System.nanoTime();
      tasks.p[t].init(tasks.ctx.get(t));
      long t1 = System.nanoTime();
      whole.p[t].init(whole.ctx.get(t));
      long t2 = System.nanoTime();
      System.out.printf("task %d of %d records, holding %d: from its checkpoint %d re-read in %.1f ms, without %d in "
          + "%.1f ms%n", t, log, held, tasks.replayed[t], (t1 - t0) / 1e6, whole.replayed[t], (t2 - t1) / 1e6);
      assertTrue(log > 1800 && tasks.replayed[t] <= held + 30, "task " + t + " re-read " + tasks.replayed[t] + " of "
          + log + ", holding " + held);
      assertEquals(log, whole.replayed[t], "task " + t + " without a checkpoint");
    }
    tasks.end();
    assertSameTasks(straight, tasks);
  }

  /**
   * A record delivered again (at_least_once after a crash: the store's checkpoint ahead of the committed offsets)
   * changes nothing: the task has read it.
   */
  @Test
  void shouldIgnoreARecordItHasReadWhenItComesAgain() {
    int[][] events = stream(60, 9, false);
    Tasks straight = reference(CHECKPOINTED, events);
    Tasks tasks = new Tasks(CHECKPOINTED);
    feed(tasks, Arrays.copyOf(events, 30));
    tasks.p[0].init(tasks.ctx.get(0));
    for (int t = 0; t < 2; t++) {
      for (int i = tasks.events.get(t).size() - 5; i < tasks.events.get(t).size(); i++) {
        tasks.ctx.get(t).setRecordMetadata(BY_USER, t, i);
        tasks.p[t].process(new Record<>("k", tasks.events.get(t).get(i), 1000L));
      }
      int last = tasks.deltas.get(t).size() - 1;
      tasks.ctx.get(t).setRecordMetadata(DELTAS, t, last);
      tasks.p[t].process(new Record<>("d", tasks.deltas.get(t).get(last), 1000L));
      tasks.pump();
    }
    feed(tasks, Arrays.copyOfRange(events, 30, 60));
    tasks.end();
    assertSameTasks(straight, tasks);
  }

  /**
   * The retention is asked to delete only input the task's latest complete checkpoint covers: a restore, which loads
   * that checkpoint, re-reads from at or after those positions, and ends as the task that ran through.
   */
  @Test
  void shouldTrimOnlyTheInputBeforeTheLatestCompleteCheckpoint() {
    Tasks straight = reference(stream(200, 13, false), stream(60, 14, false));
    Tasks tasks = new Tasks(CHECKPOINTED);
    feed(tasks, stream(200, 13, false));
    for (int t = 0; t < 2; t++) {
      assertTrue(tasks.checkpoints[t] > 1, "task " + t + "'s checkpoints: " + tasks.checkpoints[t]);
      tasks.ctx.get(t).scheduledPunctuators().get(2).getPunctuator().punctuate(0); // the retention's check
      InputRetention.Checkpoint c = tasks.trimmed[t];
      assertNotNull(c, "task " + t + " asked to trim");
      assertTrue(c.eventsFrom() > 0 && c.eventsFrom() <= c.eventsRead() && c.deltasFrom() <= c.deltasRead(), "" + c);
      tasks.p[t].init(tasks.ctx.get(t)); // a restore: from the latest committed checkpoint
      assertTrue(tasks.from[t][0] >= c.deltasFrom() && tasks.from[t][1] >= c.eventsFrom(), "task " + t
          + " re-read from " + Arrays.toString(tasks.from[t]) + ", the input before " + c + " may be gone");
    }
    feed(tasks, stream(60, 14, false));
    tasks.end();
    assertSameTasks(straight, tasks);
  }

  /** A checkpoint written under other settings (here another seed) stops the task that would load it. */
  @Test
  void shouldRefuseACheckpointWrittenUnderOtherSettings() {
    Tasks tasks = new Tasks(CHECKPOINTED);
    feed(tasks, stream(60, 10, false));
    assertTrue(tasks.checkpoints[0] > 0, "a checkpoint committed");
    CommittedInput none = (app, partition, deltasFrom, eventsFrom, d, e) -> new long[] {deltasFrom, eventsFrom};
    ShardedTrainingProcessor other = new ShardedTrainingProcessor(VIEW, CONFIG.withSeed(6), CHECKPOINTED, SHARD,
        BY_USER, DELTAS, none, ShardObserver.NONE, new ShardReports(VIEW, TrainingObserver.NONE));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> other.init(tasks.ctx.get(0)));
    assertTrue(e.getMessage().contains("written under other settings"), e.getMessage());
  }

  private static int[][] concat(int[][]... parts) {
    return Arrays.stream(parts).flatMap(Arrays::stream).toArray(int[][]::new);
  }

  @Test
  void shouldSkipAndCountRecordsThatAreNotRoutedEventsLiveAndInReplay() {
    Tasks clean = reference(stream(80, 1, false));

    Tasks bad = new Tasks();
    int[][] events = stream(80, 1, false);
    for (int i = 0; i < events.length; i++) {
      if (i == 10 || i == 50) {
        bad.event(0, new byte[] {9, 9, 9}); // another format
        bad.event(1, new byte[0]); // truncated
      }
      bad.event(events[i][0], events[i][1]);
    }
    assertEquals(2, bad.p[0].skippedEvents());
    assertEquals(2, bad.p[1].skippedEvents());
    bad.p[1].init(bad.ctx.get(1)); // the replay meets the same records and skips the same
    assertEquals(2, bad.p[1].skippedEvents(), "the replay skipped what the live run skipped");
    bad.end();
    assertSameTasks(clean, bad);
  }

  @Test
  void shouldSkipForeignBytesOnTheUpdateTopicButStopAtAShardMessageThatDoesNotFit() {
    Tasks clean = reference(stream(60, 4, false));

    Tasks tasks = new Tasks();
    int[][] events = stream(60, 4, false);
    feed(tasks, Arrays.copyOf(events, 30));
    tasks.delta(0, new byte[] {1, 2, 3});
    tasks.delta(0, null);
    tasks.delta(0, "not a delta at all, but long enough".getBytes(StandardCharsets.UTF_8));
    assertEquals(3, tasks.p[0].skippedMessages());
    feed(tasks, Arrays.copyOfRange(events, 30, 60));
    tasks.end();
    assertEquals(hash(clean.ended[0].trainer().view()), hash(tasks.ended[0].trainer().view()),
        "the skipped bytes changed nothing");

    int offset = tasks.deltas.get(1).size();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> tasks.delta(1, DeltaCodec.encodeEnd(5, 1, 0)));
    assertTrue(e.getMessage().contains(DELTAS + "-1 offset " + offset) && e.getMessage().contains("task 5"),
        e.getMessage());
    byte[] tables = ByteBuffer.allocate(16).put((byte) 'J').put((byte) 'D').put((byte) DeltaCodec.VERSION)
        .put((byte) 0).putInt(0).putInt(99).putInt(99).array(); // a delta of 99 shared tables
    IllegalStateException f = assertThrows(IllegalStateException.class, () -> tasks.delta(1, tables));
    assertTrue(f.getMessage().contains(DELTAS + "-1 offset " + (offset + 1)) && f.getMessage().contains("99 shared"),
        f.getMessage());
  }

  @Test
  void shouldTrainAtMostABoundedNumberOfHeldEventsPerCallAndTheRestFromThePunctuation() {
    int n = ShardedTrainingProcessor.DRAIN_EVENTS + 500;
    Tasks straight = reference(stream(40, 5, false), stream(n, 6, true));

    Tasks tasks = new Tasks();
    feed(tasks, stream(40, 5, false));
    feed(tasks, stream(n, 6, true)); // task 1 has nothing: task 0 soon waits for its deltas, holding the rest
    tasks.event(0, (byte[]) null);
    int held = tasks.p[0].held();
    assertTrue(held > ShardedTrainingProcessor.DRAIN_EVENTS, "held: " + held);
    tasks.event(1, (byte[]) null); // task 1's epoch end frees task 0: one call trains the bound, no more
    int trained = held - tasks.p[0].held();
    // Task 1's last delta (one call) may free a few rounds of 4 events before its epoch end (the next call) frees
    // the rest.
    assertTrue(trained >= ShardedTrainingProcessor.DRAIN_EVENTS && trained <= ShardedTrainingProcessor.DRAIN_EVENTS
        + 16, "trained by the epoch end's arrival: " + trained);
    assertNull(tasks.ended[0], "task 0's epoch has not ended yet");
    tasks.recheck(0).punctuate(0);
    tasks.pump();
    assertEquals(0, tasks.p[0].held(), "the punctuation trained the rest");
    assertNotNull(tasks.ended[0]);
    assertEquals(straight.ended[0].events(), tasks.ended[0].events());
    assertEquals(hash(straight.ended[0].trainer().view()), hash(tasks.ended[0].trainer().view()),
        "where the drain stops changes when the task trains, never what");
  }

  @Test
  void shouldRefuseAMessageWrittenUnderOtherSettingsNamingTheKeys() {
    Tasks tasks = new Tasks();
    feed(tasks, stream(20, 7, false));
    byte[] other = SettingsFingerprint.of(VIEW, new ShardSettings(2, 3, 1), 4, CONFIG.withSeed(6));
    byte[] end = DeltaCodec.encodeEnd(1, 0, 0);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> tasks.delta(0, end, new RecordHeaders().add(SettingsFingerprint.HEADER, other)));
    String m = e.getMessage();
    assertTrue(m.contains("jrl.views.collaborative.sync.batches: this task 1, the sender 3")
        && m.contains("jrl.seed: this task 5, the sender 6") && m.contains(DELTAS + "-0 offset")
        && !m.contains("sync.lag"), m);
  }

  @Test
  void shouldReportEveryEventAndBothTasksLiveQualityUnderTheViewsNameWithoutChangingTheTraining() {
    Tasks plain = reference(stream(300, 8, false));
    long[] events = {0};
    long[] published = {0};
    List<PrequentialMeter.Snapshot> quality = new ArrayList<>();
    TrainingObserver training = new TrainingObserver() {
      @Override
      public void batchApplied(String view, StreamingTrainer trainer, int n, long timestamp, boolean due) {
        assertEquals(VIEW, view);
        events[0] += n;
      }

      @Override
      public void published(String view, int users, int items) {
        published[0] += users + items;
      }

      @Override
      public void quality(String view, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {
        assertEquals(VIEW, view);
        quality.add(model);
      }
    };
    Tasks measured = new Tasks(OPTIONS.withQuality(new TrainingOptions.Quality(1, 20)), training);
    feed(measured, stream(300, 8, false));
    measured.end();

    assertEquals(300, events[0], "every event of both tasks reported in a mini-batch, the epoch's last ones too");
    assertTrue(published[0] >= USERS, "rows published: " + published[0]);
    PrequentialMeter.Snapshot last = quality.get(quality.size() - 1);
    long closed = measured.ended[0].events() / 20 * 20 + measured.ended[1].events() / 20 * 20;
    assertEquals(closed, last.measured(), "every event of both tasks' closed windows measured (each its own)");
    assertEquals(last.measured(), last.ranked() + last.repeats() + last.coldUsers());
    assertTrue(last.ranked() > 0 && last.hits() > 0, "ranked " + last.ranked() + ", hits " + last.hits());
    for (int t = 0; t < 2; t++) {
      assertEquals(hash(plain.ended[t].trainer().view()), hash(measured.ended[t].trainer().view()),
          "task " + t + ": measuring changed no parameter");
    }
  }

  @Test
  void shouldTrainOnWhenTheTrainingObserverFails() {
    Tasks plain = reference(stream(120, 11, false));
    TrainingObserver broken = new TrainingObserver() {
      @Override
      public void batchApplied(String view, StreamingTrainer trainer, int n, long timestamp, boolean due) {
        throw new IllegalStateException("a metrics bug");
      }

      @Override
      public void quality(String view, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {
        throw new ArrayIndexOutOfBoundsException("another");
      }
    };
    Tasks tasks = new Tasks(OPTIONS.withQuality(new TrainingOptions.Quality(1, 5)), broken);
    feed(tasks, stream(120, 11, false));
    tasks.end();
    assertSameTasks(plain, tasks);
  }

  @Test
  void shouldPublishTheUsersOfNewEventsBetweenRefreshesNotEveryRowReplayMoved() {
    Published published = new Published();
    Tasks tasks = new Tasks(OPTIONS, published);
    feed(tasks, stream(100, 12, true)); // task 0's users only: task 1 has nothing to wait for
    tasks.end();
    Punctuator publish = tasks.ctx.get(0).scheduledPunctuators().get(1).getPunctuator();
    tasks.ctx.get(0).setCurrentSystemTimeMs(100);
    publish.punctuate(100);
    long before = published.users;
    for (int i = 0; i < 8; i++) {
      tasks.event(0, i % 8); // two batches of user 0 alone; replay moves the other users too
    }
    tasks.ctx.get(0).setCurrentSystemTimeMs(200); // within the refresh interval (1 s)
    publish.punctuate(200);
    assertEquals(1, published.users - before, "user 0 alone");
    tasks.ctx.get(0).setCurrentSystemTimeMs(1300); // a refresh: every row changed since the last one
    for (int i = 0; i < 4; i++) {
      tasks.event(2, i);
    }
    publish.punctuate(1300);
    long refreshed = published.users - before;
    assertTrue(refreshed > 2, "the refresh publishes what replay moved: " + refreshed);
  }

  /**
   * The records a task holds while it waits for a merge (its committed offset is past them) count in the view's
   * {@link HeldRecords}, which the pipeline adds to the view's lag, until the task trains them; a task that closes
   * (moved to another instance) no longer counts here.
   */
  @Test
  void shouldCountTheRecordsATaskHoldsUntilItTrainsThem() {
    Tasks tasks = new Tasks();
    feed(tasks, stream(60, 15, true)); // task 1 has nothing: task 0 soon waits for its delta, holding the rest
    int held = tasks.p[0].held();
    assertTrue(held > 0, "task 0 waits");
    assertEquals(held, tasks.held.total(), "what task 0 holds, task 1 none");
    tasks.event(0, (byte[]) null); // task 0's flush marker: held behind its backlog
    assertEquals(held + 1, tasks.held.total(), "the marker is held too");
    tasks.event(1, (byte[]) null); // task 1's epoch end (before round 1): task 0's merges are complete
    tasks.settle();
    assertEquals(0, tasks.p[0].held());
    assertEquals(0, tasks.held.total(), "everything trained");
    feed(tasks, stream(60, 16, true));
    assertTrue(tasks.held.total() > 0, "task 0 waits again, in the next epoch");
    tasks.p[0].close();
    assertEquals(0, tasks.held.total(), "a closed task's records no longer count here");
  }

  @Test
  void shouldNotRefreshWhileItWaitsForAMergeHoldingEvents() {
    Published published = new Published();
    Tasks tasks = new Tasks(OPTIONS, published);
    feed(tasks, stream(60, 15, true)); // task 1 has nothing: task 0 soon waits for its delta, holding the rest
    assertTrue(tasks.p[0].held() > 0, "task 0 waits");
    Punctuator publish = tasks.ctx.get(0).scheduledPunctuators().get(1).getPunctuator();
    tasks.at(300);
    publish.punctuate(300);
    long before = published.items;
    tasks.at(400); // no batch since, but events held: not quiet, and the refresh interval has not passed
    publish.punctuate(400);
    assertEquals(before, published.items, "a task waiting for a merge refreshed (every owned item again)");
  }

  @Test
  void shouldRepublishOnlyTheItemsWhoseVectorChangedAtARefresh() {
    Published published = new Published();
    Tasks tasks = new Tasks(OPTIONS, published);
    feed(tasks, stream(100, 9, false));
    tasks.at(1000); // the refresh interval (1 s) has passed: the epoch end's publication refreshes
    tasks.end();
    assertEquals(tasks.items.size(), published.items, "each item once, by its one publisher");
    tasks.end(); // an epoch without events: a refresh (quiet), but no vector changed
    assertEquals(tasks.items.size(), published.items, "nothing republished");
    feed(tasks, new int[][] {{0, 3}, {2, 3}, {4, 3}, {6, 3}, {8, 3}}); // item 3 only, task 0 only
    tasks.end(); // task 0: within the refresh interval, its items wait for the next refresh (task 1, quiet: now)
    tasks.at(2000);
    for (int t = 0; t < 2; t++) {
      tasks.ctx.get(t).scheduledPunctuators().get(1).getPunctuator().punctuate(2000); // publication: a refresh
    }
    long again = published.items - tasks.items.size();
    // (with replay, five events train many past interactions too: most items move)
    assertTrue(again >= 1 && again <= tasks.items.size(), "item 3 and what it trained with: " + again);
  }


  /** Counts the rows the tasks report published. */
  private static final class Published implements TrainingObserver {
    long users;
    long items;

    @Override
    public void published(String view, int u, int i) {
      users += u;
      items += i;
    }
  }

  /** Each task of {@code actual} trained as many events as {@code expected}'s and ended bit for bit as it. */
  private static void assertSameTasks(Tasks expected, Tasks actual) {
    for (int t = 0; t < 2; t++) {
      assertEquals(expected.ended[t].events(), actual.ended[t].events(), "task " + t + "'s events");
      assertEquals(hash(expected.ended[t].trainer().view()), hash(actual.ended[t].trainer().view()), "task " + t);
    }
  }

  /** Every row of every parameter, value and optimiser state. */
  private static long hash(View v) {
    long h = 1;
    for (Param p : v.params()) {
      for (int row = 0; row < p.value().size(); row++) {
        for (float f : p.value().row(row)) {
          h = h * 31 + Float.floatToRawIntBits(f);
        }
        float[] st = p.state1OrNull(row);
        for (int j = 0; st != null && j < st.length; j++) {
          h = h * 31 + Float.floatToRawIntBits(st[j]);
        }
      }
    }
    return h;
  }
}
