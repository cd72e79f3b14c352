package io.jrlstream.ops.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.ops.it.TrainerFixtures.Input;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.pipeline.TrainerLag;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.shard.ShardedTopology;
import io.jrlstream.streams.train.TrainingObserver;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness and trainer lag (issue 14): the lag of a view's trainer on the validated topic, from its committed
 * offsets, closes the {@code trainer lag} readiness gate beyond the threshold and opens it again once the trainer
 * has committed; 0 never closes it. No trainer runs in the first test: the group's offsets are committed by the
 * test, so the figures are exact. The second runs a sharded view whose task holds events it has taken.
 */
class TrainerLagTest {
  @TempDir
  Path dir;

  @Test
  void shouldCloseTheReadinessGateWhileATrainerIsBeyondTheThresholdAndOpenItWhenItCommits() throws Exception {
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      StreamsSettings s = StreamsSettings.defaults(broker.bootstrapServers()).withApplicationId("jrl-it-lag");
      try (Admin admin = Admin.create(s.kafkaProperties())) {
        TopicAdmin.ensureTopics(admin, Pipeline.topics(s, List.of("review")));
      }
      try (KafkaProducer<String, byte[]> producer = TrainerFixtures.producer(broker.bootstrapServers())) {
        for (int i = 0; i < 50; i++) {
          producer.send(new ProducerRecord<>(s.validatedTopic(), 0, "u" + i, new byte[] {1}));
        }
        producer.flush();
      }
      Health health = new Health();
      try (TrainerLag lag = TrainerLag.start(s, List.of("review"), 10, Duration.ofMillis(100)).gate(health);
          TrainerLag unchecked = TrainerLag.start(s, List.of("review"), 0, Duration.ofMillis(100))) {
        await(() -> lag.viewLag("review"), 50);
        assertEquals(0, lag.ingestionLag(), "nothing on the input topics");
        assertTrue(lag.notReady().contains("trainer review is 50 records behind on jrl.validated"), lag.notReady());
        Health.Report r = health.check();
        assertTrue(!r.ready() && r.live(), "lag makes the instance unready, never unhealthy");
        assertTrue(r.notReady().contains("50 records behind"), r.notReady());
        await(() -> unchecked.viewLag("review"), 50);
        assertNull(unchecked.notReady(), "threshold 0: never unready for lag");

        // The trainer commits (a transactional commit leaves the marker after its offset: lag counts it out).
        try (Admin admin = Admin.create(s.kafkaProperties())) {
          admin.alterConsumerGroupOffsets(Pipeline.viewApplicationId(s, "review"),
              Map.of(new TopicPartition(s.validatedTopic(), 0), new OffsetAndMetadata(45))).all().get();
        }
        await(() -> lag.viewLag("review"), 4);
        assertNull(lag.notReady(), "4 records behind is within 10");
        assertTrue(health.check().gates().isEmpty());
      }
    }
    assertThrows(IllegalArgumentException.class, () -> TrainerLag.start(
        StreamsSettings.defaults("127.0.0.1:1"), List.of("review"), -1, Duration.ofSeconds(1)));
  }

  /**
   * A sharded view (2 tasks, s = 1, L = 1, batches of 4) whose events all belong to task 0's users: task 0 trains two
   * batches (rounds 1 and 2), then waits for task 1's round-1 delta, which task 1, given no event, never sends; only
   * an epoch end (a flush marker) frees task 0. Meanwhile task 0 holds the other events and every committed offset
   * is past them (the committed-offset lag reads 0). The view's lag counts them, in the pipeline and in the
   * readiness gate, and {@code awaitCaughtUp} does not return until they have trained.
   */
  @Test
  void shouldCountTheEventsAShardedViewsTaskHoldsAsLagUntilTheyTrain() throws Exception {
    String view = "collaborative";
    int events = 40;
    AtomicLong trained = new AtomicLong();
    TrainingObserver counter = new TrainingObserver() {
      @Override
      public void batchApplied(String v, StreamingTrainer trainer, int n, long timestamp, boolean due) {
        trained.addAndGet(n);
      }
    };
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      StreamsSettings s = StreamsSettings.defaults(broker.bootstrapServers()).withApplicationId("jrl-it-held");
      // Ingestion writes no flush marker within the test (after 10 minutes): the test writes the one that frees task 0.
      Pipeline.Options o = new Pipeline.Options(List.of(view), dir.resolve("state"), Map.of(),
          TrainingOptions.defaults().withBatchSize(4).withFlushAfterMs(600_000),
          Map.of(view, new ShardSettings(2, 1, 1)));
      Health health = new Health();
      try (Metrics metrics = Metrics.create();
          Pipeline p = metrics.bind(Pipeline.start(s, TrainerFixtures.config(), o, null, counter), List.of(view));
          TrainerLag lag = TrainerLag.start(s, List.of(view), 10, Duration.ofMillis(100), p).gate(health);
          Admin admin = Admin.create(s.kafkaProperties());
          KafkaProducer<String, byte[]> producer = TrainerFixtures.producer(broker.bootstrapServers())) {
        p.awaitRunning(Duration.ofMinutes(1));
        long now = System.currentTimeMillis();
        int n = 0;
        for (int u = 0; n < events; u++) {
          String user = "user-" + u;
          for (int i = 0; i < 4 && ShardedTopology.taskOf(user, 2) == 0; i++, n++) {
            TrainerFixtures.send(producer, s.reviews().name(), Input.good(TrainerFixtures.review("e" + n, now + n,
                user, "item-" + n % 7, 4, "", "fine"), now + n));
          }
        }
        producer.flush();
        // Everything committed, the events task 0 holds aside: what the pipeline counts, and the offsets alone.
        awaitTrue(() -> p.heldRecords(view) == events - 8 && p.viewLag(admin, view) == events - 8,
            () -> "lag " + p.viewLag(admin, view) + ", held " + p.heldRecords(view));
        assertEquals(8, trained.get(), "task 0 trained two batches, then waits for task 1's round-1 delta");
        assertEquals(0, Pipeline.lag(admin, s, List.of(view)), "the committed offsets are past the held events");
        assertEquals(events - 8, p.lag(admin), "the held events are the pipeline's lag");
        assertEquals(events - 8, metrics.registry().get("jrl.trainer.held.records").tag("view", view).gauge()
            .value(), "jrl_trainer_held_records");
        await(() -> lag.viewLag(view), events - 8);
        assertTrue(lag.notReady().contains("trainer collaborative is 32 records behind"), lag.notReady());
        assertTrue(!health.check().ready(), "not ready while the held events exceed jrl.ready.max.trainer.lag");
        assertThrows(IllegalStateException.class, () -> p.awaitCaughtUp(Duration.ofSeconds(1)),
            "caught up while events are held");

        // The flush marker ingestion writes once events have waited jrl.flush.after.ms: task 1 ends the epoch before
        // round 1, so task 0's merges are complete and it trains what it holds.
        producer.send(new ProducerRecord<>(s.validatedTopic(), 0, (String) null, (byte[]) null)).get();
        p.awaitCaughtUp(Duration.ofSeconds(60));
        assertEquals(events, trained.get(), "awaitCaughtUp returned once every event had trained");
        assertEquals(0, p.heldRecords(view));
        await(() -> lag.viewLag(view), 0);
        assertNull(lag.notReady());
      }
    }
  }

  private static void awaitTrue(Callable<Boolean> condition, Callable<String> what) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    boolean met;
    while (!(met = condition.call()) && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertTrue(met, what.call());
  }

  private static void await(LongSupplier lag, long expected) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (lag.getAsLong() != expected && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertEquals(expected, lag.getAsLong(), "lag");
  }
}
