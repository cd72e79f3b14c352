package io.jrlstream.streams.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.param.Param;
import io.jrlstream.core.shard.DeltaCodec;
import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.shard.ShardTask;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.train.StreamingTrainer;
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
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.Punctuator;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
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
  private static final int USERS = 12;

  /** Two tasks and their input logs. */
  private static final class Tasks {
    final ShardedTrainingProcessor[] p = new ShardedTrainingProcessor[2];
    final List<MockProcessorContext<String, byte[]>> ctx = new ArrayList<>();
    final List<List<byte[]>> events = List.of(new ArrayList<>(), new ArrayList<>());
    final List<List<byte[]>> deltas = List.of(new ArrayList<>(), new ArrayList<>());
    final ShardTask[] ended = new ShardTask[2];
    final long[] replayed = new long[2];
    final Set<String> items = new HashSet<>();

    Tasks() {
      this(OPTIONS, TrainingObserver.NONE);
    }

    Tasks(TrainingOptions options, TrainingObserver training) {
      ShardReports reports = new ShardReports(VIEW, training);
      ShardObserver observer = new ShardObserver() {
        @Override
        public void epochEnded(String view, ShardTask task, int epoch, IntPredicate ownsUser) {
          ended[task.index()] = task;
        }

        @Override
        public void started(String view, ShardTask task, long records, long millis) {
          replayed[task.index()] = records;
        }
      };
      for (int t = 0; t < 2; t++) {
        int task = t;
        CommittedInput input = (app, partition, d, e) -> {
          assertEquals(task, partition);
          for (int i = 0; i < deltas.get(partition).size(); i++) {
            d.accept(i, deltas.get(partition).get(i));
          }
          for (int i = 0; i < events.get(partition).size(); i++) {
            e.accept(i, events.get(partition).get(i));
          }
          return new long[] {deltas.get(partition).size(), events.get(partition).size()};
        };
        p[t] = new ShardedTrainingProcessor(VIEW, CONFIG, options, SHARD, BY_USER, DELTAS, input, observer,
            reports);
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        ctx.add(new MockProcessorContext<>(config, new TaskId(0, t), null));
        ctx.get(t).setCurrentSystemTimeMs(0);
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
    Random r = new Random(seed);
    int[][] out = new int[n][];
    for (int i = 0; i < n; i++) {
      int user = r.nextInt(USERS / 2) * 2 + (taskZeroOnly ? 0 : r.nextInt(2));
      out[i] = new int[] {user, r.nextInt(8)};
    }
    return out;
  }

  private static void feed(Tasks tasks, int[][] events) {
    for (int[] e : events) {
      tasks.event(e[0], e[1]);
    }
  }

  /** The parts in order, then the end marker, undisturbed: what a disturbed run must end as. */
  private static Tasks reference(int[][]... parts) {
    Tasks tasks = new Tasks();
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
    for (int t = 0; t < 2; t++) {
      assertEquals(clean.ended[t].events(), bad.ended[t].events(), "task " + t + "'s events");
      assertEquals(hash(clean.ended[t].trainer().view()), hash(bad.ended[t].trainer().view()), "task " + t);
    }
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
    for (int t = 0; t < 2; t++) {
      assertEquals(hash(plain.ended[t].trainer().view()), hash(tasks.ended[t].trainer().view()), "task " + t);
    }
  }

  @Test
  void shouldPublishTheUsersOfNewEventsBetweenRefreshesNotEveryRowReplayMoved() {
    long[] users = {0};
    TrainingObserver training = new TrainingObserver() {
      @Override
      public void published(String view, int n, int items) {
        users[0] += n;
      }
    };
    Tasks tasks = new Tasks(OPTIONS, training);
    feed(tasks, stream(100, 12, true)); // task 0's users only: task 1 has nothing to wait for
    tasks.end();
    Punctuator publish = tasks.ctx.get(0).scheduledPunctuators().get(1).getPunctuator();
    tasks.ctx.get(0).setCurrentSystemTimeMs(100);
    publish.punctuate(100);
    long before = users[0];
    for (int i = 0; i < 8; i++) {
      tasks.event(0, i % 8); // two batches of user 0 alone; replay moves the other users too
    }
    tasks.ctx.get(0).setCurrentSystemTimeMs(200); // within the refresh interval (1 s)
    publish.punctuate(200);
    assertEquals(1, users[0] - before, "user 0 alone");
    tasks.ctx.get(0).setCurrentSystemTimeMs(1300); // a refresh: every row changed since the last one
    for (int i = 0; i < 4; i++) {
      tasks.event(2, i);
    }
    publish.punctuate(1300);
    assertTrue(users[0] - before > 2, "the refresh publishes what replay moved: " + (users[0] - before));
  }

  @Test
  void shouldRepublishAtAnEpochEndOnlyTheItemsWhoseVectorChanged() {
    long[] items = {0};
    TrainingObserver training = new TrainingObserver() {
      @Override
      public void published(String view, int users, int n) {
        items[0] += n;
      }
    };
    Tasks tasks = new Tasks(OPTIONS, training);
    feed(tasks, stream(100, 9, false));
    tasks.end();
    assertEquals(tasks.items.size(), items[0], "each item once, by its one publisher");
    tasks.end(); // an epoch without events: no vector changed
    assertEquals(tasks.items.size(), items[0], "nothing republished");
    feed(tasks, new int[][] {{0, 3}, {2, 3}, {4, 3}, {6, 3}, {8, 3}}); // item 3 only, task 0 only
    tasks.end();
    long again = items[0] - tasks.items.size();
    // (with replay, five events train many past interactions too: most items move)
    assertTrue(again >= 1 && again <= tasks.items.size(), "item 3 and what it trained with: " + again);
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
