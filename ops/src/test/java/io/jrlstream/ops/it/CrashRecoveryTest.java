package io.jrlstream.ops.it;

import static io.jrlstream.ops.it.TrainerFixtures.BATCH;
import static io.jrlstream.ops.it.TrainerFixtures.DIM;
import static io.jrlstream.ops.it.TrainerFixtures.SEED;
import static io.jrlstream.ops.it.TrainerFixtures.VIEWS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.ops.it.TrainerFixtures.Input;
import io.jrlstream.ops.it.TrainerFixtures.OfflineRun;
import io.jrlstream.ops.it.TrainerFixtures.Published;
import io.jrlstream.ops.kafka.ChildJvm;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.pipeline.TrainerMain;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.train.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer killed mid-stream (a child JVM halted: no clean close, transactions left open), restarted and run
 * to the end: the final embeddings equal bit for bit those of an uninterrupted one-pass run of model-core's
 * trainer over the same events (which {@link BrokerTrainingTest} shows the uninterrupted streaming trainer
 * publishes). Once with the same state directory (same transactional ids: the restarted producers fence the
 * halted ones) and publication after every batch, where the whole committed embedding log equals the
 * uninterrupted run's; once with the state directory wiped (every store restored from its changelog; the
 * halted transactions end by timing out) and coalesced publication (the default 100 ms), where rows the
 * restart re-trains may be published twice, but the latest value of every key must be exact.
 */
class CrashRecoveryTest {
  private static final String APP_ID = "jrl-it-crash";
  private static final Duration START = Duration.ofSeconds(60);
  /** The input, and how fast its first half is produced while the first trainer runs. */
  private static final SyntheticSpec SPEC = new SyntheticSpec(100, 60, 4, 10, 0, 6);
  private static final double EVENTS_PER_SECOND = 250;

  @TempDir
  Path dir;

  @Test
  void shouldPublishWhatAnUninterruptedRunPublishesAfterAHaltAndARestartOnTheSameStateDir() throws Exception {
    crashAndRecover(false, 0);
  }

  @Test
  void shouldPublishWhatAnUninterruptedRunPublishesAfterAHaltAndARestartOnAWipedStateDir() throws Exception {
    crashAndRecover(true, TrainingOptions.defaults().publishIntervalMs());
  }

  private void crashAndRecover(boolean wipeState, long publishIntervalMs) throws Exception {
    List<Input> inputs = TrainerFixtures.goodEvents(SPEC, 33L, System.currentTimeMillis());
    Dataset offlineData = TrainerFixtures.offlineDataset(inputs);
    Path stateDir = dir.resolve("state");
    // Short session and transaction timeouts, so that the halted instance leaves the group and (with a wiped
    // state directory, i.e. new transactional ids) its open transactions abort within seconds.
    LocalBroker.Settings brokerSettings = LocalBroker.Settings.of(dir.resolve("broker"))
        .withBrokerOverride("group.min.session.timeout.ms", "1000")
        .withBrokerOverride("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500");
    long t0 = System.nanoTime();
    try (LocalBroker broker = LocalBroker.start(brokerSettings);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      String bootstrap = broker.bootstrapServers();
      StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId(APP_ID);
      TopicAdmin.ensureTopics(admin, Pipeline.topics(s, VIEWS));
      List<String> topics = VIEWS.stream().map(s::embeddingsTopic).toList();

      AtomicInteger sent = new AtomicInteger();
      AtomicReference<Throwable> producerFailure = new AtomicReference<>();
      CountDownLatch halted = new CountDownLatch(1);
      Thread producer;
      int sentAtHalt;
      long committedAtHalt;
      long writtenAtHalt;
      try (ChildJvm first = startTrainer(bootstrap, stateDir, publishIntervalMs)) {
        first.awaitOutput(TrainerMain.RUNNING_MARKER, START);
        lap("first trainer running", t0);
        producer = new Thread(() -> produce(bootstrap, s.reviews().name(), inputs, sent, halted, producerFailure),
            "crash-test-producer");
        producer.setDaemon(true);
        producer.start();
        try (KafkaConsumer<byte[], byte[]> offsets = endOffsetReader(bootstrap)) {
          List<TopicPartition> parts = topics.stream().map(t -> new TopicPartition(t, 0)).toList();
          long deadline = System.nanoTime() + START.toNanos();
          // Halt once the trainer has committed embeddings, while the input is still arriving (the producer
          // holds back the second half until the halt).
          while (sum(offsets.endOffsets(parts, TrainerFixtures.TIMEOUT)) == 0 || sent.get() < inputs.size() / 5) {
            assertTrue(System.nanoTime() < deadline, "the trainer committed no embeddings within " + START);
            assertTrue(first.isAlive(), "the trainer died before the halt; see " + first.stderr());
            Thread.sleep(20);
          }
          first.halt();
          sentAtHalt = sent.get();
          halted.countDown();
          lap("first trainer halted", t0);
          committedAtHalt = sum(offsets.endOffsets(parts, TrainerFixtures.TIMEOUT));
        }
        writtenAtHalt = topics.stream().mapToLong(t -> TrainerFixtures.endOffset(bootstrap, t, false)).sum();
      }
      producer.join(60_000);
      assertTrue(producerFailure.get() == null, "producing failed: " + producerFailure.get());
      assertEquals(inputs.size(), sent.get());
      System.out.printf("halted with %d of %d events produced, %d embeddings committed, %d written"
          + " (log end incl. open transactions and markers)%n", sentAtHalt, inputs.size(), committedAtHalt,
          writtenAtHalt);

      if (wipeState) {
        deleteRecursively(stateDir);
      }
      try (ChildJvm second = startTrainer(bootstrap, stateDir, publishIntervalMs)) {
        second.awaitOutput(TrainerMain.RUNNING_MARKER, START);
        lap("second trainer running", t0);
        Pipeline.awaitCaughtUp(s, VIEWS, START);
        TrainerFixtures.awaitStable(bootstrap, topics, Duration.ofMillis(publishIntervalMs + 1500));
        lap("second trainer caught up", t0);
        assertTrue(second.isAlive(), "the restarted trainer died; see " + second.stderr());
        // Each view rebuilt its state from the validated topic (its event log), not from a copy of its own.
        String log = Files.readString(second.stdout()) + Files.readString(second.stderr());
        assertTrue(log.contains("re-read "), "no view restored from the validated topic; see " + second.stdout());
      }

      // Ingestion writes flush markers when a batch waits (and while the trainer was down, the ones after restart):
      // the reference trains its half-collected batch at each of them as well.
      List<TrainerFixtures.Marker> markers = TrainerFixtures.markers(bootstrap, s.validatedTopic());
      System.out.printf("%d flush markers on the validated topic%n", markers.size());
      for (String view : VIEWS) {
        List<Published> streamed = TrainerFixtures.publishedOn(bootstrap, s.embeddingsTopic(view));
        OfflineRun offline = TrainerFixtures.offline(view, TrainerFixtures.config(), BATCH, offlineData,
            TrainerFixtures.goodTimestamps(inputs), markers);
        if (publishIntervalMs == 0) {
          TrainerFixtures.assertSameLog(offline.published(), streamed, view);
        }
        Map<String, Published> latest = TrainerFixtures.latest(streamed);
        assertEquals(TrainerFixtures.latest(offline.published()).keySet(), latest.keySet(), view + " keys");
        for (Published p : latest.values()) {
          assertArrayEquals(offline.finalVector(p.key()), p.vector(), view + " " + p.key());
        }
      }
      long committedAtEnd = topics.stream().mapToLong(t -> TrainerFixtures.endOffset(bootstrap, t, true)).sum();
      assertTrue(committedAtHalt > 0 && committedAtHalt < committedAtEnd, "committed embeddings at the halt: "
          + committedAtHalt + ", at the end: " + committedAtEnd + "; the halt must fall mid-stream");
    }
  }

  private static void lap(String what, long t0) {
    System.out.printf("%s after %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
  }

  private ChildJvm startTrainer(String bootstrap, Path stateDir, long publishIntervalMs) {
    List<String> args = new ArrayList<>(List.of("--bootstrap-servers", bootstrap, "--state-dir", stateDir.toString(),
        "--app-id", APP_ID, "--views", String.join(",", VIEWS), "--batch-size", Integer.toString(BATCH),
        "--seed", Long.toString(SEED), "--dim", Integer.toString(DIM), "--max-seconds", "120",
        // Checkpoints every 7 batches, so that a restart loads one and re-trains the events after it (not spaced
        // by the rows they write: this small input would then checkpoint rarely).
        "--checkpoint-batches", "7", "--checkpoint-events-per-row", "0",
        "--publish-interval-ms", Long.toString(publishIntervalMs)));
    for (String kv : List.of("session.timeout.ms=3000", "heartbeat.interval.ms=1000", "transaction.timeout.ms=5000",
        "jrl.rocksdb.cache.bytes=" + (16 << 20), "jrl.rocksdb.write.buffer.bytes=" + (4 << 20))) {
      args.add("--set");
      args.add(kv);
    }
    return ChildJvm.start(TrainerMain.class, dir.resolve("logs"), List.of("-Xmx384m", "-XX:+UseSerialGC"), args);
  }

  /**
   * Sends the first half of the inputs in order at {@link #EVENTS_PER_SECOND}, waits for {@code resume}, then
   * sends the rest at once; counts the records flushed so far.
   */
  private static void produce(String bootstrap, String topic, List<Input> inputs, AtomicInteger sent,
      CountDownLatch resume, AtomicReference<Throwable> failure) {
    try (KafkaProducer<String, byte[]> p = TrainerFixtures.producer(bootstrap)) {
      long start = System.nanoTime();
      int half = inputs.size() / 2;
      for (int i = 0; i < inputs.size(); i++) {
        if (i == half) {
          p.flush();
          sent.set(i);
          if (!resume.await(START.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("not resumed within " + START);
          }
        }
        TrainerFixtures.send(p, topic, inputs.get(i));
        if (i < half && i % 10 == 9) {
          p.flush();
          sent.set(i + 1);
          long due = start + (long) ((i + 1) * 1e9 / EVENTS_PER_SECOND);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
        }
      }
      p.flush();
      sent.set(inputs.size());
    } catch (Throwable t) {
      failure.set(t);
    }
  }

  private static KafkaConsumer<byte[], byte[]> endOffsetReader(String bootstrap) {
    return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  private static long sum(Map<TopicPartition, Long> offsets) {
    return offsets.values().stream().mapToLong(Long::longValue).sum();
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
