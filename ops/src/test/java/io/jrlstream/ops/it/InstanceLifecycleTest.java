package io.jrlstream.ops.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.PairsTsvReader;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.serve.ItemIndex;
import io.jrlstream.core.serve.LocalQueryService;
import io.jrlstream.core.serve.Popularity;
import io.jrlstream.core.serve.Recommender;
import io.jrlstream.core.serve.UserProfile;
import io.jrlstream.ops.Jrl;
import io.jrlstream.ops.importer.Importer;
import io.jrlstream.ops.it.TrainerFixtures.Input;
import io.jrlstream.ops.kafka.ChildJvm;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.pipeline.DatasetProducer;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.Lifecycle;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.ops.serve.ServeServer;
import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.config.TopicSpec;
import io.jrlstream.streams.serve.ServeSettings;
import io.jrlstream.streams.train.TrainingOptions;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How an instance ends and starts again (issue 13), against an embedded broker: {@code /health} turns 503 naming a
 * Kafka Streams client in ERROR and the command's watchdog gives up after its grace; {@code jrl run} (a child JVM)
 * stopped with SIGTERM closes cleanly and its restart trains again within 10 s with no ERROR in its log, and after
 * kill -9 within 20 s; {@code jrl local}'s producer resumes from its own committed position, not from the number of
 * records on the input topics; and a second instance with a standby replica takes a trainer over.
 */
class InstanceLifecycleTest {
  private static final AvroCodec<EmbeddingRecord> EMBEDDINGS = AvroCodec.of(EmbeddingRecord.class);
  private static final AvroCodec<ReviewEvent> REVIEWS = AvroCodec.of(ReviewEvent.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path shared;
  private static LocalBroker broker;

  @TempDir
  Path dir;

  @BeforeAll
  static void startBroker() {
    broker = LocalBroker.start(LocalBroker.Settings.of(shared.resolve("broker"))
        .withBrokerOverride("group.min.session.timeout.ms", "1000"));
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  /** A client whose processor throws goes to ERROR: /health 503 naming it, /ready 503, the watchdog exits 1. */
  @Test
  void shouldReportAFailedClientAt503AndGiveUpAfterTheGrace() throws Exception {
    String bootstrap = broker.bootstrapServers();
    String in = "jrl-it-health-in";
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      TopicAdmin.ensureTopics(admin, List.of(TopicSpec.of(in, 1, (short) 1)));
    }
    StreamsBuilder b = new StreamsBuilder();
    b.stream(in, Consumed.with(Serdes.String(), Serdes.String())).foreach((k, v) -> {
      if (v.equals("boom")) {
        throw new IllegalStateException("a processor failed on purpose");
      }
    });
    Properties p = new Properties();
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "jrl-it-health");
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    ItemIndex index = new ItemIndex(List.of("collaborative"));
    index.markInitialised(0);
    LocalQueryService queries = new LocalQueryService(ServeSettings.defaults(List.of("collaborative")),
        new Recommender(index, new Popularity(), "test", Clock.systemUTC()), id -> UserProfile.unknown());
    try (KafkaStreams ks = new KafkaStreams(b.build(), p);
        ServeServer server = ServeServer.bind(HttpSettings.loopback())) {
      ks.setUncaughtExceptionHandler(e -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
          .SHUTDOWN_CLIENT);
      Health health = new Health().register("trainer test", ks);
      server.start(queries, health);
      ks.start();
      awaitState(ks, KafkaStreams.State.RUNNING);
      assertEquals(200, get(server, "/health").statusCode());
      assertEquals(200, get(server, "/ready").statusCode());

      try (KafkaProducer<String, byte[]> producer = TrainerFixtures.producer(bootstrap)) {
        producer.send(new ProducerRecord<>(in, "k", "boom".getBytes(StandardCharsets.UTF_8))).get();
      }
      awaitState(ks, KafkaStreams.State.ERROR);
      HttpResponse<String> health503 = get(server, "/health");
      assertEquals(503, health503.statusCode(), health503.body());
      JsonNode body = JSON.readTree(health503.body());
      assertEquals("failed", body.path("status").asText());
      assertEquals("ERROR", body.path("clients").path("trainer test").path("state").asText(), health503.body());
      assertTrue(body.path("reason").asText().contains("trainer test (ERROR"), health503.body());
      assertEquals(503, get(server, "/ready").statusCode());

      StringWriter said = new StringWriter();
      long t0 = System.nanoTime();
      int exit;
      try (Lifecycle life = Lifecycle.install(health)) {
        exit = life.awaitStop(Duration.ofSeconds(1), new PrintWriter(said));
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(1, exit, "a failed client ends the command with status 1");
      assertTrue(ms >= 900 && ms < 5000, "gave up after " + ms + " ms with a 1 s grace");
      assertTrue(said.toString().contains("trainer test (ERROR"), said.toString());
    }
  }

  /**
   * 100 records of another producer on the input topic, then a run that dies mid-transaction: the next run goes on
   * from the last position committed with its events, so every event of the data set is there exactly once
   * (counting the input records as its own, as before, skipped 100 events).
   */
  @Test
  void shouldResumeJrlLocalFromItsOwnCommittedPositionWhateverOthersWrote() throws Exception {
    String bootstrap = broker.bootstrapServers();
    StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId("jrl-it-local-position");
    String imports = "jrl.imports";
    try (Admin admin = Admin.create(s.kafkaProperties())) {
      TopicAdmin.ensureTopics(admin, Pipeline.topics(s, List.of("collaborative")));
      TopicAdmin.ensureTopics(admin, Importer.topics(s, imports));
    }
    Dataset ds = SyntheticData.generate(new SyntheticSpec(120, 30, 3, 10, 0, 6), 9L);
    int size = ds.interactions().size();
    assertTrue(size > DatasetProducer.CHUNK + 100, "too few events for a committed chunk before the crash");
    try (KafkaProducer<String, byte[]> other = TrainerFixtures.producer(bootstrap)) {
      for (Input in : TrainerFixtures.goodEvents(new SyntheticSpec(20, 10, 2, 5, 0, 6), 3L,
          System.currentTimeMillis()).subList(0, 100)) {
        other.send(new ProducerRecord<>(s.reviews().name(), in.key(), in.value()));
      }
      other.flush();
    }
    int crashAt = DatasetProducer.CHUNK + 7; // after one whole chunk: at least one commit, whatever the speed
    try (DatasetProducer first = DatasetProducer.exactlyOnce(ds, s, imports, 1L)) {
      assertEquals(0, first.committedPosition());
      int[] sent = {0};
      try {
        first.produce(0, size, 0, n -> { }, () -> {
          if (++sent[0] > crashAt) {
            throw new IllegalStateException("killed mid-transaction");
          }
          return false;
        });
      } catch (IllegalStateException expected) {
        // the transaction it was in stays open: the next run's initTransactions aborts it
      }
    }
    int resumed;
    try (DatasetProducer second = DatasetProducer.exactlyOnce(ds, s, imports, 1L)) {
      resumed = second.committedPosition();
      assertTrue(resumed > 0 && resumed <= crashAt, "resumes at " + resumed + ", the crash came at " + crashAt);
      second.produce(resumed, size, 0, n -> { });
    }
    try (DatasetProducer third = DatasetProducer.exactlyOnce(ds, s, imports, 1L)) {
      assertEquals(size, third.committedPosition(), "a completed run leaves nothing to produce");
    }
    Map<String, Integer> seen = new HashMap<>();
    int foreign = 0;
    for (ConsumerRecord<String, byte[]> r : TrainerFixtures.readCommitted(bootstrap, s.reviews().name())) {
      String id = REVIEWS.decode(r.value()).getEventId();
      if (id.startsWith(ds.name() + ":")) {
        seen.merge(id, 1, Integer::sum);
      } else {
        foreign++;
      }
    }
    for (ConsumerRecord<String, byte[]> r : TrainerFixtures.readCommitted(bootstrap, s.ratings().name())) {
      seen.merge(AvroCodec.of(RatingEvent.class).decode(r.value()).getEventId(), 1,
          Integer::sum);
    }
    assertEquals(100, foreign);
    assertEquals(ds.interactions().size(), seen.size(), "every data-set event produced (resumed at " + resumed + ")");
    assertTrue(seen.values().stream().allMatch(n -> n == 1), "an event produced twice: " + seen);
  }

  /**
   * A pairs file (neither stars nor text) streams as rating events without stars, every line once, each user's lines
   * in their order, the users interleaved (the file lists each user's items together: a stream does not); before,
   * {@code jrl local} and {@code jrl bench stream} refused such a file.
   */
  @Test
  void shouldProduceAPairsFileAsRatingEventsWithoutStars() throws Exception {
    String bootstrap = broker.bootstrapServers();
    StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId("jrl-it-local-pairs");
    try (Admin admin = Admin.create(s.kafkaProperties())) {
      TopicAdmin.ensureTopics(admin, Pipeline.topics(s, List.of("collaborative")));
    }
    StringBuilder file = new StringBuilder();
    for (int u = 0; u < 20; u++) {
      for (int i = 0; i < 5; i++) {
        file.append('u').append(u).append("\ti").append(u + i).append('\n');
      }
    }
    Dataset ds = PairsTsvReader.read(new StringReader(file.toString()), "pairs.tsv", Long.MAX_VALUE);
    try (DatasetProducer p = new DatasetProducer(ds, s, 1L)) {
      assertEquals(100, p.produce(0, ds.interactions().size(), 0, n -> { }));
    }
    Map<String, List<Integer>> byUser = new HashMap<>();
    List<String> users = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : TrainerFixtures.readCommitted(bootstrap, s.ratings().name())) {
      RatingEvent e = AvroCodec.of(RatingEvent.class).decode(r.value());
      if (!e.getEventId().startsWith(ds.name() + ":")) {
        continue; // another test's, on the same broker
      }
      assertEquals(null, e.getStars(), "an implicit interaction has no stars");
      byUser.computeIfAbsent(e.getUserId(), k -> new ArrayList<>()).add(Integer.parseInt(e.getItemId().substring(1)));
      users.add(e.getUserId());
    }
    assertEquals(20, byUser.size());
    byUser.forEach((u, items) -> {
      int first = Integer.parseInt(u.substring(1));
      assertEquals(List.of(first, first + 1, first + 2, first + 3, first + 4), items, u + "'s lines in their order");
    });
    assertTrue(!users.subList(0, 5).stream().allMatch(users.get(0)::equals), "users interleaved: " + users);
    for (ConsumerRecord<String, byte[]> r : TrainerFixtures.readCommitted(bootstrap, s.reviews().name())) {
      assertFalse(REVIEWS.decode(r.value()).getEventId().startsWith(ds.name() + ":"), "a pair became a review");
    }
  }

  /**
   * {@code jrl run} in a child JVM: SIGTERM closes it cleanly (exit 0 or 143, state checkpoints written) and its
   * restart trains the next batch within 10 s with no ERROR in its log; after kill -9 the restart trains within 20
   * s (static membership: it takes its tasks back without waiting out the dead member's session).
   */
  @Test
  void shouldTrainAgainSoonAfterSigtermAndAfterKill9() throws Exception {
    String bootstrap = broker.bootstrapServers();
    String app = "jrl-it-restart";
    StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId(app);
    Path config = dir.resolve("trainer.properties");
    Files.writeString(config, String.join("\n", "bootstrap.servers=" + bootstrap, "application.id=" + app,
        "jrl.views=collaborative", "jrl.batch.size=16", "state.dir=" + dir.resolve("state"),
        "jrl.rocksdb.cache.bytes=16777216", "jrl.rocksdb.write.buffer.bytes=4194304",
        "jrl.flush.after.ms=0", "")); // counts full batches: no flush markers
    List<Input> events = TrainerFixtures.goodEvents(new SyntheticSpec(40, 30, 3, 10, 0, 6), 17L,
        System.currentTimeMillis());
    String topic = s.embeddingsTopic("collaborative");
    int next = 0;
    ChildJvm first = startRun(config);
    try {
      awaitErr(first, "trainer running", Duration.ofSeconds(90));
      next = produce(bootstrap, s, events, next, 32);
      awaitBatches(bootstrap, topic, 2, Duration.ofSeconds(60));
      long t0 = System.nanoTime();
      ProcessHandle.of(first.pid()).orElseThrow().destroy(); // SIGTERM
      int exit = first.waitFor(Duration.ofSeconds(60)).orElseThrow();
      System.out.printf("SIGTERM: exited with %d after %.1f s%n", exit, (System.nanoTime() - t0) / 1e9);
      assertTrue(exit == 0 || exit == 143, "exit status " + exit + "; see " + first.stderr());
      assertTrue(Files.readString(first.stderr()).contains("stopping: closing every Kafka Streams client"));
    } finally {
      first.close();
    }

    next = produce(bootstrap, s, events, next, 16);
    ChildJvm second = startRun(config);
    try {
      double afterSigterm = restart(second, bootstrap, topic, 3, "SIGTERM");
      String log = Files.readString(second.stderr());
      assertFalse(log.contains(" ERROR "), "ERROR in the restarted trainer's log:\n" + errorLines(log));
      assertTrue(afterSigterm < 10, "restart after SIGTERM took " + afterSigterm + " s");
      second.halt(); // kill -9
    } finally {
      second.close();
    }

    produce(bootstrap, s, events, next, 16);
    ChildJvm third = startRun(config);
    try {
      double afterKill = restart(third, bootstrap, topic, 4, "kill -9");
      assertTrue(afterKill < 20, "restart after kill -9 took " + afterKill + " s");
      ProcessHandle.of(third.pid()).orElseThrow().destroy();
      third.waitFor(Duration.ofSeconds(60));
    } finally {
      third.close();
    }
  }

  /**
   * Two instances of the same application with {@code num.standby.replicas=1}: the instance without a view's task
   * keeps a standby of it, and when the active instance stops, the other takes the task over and trains on.
   */
  @Test
  void shouldKeepAStandbyOnTheSecondInstanceThatTakesOverWhenTheFirstStops() throws Exception {
    String bootstrap = broker.bootstrapServers();
    StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId("jrl-it-standby");
    List<String> views = List.of("collaborative");
    Map<String, String> extra = Map.of("num.standby.replicas", "1", "jrl.rocksdb.cache.bytes",
        Long.toString(16L << 20), "jrl.rocksdb.write.buffer.bytes", Long.toString(4L << 20));
    List<Input> events = TrainerFixtures.goodEvents(new SyntheticSpec(40, 30, 3, 10, 0, 6), 23L,
        System.currentTimeMillis());
    String topic = s.embeddingsTopic("collaborative");
    // Counts full batches: no flush markers.
    TrainingOptions training = TrainingOptions.defaults().withBatchSize(16).withFlushAfterMs(0);
    Pipeline a = Pipeline.start(s, TrainerFixtures.config(), new Pipeline.Options(views, dir.resolve("a"), extra,
        training));
    Pipeline b = null;
    try {
      a.awaitRunning(Duration.ofSeconds(60));
      b = Pipeline.start(s, TrainerFixtures.config(), new Pipeline.Options(views, dir.resolve("b"), extra, training));
      b.awaitRunning(Duration.ofSeconds(60));
      int next = produce(bootstrap, s, events, 0, 32);
      awaitBatches(bootstrap, topic, 2, Duration.ofSeconds(60));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!hasTasks(a, true) && !hasTasks(b, true)) { // a rebalance may be under way
        assertTrue(System.nanoTime() < deadline, "no instance runs the trainer's task");
        Thread.sleep(100);
      }
      Pipeline active = hasTasks(a, true) ? a : b;
      Pipeline standby = active == a ? b : a;
      while (!hasTasks(standby, false)) {
        assertTrue(System.nanoTime() < deadline, "the second instance holds no standby of the trainer's task");
        Thread.sleep(100);
      }
      active.close();
      long t0 = System.nanoTime();
      produce(bootstrap, s, events, next, 16);
      awaitBatches(bootstrap, topic, 3, Duration.ofSeconds(60));
      System.out.printf("standby instance took over and trained the next batch %.1f s after the other closed%n",
          (System.nanoTime() - t0) / 1e9);
      // Only the second instance runs now, so it trained that batch; its task metadata may lag a rebalance.
      deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!hasTasks(standby, true)) {
        assertTrue(System.nanoTime() < deadline, "the standby instance did not take the task over");
        Thread.sleep(100);
      }
    } finally {
      a.close();
      if (b != null) {
        b.close();
      }
    }
  }

  /** Whether the trainer application of {@code p} holds an active (or else a standby) task. */
  private static boolean hasTasks(Pipeline p, boolean active) {
    KafkaStreams trainer = p.applications().get(1);
    return trainer.metadataForLocalThreads().stream()
        .anyMatch(t -> !(active ? t.activeTasks() : t.standbyTasks()).isEmpty());
  }

  /**
   * Waits until a restarted trainer has trained batch {@code batch}; returns the seconds from the start of its
   * Kafka Streams applications (after the JVM, the configuration and the topic checks, which on the loaded 2-core
   * machine alone took 5-20 s) and prints both that and the time from the JVM's start.
   */
  private static double restart(ChildJvm child, String bootstrap, String topic, long batch, String after)
      throws Exception {
    long t0 = System.nanoTime();
    long started = -1;
    long deadline = t0 + Duration.ofSeconds(120).toNanos();
    while (true) {
      if (started < 0 && Files.readString(child.stderr()).contains(Pipeline.STARTING)) {
        started = System.nanoTime();
      }
      if (started >= 0 && batches(bootstrap, topic) >= batch) {
        break;
      }
      assertTrue(child.isAlive(), "the restarted trainer exited; see " + child.stderr());
      assertTrue(System.nanoTime() < deadline, "batch " + batch + " not trained; see " + child.stderr());
      Thread.sleep(50);
    }
    double total = (System.nanoTime() - t0) / 1e9;
    double kafka = (System.nanoTime() - started) / 1e9;
    System.out.printf("restart after %s: trained the next batch %.1f s after its applications started (%.1f s after"
        + " the JVM started)%n", after, kafka, total);
    return kafka;
  }

  private static long batches(String bootstrap, String topic) {
    long most = 0;
    for (ConsumerRecord<String, byte[]> r : TrainerFixtures.readCommitted(bootstrap, topic)) {
      most = Math.max(most, EMBEDDINGS.decode(r.value()).getUpdateCount());
    }
    return most;
  }

  private ChildJvm startRun(Path config) {
    return ChildJvm.start(Jrl.class, dir.resolve("logs"), List.of("-Xmx384m", "-XX:+UseSerialGC"),
        List.of("run", "--config", config.toString(), "--no-serve"));
  }

  private static String errorLines(String log) {
    List<String> out = new ArrayList<>();
    for (String line : log.split("\n")) {
      if (line.contains(" ERROR ")) {
        out.add(line);
      }
    }
    return String.join("\n", out);
  }

  private static int produce(String bootstrap, StreamsSettings s, List<Input> events, int from, int n) {
    try (KafkaProducer<String, byte[]> p = TrainerFixtures.producer(bootstrap)) {
      for (int i = from; i < from + n; i++) {
        TrainerFixtures.send(p, s.reviews().name(), events.get(i));
      }
      p.flush();
    }
    return from + n;
  }

  private static void awaitErr(ChildJvm child, String marker, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (!Files.readString(child.stderr()).contains(marker)) {
      assertTrue(child.isAlive(), "the child exited; see " + child.stderr());
      assertTrue(System.nanoTime() < deadline, "no '" + marker + "' within " + max + "; see " + child.stderr());
      Thread.sleep(100);
    }
  }

  private static void awaitBatches(String bootstrap, String topic, long batches, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      long most = batches(bootstrap, topic);
      if (most >= batches) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, topic + " reached " + most + " batches, not " + batches);
      Thread.sleep(100);
    }
  }

  private static void awaitState(KafkaStreams ks, KafkaStreams.State state) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (ks.state() != state) {
      assertTrue(System.nanoTime() < deadline, "state " + ks.state() + ", not " + state);
      Thread.sleep(50);
    }
  }

  private static HttpResponse<String> get(ServeServer s, String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
