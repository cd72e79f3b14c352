package io.jrlstream.ops.it;

import static io.jrlstream.ops.it.TrainerFixtures.BATCH;
import static io.jrlstream.ops.it.TrainerFixtures.VIEWS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.ops.it.TrainerFixtures.Input;
import io.jrlstream.ops.it.TrainerFixtures.OfflineRun;
import io.jrlstream.ops.it.TrainerFixtures.Published;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.ingest.DeadLetterHeaders;
import io.jrlstream.streams.ingest.RejectReason;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer application ({@link Pipeline}: ingestion, validation, one exactly-once training sub-topology per
 * view) against a real single-node KRaft broker started by the test: events in, embeddings out for every view,
 * bad records to the dead-letter topic, and parity with model-core's one-pass trainer.
 */
class BrokerTrainingTest {
  @TempDir
  Path dir;

  /**
   * Good review events with every kind of bad record interleaved, all on the one reviews partition. Every bad
   * record lands on the dead-letter topic with its reason, and the committed embedding log of each view equals,
   * record by record and bit for bit, what model-core's {@code StreamingTrainer} publishes over the good events
   * alone in the same order: so every good event around the bad ones trained, once, in order (the parity the
   * issue asks for, through a real broker with exactly-once).
   */
  @Test
  void shouldTrainEveryGoodEventAroundDeadLettersLikeTheOfflineOnePassTrainer() throws Exception {
    List<Input> good = TrainerFixtures.goodEvents(new SyntheticSpec(40, 30, 3, 8, 0, 6), 21L,
        System.currentTimeMillis());
    List<Input> inputs = withBadRecords(good);
    Dataset offlineData = TrainerFixtures.offlineDataset(inputs);
    assertEquals(good.size(), offlineData.interactions().size());

    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      String bootstrap = broker.bootstrapServers();
      StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId("jrl-it-parity");
      // Publication after every batch, so that the committed log can be compared record by record.
      Pipeline.Options options = new Pipeline.Options(VIEWS, dir.resolve("state"),
          Map.of("jrl.rocksdb.cache.bytes", Long.toString(16L << 20), "jrl.rocksdb.write.buffer.bytes",
              Long.toString(4L << 20)), TrainingOptions.defaults().withBatchSize(BATCH).withPublishIntervalMs(0));
      try (Pipeline pipeline = Pipeline.start(s, TrainerFixtures.config(), options)) {
        try (KafkaProducer<String, byte[]> producer = TrainerFixtures.producer(bootstrap)) {
          for (Input in : inputs) {
            TrainerFixtures.send(producer, s.reviews().name(), in);
          }
          producer.flush();
        }
        // Ingestion writes its last flush marker up to 1.25 x the wait after the last event, and the reference trains
        // at every marker on the topic: let it be written before waiting for the trainers to read it.
        Thread.sleep(2 * TrainingOptions.defaults().flushAfterMs());
        Pipeline.awaitCaughtUp(s, VIEWS, Duration.ofSeconds(60));
      }

      assertDeadLetters(bootstrap, s, inputs);
      assertValidatedTopicKeptForGood(bootstrap, s);
      List<TrainerFixtures.Marker> markers = TrainerFixtures.markers(bootstrap, s.validatedTopic());
      for (String view : VIEWS) {
        List<Published> streamed = TrainerFixtures.publishedOn(bootstrap, s.embeddingsTopic(view));
        OfflineRun offline = TrainerFixtures.offline(view, TrainerFixtures.config(), BATCH, offlineData,
            TrainerFixtures.goodTimestamps(inputs), markers);
        TrainerFixtures.assertSameLog(offline.published(), streamed, view);
        // The latest vector of every user and item equals the offline run's final parameters.
        int users = 0;
        for (Published p : TrainerFixtures.latest(streamed).values()) {
          assertTrue(!p.key().contains("ghost"), view + ": a bad record's entity trained: " + p.key());
          assertArrayEquals(offline.finalVector(p.key()), p.vector(), view + " " + p.key());
          users += EmbeddingKey.isUser(p.key()) ? 1 : 0;
        }
        assertTrue(users > 0, view + ": no user vector published");
      }
    }
  }

  /**
   * Freshness on a quiet stream (issue 13): 20 events produced to an idle pipeline, fewer than a mini-batch, are
   * trained by every view and their users' vectors published within twice the flush wait, because ingestion writes
   * a flush marker into the validated topic once they have waited it (batch boundaries stay in the input log: the
   * crash tests replay such markers bit for bit).
   */
  @Test
  void shouldTrainAQuietStreamsLastEventsWithinTwiceTheFlushWait() throws Exception {
    long waitMs = 2000;
    List<Input> events = TrainerFixtures.goodEvents(new SyntheticSpec(20, 10, 2, 1, 0, 4), 9L,
        System.currentTimeMillis()).subList(0, 20);
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      String bootstrap = broker.bootstrapServers();
      StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId("jrl-it-quiet");
      Pipeline.Options options = new Pipeline.Options(VIEWS, dir.resolve("state"),
          Map.of("jrl.rocksdb.cache.bytes", Long.toString(16L << 20), "jrl.rocksdb.write.buffer.bytes",
              Long.toString(4L << 20)), TrainingOptions.defaults().withFlushAfterMs(waitMs));
      try (Pipeline pipeline = Pipeline.start(s, TrainerFixtures.config(), options)) {
        pipeline.awaitRunning(Duration.ofMinutes(1));
        Thread.sleep(1000); // idle
        Set<String> users = new TreeSet<>();
        long sentNanos;
        try (KafkaProducer<String, byte[]> producer = TrainerFixtures.producer(bootstrap)) {
          for (Input in : events) {
            TrainerFixtures.send(producer, s.reviews().name(), in);
            users.add(EmbeddingKey.user(in.key()).toString());
          }
          producer.flush();
          sentNanos = System.nanoTime();
        }
        long deadline = sentNanos + Duration.ofMillis(4 * waitMs).toNanos();
        Map<String, Long> seenAfterMs = new HashMap<>();
        Map<String, Set<String>> published = new HashMap<>();
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
            new ByteArrayDeserializer())) {
          List<TopicPartition> parts = VIEWS.stream().map(v -> new TopicPartition(s.embeddingsTopic(v), 0)).toList();
          c.assign(parts);
          c.seekToBeginning(parts);
          while (seenAfterMs.size() < VIEWS.size() && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(20))) {
              String view = r.topic().substring(s.embeddingsTopicPrefix().length());
              Set<String> keys = published.computeIfAbsent(view, v -> new TreeSet<>());
              keys.add(r.key());
              if (!seenAfterMs.containsKey(view) && keys.containsAll(users)) {
                seenAfterMs.put(view, (System.nanoTime() - sentNanos) / 1_000_000);
              }
            }
          }
        }
        System.out.printf("quiet stream: every user's vector published after %s ms (flush wait %d ms)%n",
            seenAfterMs, waitMs);
        assertEquals(VIEWS.size(), seenAfterMs.size(), "views with every user published: " + seenAfterMs);
        for (Map.Entry<String, Long> e : seenAfterMs.entrySet()) {
          assertTrue(e.getValue() <= 2 * waitMs, e.getKey() + " published after " + e.getValue() + " ms");
        }
        assertTrue(!TrainerFixtures.markers(bootstrap, s.validatedTopic()).isEmpty(), "no flush marker written");
      }
    }
  }

  /** The trainers' event log was created to keep its whole history (for replay; restarts need only its tail). */
  private static void assertValidatedTopicKeptForGood(String bootstrap, StreamsSettings s) throws Exception {
    try (Admin admin = Admin.create(
        Map.of("bootstrap.servers", bootstrap))) {
      var resource = new ConfigResource(
          ConfigResource.Type.TOPIC, s.validatedTopic());
      var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
      assertEquals("-1", config.get("retention.ms").value(), s.validatedTopic());
      assertEquals("-1", config.get("retention.bytes").value(), s.validatedTopic());
      assertEquals("delete", config.get("cleanup.policy").value(), s.validatedTopic());
    }
  }

  /** Every bad record is on the dead-letter topic, once, with its reason, source and original bytes. */
  private static void assertDeadLetters(String bootstrap, StreamsSettings s, List<Input> inputs) {
    Map<Long, Input> bad = new HashMap<>();
    for (int offset = 0; offset < inputs.size(); offset++) {
      if (inputs.get(offset).rejected() != null) {
        bad.put((long) offset, inputs.get(offset));
      }
    }
    List<ConsumerRecord<String, byte[]>> letters = TrainerFixtures.readCommitted(bootstrap, s.deadLetters().name());
    assertEquals(bad.size(), letters.size(), "dead letters");
    for (ConsumerRecord<String, byte[]> r : letters) {
      assertEquals(s.reviews().name(), header(r, DeadLetterHeaders.SOURCE_TOPIC));
      assertEquals("0", header(r, DeadLetterHeaders.SOURCE_PARTITION));
      long offset = Long.parseLong(header(r, DeadLetterHeaders.SOURCE_OFFSET));
      Input in = bad.remove(offset);
      assertTrue(in != null, "dead letter for offset " + offset + ", which held no bad record (or twice)");
      assertEquals(in.rejected().name(), header(r, DeadLetterHeaders.ERROR), "reason of offset " + offset);
      assertTrue(!header(r, DeadLetterHeaders.REASON).isBlank(), "human-readable reason of offset " + offset);
      assertEquals(in.key(), r.key());
      if (in.value() == null) {
        assertNull(r.value());
      } else {
        assertArrayEquals(in.value(), r.value(), "original bytes of offset " + offset);
      }
    }
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    assertTrue(h != null, "dead letter at " + r.offset() + " has no header " + name);
    return new String(h.value(), StandardCharsets.UTF_8);
  }

  /**
   * The good events with one bad record of each kind inserted every 37 events. Bad records name users and items
   * ({@code ghost-…}) that no good event has, so one that slipped into training would shift indices and show.
   */
  private static List<Input> withBadRecords(List<Input> good) {
    List<Input> bad = new ArrayList<>();
    long t = good.get(0).timestamp();
    byte[] valid = TrainerFixtures.encode(
        TrainerFixtures.review("bad:fp", t, "ghost-1", "ghost-item", 4, "", "fine words here"));
    byte[] unknownFingerprint = valid.clone();
    for (int i = 2; i < AvroCodec.HEADER_LENGTH; i++) {
      unknownFingerprint[i] ^= (byte) 0x5A; // a well-formed header naming a schema nobody published
    }
    bad.add(Input.bad("ghost-0", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, t, RejectReason.UNDECODABLE));
    bad.add(Input.bad("ghost-1", unknownFingerprint, t, RejectReason.UNKNOWN_SCHEMA));
    bad.add(Input.bad("ghost-2", TrainerFixtures.encode(
        TrainerFixtures.review("bad:stars", t, "ghost-2", "ghost-item", 7, "", "seven stars words")), t,
        RejectReason.STARS_OUT_OF_RANGE));
    bad.add(Input.bad("ghost-3", TrainerFixtures.encode(
        TrainerFixtures.review("bad:empty", t, "ghost-3", "ghost-item", 3, "", " 12 !! 34 ")), t,
        RejectReason.EMPTY_TEXT));
    bad.add(Input.bad("ghost-4", TrainerFixtures.encode(
        TrainerFixtures.review("bad:user", t, "   ", "ghost-item", 3, "", "no user words")), t,
        RejectReason.MISSING_ID));
    bad.add(Input.bad("ghost-5", TrainerFixtures.encode(
        TrainerFixtures.review("bad:item", t, "ghost-5", "", 3, "", "no item words")), t, RejectReason.MISSING_ID));
    bad.add(Input.bad("ghost-6", null, t, RejectReason.UNDECODABLE));
    List<Input> out = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < good.size(); i++) {
      if (i % 37 == 5 && next < bad.size()) {
        Input b = bad.get(next++);
        out.add(Input.bad(b.key(), b.value(), good.get(i).timestamp(), b.rejected()));
      }
      out.add(good.get(i));
    }
    assertEquals(bad.size(), next, "too few good events to interleave every bad record");
    return out;
  }
}
