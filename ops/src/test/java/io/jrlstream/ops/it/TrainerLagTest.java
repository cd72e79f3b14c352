package io.jrlstream.ops.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.pipeline.TrainerLag;
import io.jrlstream.streams.config.StreamsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * has committed; 0 never closes it. No trainer runs here: the group's offsets are committed by the test, so the
 * figures are exact.
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

  private static void await(LongSupplier lag, long expected) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (lag.getAsLong() != expected && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertEquals(expected, lag.getAsLong(), "lag");
  }
}
