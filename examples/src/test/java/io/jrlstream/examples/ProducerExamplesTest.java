package io.jrlstream.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The producer examples of docs/producers.md against the real trainer: an embedded KRaft broker ({@link LocalBroker})
 * and the exactly-once {@link Pipeline} (ingestion, then the collaborative, review and rating views at K=8). Each
 * example's events must all be validated (none dead-lettered, each exactly once on the validated topic) and trained
 * (every user it names gets a vector in every view). The Python example runs with Debian's {@code /usr/bin/python3}
 * and is skipped, saying so, where that lacks {@code confluent_kafka} or {@code avro}.
 *
 * <p>One broker and one pipeline serve both tests (a broker start is most of the cost); each test checks only the
 * users and event ids of its own example, and that the dead-letter topic is empty.
 */
class ProducerExamplesTest {
  private static final List<String> VIEWS = List.of("collaborative", "review", "rating");
  private static final Duration CATCH_UP = Duration.ofSeconds(90);
  private static final AvroCodec<ReviewEvent> REVIEWS = AvroCodec.of(ReviewEvent.class);
  private static final AvroCodec<RatingEvent> RATINGS = AvroCodec.of(RatingEvent.class);

  @TempDir
  static Path dir;
  private static LocalBroker broker;
  private static StreamsSettings settings;
  private static Pipeline pipeline;

  @BeforeAll
  static void startTrainer() throws Exception {
    broker = LocalBroker.start(dir.resolve("broker"));
    settings = StreamsSettings.defaults(broker.bootstrapServers()).withApplicationId("jrl-examples")
        .withFeatureDim(16);
    ModelConfig config = ModelConfig.defaults().mapViews(v -> v.withDim(8)).withSeed(5);
    Pipeline.Options options = new Pipeline.Options(VIEWS, dir.resolve("state"),
        Map.of("jrl.rocksdb.cache.bytes", Long.toString(16L << 20), "jrl.rocksdb.write.buffer.bytes",
            Long.toString(4L << 20)), TrainingOptions.defaults().withBatchSize(16));
    pipeline = Pipeline.start(settings, config, options);
    pipeline.awaitRunning(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopTrainer() {
    if (pipeline != null) {
      pipeline.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  /**
   * {@code produce_reviews.py} with its synthetic events (480 reviews, 120 ratings, 30 users) in transactions of
   * 200: every event validated once, no dead letter, a vector for each of its users in each view.
   */
  @Test
  void shouldTrainOnEveryEventOfThePythonExample() throws Exception {
    Path script = RepoFiles.path("examples/python/produce_reviews.py");
    assumeTrue(PythonExample.hasModules("confluent_kafka", "avro"), () -> "skipped: " + PythonExample.PYTHON
        + " lacks confluent_kafka or avro (apt-get install -y python3-confluent-kafka python3-avro)");
    PythonExample.Result run = PythonExample.run(List.of(script.toString(), "--bootstrap", broker.bootstrapServers(),
        "--events", "600", "--users", "30", "--items", "24", "--seed", "3", "--transactional-id",
        "jrl-python-example", "--chunk", "200"), 120);
    String out = run.output();
    assertEquals(0, run.exit(), "the Python example failed:\n" + out);
    assertTrue(out.contains("produced 480 reviews to jrl.reviews and 120 ratings to jrl.ratings"), out);
    assertTrue(out.contains("fingerprint f450fe58fef03f26"), "ReviewEvent's current fingerprint:\n" + out);

    // The users as the trainer's own decoder reads them from the input topics: the bytes are Java-readable.
    Set<String> users = new TreeSet<>();
    for (ConsumerRecord<byte[], byte[]> r : TopicReader.committed(broker.bootstrapServers(),
        settings.reviews().name())) {
      ReviewEvent e = REVIEWS.decode(r.value());
      users.add(pythonUser(e.getEventId(), e.getUserId(), r.key()));
    }
    for (ConsumerRecord<byte[], byte[]> r : TopicReader.committed(broker.bootstrapServers(),
        settings.ratings().name())) {
      RatingEvent e = RATINGS.decode(r.value());
      users.add(pythonUser(e.getEventId(), e.getUserId(), r.key()));
    }
    users.remove("");
    assertEquals(30, users.size(), "users of the Python example: " + users);
    assertValidatedAndTrained(id -> id.startsWith("py-synthetic-3:"), 600, users);
  }

  /** {@link ProduceEvents}: 600 interactions and 24 feature vectors, all validated, every user trained. */
  @Test
  void shouldTrainOnEveryEventOfTheJavaExample() throws Exception {
    ProduceEvents.Topics topics = new ProduceEvents.Topics(settings.reviews().name(), settings.ratings().name(),
        settings.imageFeatures().name());
    List<ProducerRecord<String, byte[]>> records = ProduceEvents.sample(topics, "java", 30, 24, 600, 16, 7);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(ProduceEvents.producerConfig(broker.bootstrapServers()))) {
      assertEquals(624, ProduceEvents.produce(producer, records));
    }
    Set<String> users = records.stream().filter(r -> !r.topic().equals(topics.imageFeatures()))
        .map(ProducerRecord::key).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(30, users.size(), "users of the Java example: " + users);
    assertValidatedAndTrained(id -> id.startsWith("java:"), 624, users);
  }

  /** The Python example's user, checking that the record's key is that user (the guide's keying rule). */
  private static String pythonUser(String eventId, String userId, byte[] key) {
    if (!eventId.startsWith("py-synthetic-3:")) {
      return "";
    }
    assertEquals(userId, new String(key, StandardCharsets.UTF_8), "key of " + eventId);
    return userId;
  }

  /**
   * Once the trainer has caught up: no dead letter at all, {@code expected} validated events whose id {@code mine}
   * accepts, each once, and a user vector for each of {@code users} on every view's embedding topic (publication is
   * coalesced, so the last vectors may follow the commit by a publication interval).
   */
  private static void assertValidatedAndTrained(Predicate<String> mine, int expected, Set<String> users)
      throws Exception {
    Pipeline.awaitCaughtUp(settings, VIEWS, CATCH_UP);
    List<ConsumerRecord<byte[], byte[]>> dead = TopicReader.committed(broker.bootstrapServers(),
        settings.deadLetters().name());
    assertEquals(List.of(), dead.stream().map(TopicReader::describe).toList(), "dead letters");

    AvroCodec<TrainingEvent> validated = AvroCodec.of(TrainingEvent.class);
    List<String> ids = TopicReader.committed(broker.bootstrapServers(), settings.validatedTopic()).stream()
        .filter(r -> r.value() != null) // flush markers (README, "Bounded freshness on a quiet stream")
        .map(r -> validated.decode(r.value()).getEventId()).filter(mine).toList();
    assertEquals(expected, ids.size(), "validated events");
    assertEquals(expected, Set.copyOf(ids).size(), "each event validated once");

    for (String view : VIEWS) {
      Set<String> missing = new TreeSet<>();
      users.forEach(u -> missing.add(EmbeddingKey.user(u).toString()));
      TopicReader.awaitKeys(broker.bootstrapServers(), settings.embeddingsTopic(view), missing,
          Duration.ofSeconds(30));
      assertEquals(Set.of(), missing, view + ": users without a published vector");
    }
  }
}
