package io.jrlstream.ops.it;

import static io.jrlstream.ops.it.TrainerFixtures.BATCH;
import static io.jrlstream.ops.it.TrainerFixtures.VIEWS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.ops.it.TrainerFixtures.Input;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.train.TrainingOptions;
import io.jrlstream.streams.train.TrainingObserver;
import io.jrlstream.streams.train.TrainingProcessor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trainer restarts from its checkpoint alone (DESIGN.md §2 "Training state"): the pipeline trains the first half
 * of the input and stops; the validated topic's records up to every view's committed checkpoint are deleted
 * ({@code Admin.deleteRecords}, as a finite retention would); the second half is produced and the pipeline started
 * again. Every view restores from its checkpoint, re-reads only what follows it, and the whole committed embedding
 * log equals that of an uninterrupted one-pass run (publication after every batch, no flush markers).
 */
class TrimmedHistoryTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final SyntheticSpec SPEC = new SyntheticSpec(100, 60, 4, 10, 0, 6);

  @TempDir
  Path dir;

  @Test
  void shouldRestartBitIdenticalAfterTheRecordsBeforeItsCheckpointsWereDeleted() throws Exception {
    List<Input> inputs = TrainerFixtures.goodEvents(SPEC, 35L, System.currentTimeMillis());
    int half = inputs.size() / 2;
    // Checkpoints every 3 batches, written at once; each batch published in its own transaction.
    Pipeline.Options options = Pipeline.Options.of(VIEWS, dir.resolve("state")).withTraining(TrainingOptions.defaults()
        .withBatchSize(BATCH).withCheckpointBatches(3).withPublishIntervalMs(0).withCheckpointEventsPerRow(0)
        .withCheckpointSpreadBatches(1).withFlushAfterMs(0));
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"));
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      String bootstrap = broker.bootstrapServers();
      StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId("jrl-it-trimmed");
      TopicPartition validated = new TopicPartition(s.validatedTopic(), 0);
      TopicAdmin.ensureTopics(admin, Pipeline.topics(s, VIEWS));
      produce(bootstrap, s, inputs.subList(0, half));
      long deleteBefore = Long.MAX_VALUE;
      try (Pipeline p = Pipeline.start(s, TrainerFixtures.config(), options)) {
        p.awaitRunning(START);
        Pipeline.awaitCaughtUp(s, VIEWS, START);
        for (int i = 0; i < VIEWS.size(); i++) {
          long checkpointed = checkpointed(p.applications().get(1 + i), VIEWS.get(i));
          assertTrue(checkpointed >= 0, VIEWS.get(i) + " has no checkpoint");
          deleteBefore = Math.min(deleteBefore, checkpointed + 1);
        }
      }
      admin.deleteRecords(Map.of(validated, RecordsToDelete.beforeOffset(deleteBefore))).all().get();
      long first = admin.listOffsets(Map.of(validated, OffsetSpec.earliest())).all().get().get(validated).offset();
      assertEquals(deleteBefore, first, "the validated topic's first offset after deleteRecords");
      assertTrue(first > half / 2, "too little deleted to test: " + first);
      System.out.printf("deleted the validated topic's offsets 0..%d%n", first - 1);

      produce(bootstrap, s, inputs.subList(half, inputs.size()));
      Map<String, Long> reread = new ConcurrentHashMap<>();
      TrainingObserver observer = new TrainingObserver() {
        @Override
        public void restored(String view, long nanos, long eventsRead, long retrained) {
          reread.put(view, eventsRead);
        }
      };
      List<String> topics = VIEWS.stream().map(s::embeddingsTopic).toList();
      try (Pipeline p = Pipeline.start(s, TrainerFixtures.config(), options, null, observer)) {
        p.awaitRunning(START);
        Pipeline.awaitCaughtUp(s, VIEWS, START);
        TrainerFixtures.awaitStable(bootstrap, topics, Duration.ofMillis(1500));
      }
      long end = admin.listOffsets(Map.of(validated, OffsetSpec.latest())).all().get().get(validated).offset();
      assertEquals(VIEWS.size(), reread.size(), "views restored: " + reread);
      for (Map.Entry<String, Long> e : reread.entrySet()) {
        assertTrue(e.getValue() <= end - first, e.getKey() + " re-read " + e.getValue() + " records");
      }
      System.out.printf("re-read on restart: %s of %d records%n", reread, end);

      Dataset offlineData = TrainerFixtures.offlineDataset(inputs);
      for (String view : VIEWS) {
        TrainerFixtures.OfflineRun offline = TrainerFixtures.offline(view, TrainerFixtures.config(), BATCH,
            offlineData, TrainerFixtures.goodTimestamps(inputs));
        TrainerFixtures.assertSameLog(offline.published(), TrainerFixtures.publishedOn(bootstrap,
            s.embeddingsTopic(view)), view);
      }
    }
  }

  /** The view's committed checkpoint offset, read from its store (retried while the store is not queryable). */
  private static long checkpointed(KafkaStreams app, String view) throws InterruptedException {
    long deadline = System.nanoTime() + START.toNanos();
    while (true) {
      try {
        ReadOnlyKeyValueStore<Bytes, byte[]> store = app.store(StoreQueryParameters.fromNameAndType(
            TrainingProcessor.storeName(view), QueryableStoreTypes.keyValueStore()));
        return TrainingProcessor.checkpointedOffset(store);
      } catch (InvalidStateStoreException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  private static void produce(String bootstrap, StreamsSettings s, List<Input> inputs) {
    try (KafkaProducer<String, byte[]> p = TrainerFixtures.producer(bootstrap)) {
      for (Input in : inputs) {
        TrainerFixtures.send(p, s.reviews().name(), in);
      }
      p.flush();
    }
  }
}
