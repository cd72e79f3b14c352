package io.jrlstream.ops.it;

import static io.jrlstream.ops.it.TrainerFixtures.BATCH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.export.EmbeddingExport;
import io.jrlstream.ops.export.Npy;
import io.jrlstream.ops.it.TrainerFixtures.Input;
import io.jrlstream.ops.it.TrainerFixtures.OfflineRun;
import io.jrlstream.ops.it.TrainerFixtures.Published;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.replay.Replay;
import io.jrlstream.ops.replay.ViewVersions;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jrl replay} against a real broker, beside a running live pipeline: adding the image view leaves the
 * review and rating views' final vectors bit for bit those of a run that never had it (model-core's one-pass
 * trainer over the same events, which {@link BrokerTrainingTest} shows the live pipeline equals); and a replay
 * interrupted a third of the way and restarted on a wiped state directory ends in the state of an uninterrupted one
 * (and of the one-pass trainer).
 */
class ReplayTest {
  @TempDir static Path dir;
  private static LocalBroker broker;
  private static final int FEATURE_DIM = 8;
  private static final Map<String, String> SMALL_ROCKSDB = Map.of("jrl.rocksdb.cache.bytes",
      Long.toString(16L << 20), "jrl.rocksdb.write.buffer.bytes", Long.toString(4L << 20));
  /** The live pipeline's training. */
  private static final TrainingOptions TRAINING = TrainingOptions.defaults().withBatchSize(BATCH);
  /** A replay's: checkpoints every 7 batches, so that an interrupted one restores from one. */
  private static final TrainingOptions REPLAY = TRAINING.withCheckpointBatches(7);

  @BeforeAll
  static void startBroker() {
    broker = LocalBroker.start(dir.resolve("broker"));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static StreamsSettings settings(String app) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", broker.bootstrapServers());
    p.setProperty("application.id", app);
    for (String[] t : new String[][] {{"reviews", "reviews"}, {"ratings", "ratings"},
        {"image.features", "image-features"}, {"dead.letters", "dead-letters"}, {"validated", "validated"}}) {
      p.setProperty("jrl.topic." + t[0], app + "." + t[1]);
    }
    p.setProperty("jrl.topic.embeddings.prefix", app + ".embeddings.");
    p.setProperty("jrl.feature.dim", Integer.toString(FEATURE_DIM));
    return StreamsSettings.fromProperties(p);
  }

  private static ModelConfig config() {
    return TrainerFixtures.config().withImage(new ImageView.Settings(1e-2, FEATURE_DIM, 1));
  }

  private static Replay.Options options(String view, Integer version, Path state) {
    return new Replay.Options(view, version, null, null, false, true, REPLAY, state, SMALL_ROCKSDB);
  }

  private static void produce(String topic, List<Input> inputs) {
    try (KafkaProducer<String, byte[]> p = TrainerFixtures.producer(broker.bootstrapServers())) {
      inputs.forEach(in -> TrainerFixtures.send(p, topic, in));
      p.flush();
    }
  }

  @Test
  void shouldAddTheImageViewBesideARunningPipelineWithoutChangingTheOtherViews() throws Exception {
    StreamsSettings s = settings("ext");
    List<String> live = List.of("review", "rating");
    List<Input> inputs = TrainerFixtures.goodEvents(new SyntheticSpec(40, 30, 3, 8, 0, 6), 21L,
        System.currentTimeMillis());
    int half = inputs.size() / 2;
    Dataset all = TrainerFixtures.offlineDataset(inputs);
    try (Pipeline pipeline = Pipeline.start(s, config(), new Pipeline.Options(live, dir.resolve("ext-state"),
        SMALL_ROCKSDB, TRAINING))) {
      produce(s.reviews().name(), inputs.subList(0, half));
      AvroCodec<ImageFeatureEvent> codec = AvroCodec.of(ImageFeatureEvent.class);
      try (KafkaProducer<String, byte[]> p = TrainerFixtures.producer(broker.bootstrapServers())) {
        for (int v = 0; v < all.itemCount(); v++) {
          List<Float> f = new ArrayList<>();
          for (int i = 0; i < FEATURE_DIM; i++) {
            f.add((float) Math.sin(v * 7 + i));
          }
          String item = all.items().id(v);
          p.send(new ProducerRecord<>(s.imageFeatures().name(), item, codec.encode(ImageFeatureEvent.newBuilder()
              .setEventId("f" + v).setEventTime(Instant.EPOCH).setItemId(item).setModelId("m").setModelVersion("1")
              .setDimension(FEATURE_DIM).setFeatures(f).build())));
        }
      }
      Pipeline.awaitCaughtUp(s, live, Duration.ofSeconds(60));

      // The image view is added while the pipeline runs, and the pipeline keeps training new events meanwhile.
      try (Replay image = Replay.start(s, config(), "ext.view-versions", options("image", null,
          dir.resolve("ext-replay")))) {
        produce(s.reviews().name(), inputs.subList(half, inputs.size()));
        image.awaitCaughtUp(Duration.ofSeconds(90), (done, total) -> { });
        assertEquals(1, image.version());
        // Bounded by the validated history at its start: the first half and the features (offsets count the
        // transactions' commit markers too), not the second half produced meanwhile.
        assertTrue(image.total() >= half + all.itemCount() && image.total() < inputs.size(), "" + image.total());
      }
      Pipeline.awaitCaughtUp(s, live, Duration.ofSeconds(60));
    }
    TrainerFixtures.awaitStable(broker.bootstrapServers(),
        List.of(s.embeddingsTopic("review"), s.embeddingsTopic("rating"), Replay.topic(s, "image", 1)),
        Duration.ofSeconds(1));
    List<TrainerFixtures.Marker> markers = TrainerFixtures.markers(broker.bootstrapServers(), s.validatedTopic());
    for (String view : live) {
      OfflineRun never = TrainerFixtures.offline(view, config(), BATCH, all, TrainerFixtures.goodTimestamps(inputs),
          markers);
      assertFinalState(never, TrainerFixtures.publishedOn(broker.bootstrapServers(), s.embeddingsTopic(view)), view);
    }
    assertExportHoldsTheLatestVectors(s, "review");
    List<Published> image = TrainerFixtures.publishedOn(broker.bootstrapServers(), Replay.topic(s, "image", 1));
    assertEquals("ext.embeddings.v1.image", Replay.topic(s, "image", 1));
    assertTrue(image.stream().anyMatch(p -> EmbeddingKey.isUser(p.key())), "image v1 published no user vector");
    Properties base = s.kafkaProperties();
    ViewVersions vv = ViewVersions.read(base, "ext.view-versions", "image");
    assertEquals(1, vv.active());
    assertTrue(vv.versions().get(1).caughtUp());
    assertEquals("ext-replay-image-v1", vv.versions().get(1).applicationId());
  }

  /**
   * The latest published vector of every user and item equals, bit for bit, the final parameters of the reference
   * run, and the same entities were published. (The final state, not the log: with coalesced publication the
   * sequence of published records depends on wall-clock time, the final vectors do not.)
   */
  private static void assertFinalState(OfflineRun reference, List<Published> published, String what) {
    Map<String, Published> latest = TrainerFixtures.latest(published);
    assertEquals(TrainerFixtures.latest(reference.published()).keySet(), latest.keySet(), what + ": entities");
    for (Published p : latest.values()) {
      assertArrayEquals(reference.finalVector(p.key()), p.vector(), what + " " + p.key());
    }
  }


  /** jrl export of a trained view: one row per entity, the latest published vector, in id order. */
  private static void assertExportHoldsTheLatestVectors(StreamsSettings s, String view) throws Exception {
    Path out = dir.resolve("export-" + view);
    EmbeddingExport.Result r = EmbeddingExport.run(s, view, out);
    Map<String, Published> latest = TrainerFixtures.latest(TrainerFixtures.publishedOn(broker.bootstrapServers(),
        s.embeddingsTopic(view)));
    for (String kind : List.of("users", "items")) {
      List<String> ids = Files.readAllLines(out.resolve(kind + ".ids.txt"));
      byte[] npy = Files.readAllBytes(out.resolve(kind + ".npy"));
      long[] shape = Npy.shape(npy);
      assertEquals(ids.size(), shape[0]);
      assertEquals(ids.stream().sorted().toList(), ids);
      FloatBuffer data = ByteBuffer.wrap(npy, npy.length - (int) (4 * shape[0] * shape[1]),
          (int) (4 * shape[0] * shape[1])).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      for (String id : ids) {
        float[] row = new float[(int) shape[1]];
        data.get(row);
        EmbeddingKey key = kind.equals("users") ? EmbeddingKey.user(id) : EmbeddingKey.item(id);
        assertArrayEquals(latest.get(key.toString()).vector(), row, id);
      }
    }
    assertEquals(latest.size(), r.users() + r.items());
  }

  @Test
  void shouldEndAnInterruptedAndRestartedReplayInTheStateOfAnUninterruptedOne() throws Exception {
    StreamsSettings s = settings("intr");
    // 6,000 events and the review view at K=128: a replay long enough (seconds, even on a quiet machine) to have a
    // middle to be interrupted in; with 1,500 events a quiet 2-core machine finished three replays unseen.
    List<Input> inputs = TrainerFixtures.goodEvents(new SyntheticSpec(150, 60, 4, 40, 0, 6), 33L,
        System.currentTimeMillis());
    Dataset all = TrainerFixtures.offlineDataset(inputs);
    ModelConfig cfg = config().mapViews(v -> v.withDim(128));
    List<String> live = List.of("collaborative");
    try (Pipeline pipeline = Pipeline.start(s, cfg, new Pipeline.Options(live, dir.resolve("intr-state"),
        SMALL_ROCKSDB, TRAINING))) {
      produce(s.reviews().name(), inputs);
      Pipeline.awaitCaughtUp(s, live, Duration.ofSeconds(60));
    }
    String control = "intr.view-versions";
    try (Replay whole = Replay.start(s, cfg, control, options("review", 1, dir.resolve("intr-r1")))) {
      whole.awaitCaughtUp(Duration.ofSeconds(90), (done, total) -> { });
    }
    // A later version, stopped between a third of the way and the end (a few records per poll), then restarted
    // on a wiped state directory: its stores are restored from their changelogs. Should a run finish before it is
    // seen in the middle (a fast machine), the next version is tried.
    Map<String, String> slow = new HashMap<>(SMALL_ROCKSDB);
    slow.put("main.consumer.max.poll.records", "2");
    long stoppedAt = -1;
    int version = 1;
    while (stoppedAt < 0) {
      version++;
      assertTrue(version <= 4, "three replays ran to the end before they could be interrupted");
      try (Replay first = Replay.start(s, cfg, control, new Replay.Options("review", version, null, null, false,
          true, REPLAY, dir.resolve("intr-r" + version + "a"), slow))) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long done;
        while ((done = first.done()) < first.total() / 3) {
          assertTrue(System.nanoTime() < deadline, "the replay did not get a third of the way in 60 s");
          Thread.sleep(10);
        }
        stoppedAt = done < first.total() ? done : -1;
      }
    }
    try (Replay again = Replay.start(s, cfg, control, options("review", version, dir.resolve("intr-r" + version
        + "b")))) {
      again.awaitCaughtUp(Duration.ofSeconds(90), (done, total) -> { });
    }
    TrainerFixtures.awaitStable(broker.bootstrapServers(),
        List.of(Replay.topic(s, "review", 1), Replay.topic(s, "review", version)), Duration.ofSeconds(1));
    List<Published> v1 = TrainerFixtures.publishedOn(broker.bootstrapServers(), Replay.topic(s, "review", 1));
    List<Published> vn = TrainerFixtures.publishedOn(broker.bootstrapServers(), Replay.topic(s, "review", version));
    OfflineRun offline = TrainerFixtures.offline("review", cfg, BATCH, all, TrainerFixtures.goodTimestamps(inputs),
        TrainerFixtures.markers(broker.bootstrapServers(), s.validatedTopic()));
    assertFinalState(offline, v1, "review v1 (uninterrupted)");
    assertFinalState(offline, vn, "review v" + version + " (interrupted at " + stoppedAt + " of "
        + inputs.size() + ")");
    assertEquals(version, ViewVersions.read(s.kafkaProperties(), control, "review").active());
  }

}
