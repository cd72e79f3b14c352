package io.jrlstream.ops.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.IdIndex;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.shard.ShardTask;
import io.jrlstream.core.shard.ShardedTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.ops.kafka.ChildJvm;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.config.TopicSpec;
import io.jrlstream.streams.shard.ShardObserver;
import io.jrlstream.streams.shard.ShardedTopology;
import io.jrlstream.streams.train.StreamContent;
import io.jrlstream.streams.train.TrainingObserver;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sharded view on a real broker (issue 16 part 3): the collaborative view as 2 tasks in one instance, the validated
 * topic routed by user, the tasks' round deltas through the update topic with exactly-once. Every event trains once,
 * at its user's task, and each task ends bit for bit where model-core's simulator ends the same task (same users,
 * same settings): so the merges were applied at the same points, in the same order, with the same deltas, whatever
 * the timing of the broker.
 */
class ShardedTrainingTest {
  private static final String VIEW = "collaborative";
  private static final int BATCH = 16;

  @TempDir
  Path dir;

  /** The events as the validated topic holds them, the user ids by index, and the simulator's run over them. */
  private record Stream(List<TrainingEvent> events, IdIndex users, ShardedTrainer sim) {
    int owner(int user) {
      return ShardedTopology.taskOf(users.id(user), 2);
    }
  }

  /**
   * A few thousand events, and the simulator's tasks over them: users and items indexed in order of first
   * appearance, as the router indexes them, users partitioned by Kafka's partitioner of their ids.
   */
  private static Stream stream(ShardSettings shard) {
    Dataset data = SyntheticData.generate(new SyntheticSpec(300, 120, 4, 10, 0, 4), 5L);
    ModelConfig config = TrainerFixtures.config();
    long t0 = System.currentTimeMillis();
    List<TrainingEvent> events = new ArrayList<>();
    List<Interaction> indexed = new ArrayList<>();
    IdIndex users = new IdIndex();
    IdIndex items = new IdIndex();
    for (Interaction x : data.interactions()) {
      String u = "user-" + x.user();
      String i = "item-" + x.item();
      long time = t0 + events.size();
      events.add(TrainingEvent.newBuilder().setEventId("e" + events.size()).setEventTime(Instant.ofEpochMilli(time))
          .setKind(TrainingEventKind.RATING).setUserId(u).setItemId(i).setStars(3f).setSourceTopic("test")
          .setSourcePartition(0).setSourceOffset(events.size()).build());
      indexed.add(new Interaction(users.intern(u), items.intern(i), 3f, -1, time));
    }
    ShardedTrainer sim = new ShardedTrainer(c -> ViewFactory.create(VIEW, config, c), new StreamContent(),
        config.seed(), BATCH, shard, u -> ShardedTopology.taskOf(users.id(u), 2));
    indexed.forEach(sim::accept);
    sim.finish();
    return new Stream(events, users, sim);
  }

  /** Creates the sharded view's topics, the validated and the embedding topic. */
  private static void createTopics(StreamsSettings s, ShardSettings shard) {
    List<TopicSpec> topics = new ArrayList<>(ShardedTopology.topics(s, VIEW, shard));
    topics.add(Pipeline.validatedTopic(s));
    topics.add(Pipeline.embeddingsTopic(s, s.embeddingsTopic(VIEW), (short) 1));
    Properties client = new Properties();
    client.put("bootstrap.servers", s.bootstrapServers());
    try (Admin admin = Admin.create(client)) {
      TopicAdmin.ensureTopics(admin, topics);
    }
  }

  /** Writes events [from, to) to the validated topic, then, with {@code end}, a flush marker. */
  private static void produce(StreamsSettings s, List<TrainingEvent> events, int from, int to, boolean end) {
    AvroCodec<TrainingEvent> codec = AvroCodec.of(TrainingEvent.class);
    try (KafkaProducer<String, byte[]> producer = TrainerFixtures.producer(s.bootstrapServers())) {
      for (TrainingEvent e : events.subList(from, to)) {
        producer.send(new ProducerRecord<>(s.validatedTopic(), 0, e.getEventTime().toEpochMilli(), e.getUserId(),
            codec.encode(e)));
      }
      if (end) { // the end of the stream: a flush marker
        producer.send(new ProducerRecord<>(s.validatedTopic(), 0, System.currentTimeMillis(), (String) null,
            (byte[]) null));
      }
    }
  }

  /**
   * One instance with both tasks, under the non-default round protocol the keys allow (a threshold with its bound,
   * values-only deltas in bfloat16, two batches per round: held keys and 2-byte values on the update topic; the
   * kill tests below run the defaults): every event trains once and each task ends as the simulator's, bit for bit.
   */
  @Test
  void shouldTrainEveryEventOnceAndEachTaskAsTheSimulator() throws Exception {
    ShardSettings shard = new ShardSettings(2, 2, 1).withOptimizerState(false).withThreshold(0.5f, 3)
        .withPrecision(ShardSettings.Precision.BF16);
    ModelConfig config = TrainerFixtures.config();
    Stream stream = stream(shard);
    List<TrainingEvent> events = stream.events();
    ShardedTrainer sim = stream.sim();
    assertTrue(sim.stats().heldKeys() > 0, "some rows were held back: " + sim.stats());
    Map<Integer, ShardTask> ended = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(2);
    ShardObserver observer = new ShardObserver() {
      @Override
      public void epochEnded(String view, ShardTask task, int epoch, IntPredicate ownsUser) {
        ended.put(task.index(), task);
        done.countDown();
      }
    };
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      String bootstrap = broker.bootstrapServers();
      StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId("jrl-it-shard");
      TrainingOptions options = TrainingOptions.defaults().withBatchSize(BATCH);
      createTopics(s, shard);
      produce(s, events, 0, events.size(), true);
      Pipeline.Options o = Pipeline.Options.of(List.of(VIEW), dir.resolve("state")).withTraining(options);
      Properties props = Pipeline.viewProperties(s, o, Pipeline.viewApplicationId(s, VIEW));
      props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
      try (KafkaStreams app = new KafkaStreams(ShardedTopology.build(s, config, VIEW, options, shard, observer,
          TrainingObserver.NONE),
          props)) {
        app.start();
        assertTrue(done.await(90, TimeUnit.SECONDS), "both tasks reached the end marker; ended: " + ended.keySet());
      }
    }
    long trained = 0;
    for (int i = 0; i < 2; i++) {
      ShardTask task = ended.get(i);
      trained += task.events();
      assertEquals(sim.stats().eventsPerShard()[i], task.events(), "events at task " + i);
      assertTrue(task.closed() > 10 && task.merged() == task.closed(), "rounds at task " + i + ": " + task.closed());
      int owner = i;
      assertSameState(sim.trainer(i).view(), task.trainer().view(), u -> stream.owner(u) == owner, "task " + i);
    }
    assertEquals(events.size(), trained, "every event trained once, at its user's task");
  }

  /**
   * Two instances of the sharded view's application (child JVMs, as two {@code jrl run} would run it) share its
   * tasks; half the stream trains, then the rest arrives and the instance running a trainer task is killed (kill -9).
   * The other takes its tasks, rebuilds them from their committed input, and the run ends with every event trained
   * once and each task's parameters and optimiser state those of the simulator's task, bit for bit (hashed). The
   * kill falls in the middle of the second half, so the survivor re-reads some of it and trains the rest live.
   */
  @Test
  void shouldMoveAKilledInstancesTasksToTheOtherAndEndAsTheSimulator() throws Exception {
    String restarted = killAndMove(List.of());
    assertTrue(field(restarted, "replayed") > 0, "the moved task rebuilt its state from its input: " + restarted);
  }

  /**
   * As {@link #shouldMoveAKilledInstancesTasksToTheOtherAndEndAsTheSimulator}, with a checkpoint every 8 mini-batches
   * of a task (128 of its events): the moved task loads its last committed checkpoint and re-reads only the records
   * after it (the events it trained since, the backlog it held waiting for task 1's deltas, the deltas since), not
   * its whole partition (about 1,580 records at the kill without a checkpoint), and still ends as the simulator's task.
   */
  @Test
  void shouldRestoreAKilledInstancesTaskFromItsCheckpointAndEndAsTheSimulator() throws Exception {
    String restarted = killAndMove(List.of("8"));
    assertTrue(field(restarted, "replayed") < 1000, "the moved task re-read what followed its checkpoint: "
        + restarted);
  }

  /**
   * Runs the two instances (with the children's extra arguments), kills the one running task 0 mid-stream, checks the
   * end, and returns the survivor's last {@code STARTED} line of the moved task.
   */
  private String killAndMove(List<String> childArgs) throws Exception {
    Stream stream = stream(ShardChildMain.SHARD);
    List<TrainingEvent> events = stream.events();
    int half = events.size() / 2;
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      StreamsSettings s = StreamsSettings.defaults(broker.bootstrapServers())
          .withApplicationId(ShardChildMain.APP);
      createTopics(s, ShardChildMain.SHARD);
      produce(s, events, 0, half, false);
      System.out.println("children start at " + System.currentTimeMillis());
      List<ChildJvm> children = new ArrayList<>();
      try {
        for (String name : List.of("a", "b")) {
          List<String> args = new ArrayList<>(List.of(broker.bootstrapServers(),
              dir.resolve("state-" + name).toString()));
          args.addAll(childArgs);
          children.add(ChildJvm.start(ShardChildMain.class, dir.resolve("logs"), List.of("-Xmx256m"), args));
        }
        // Both trainer tasks train (10 rounds each, at least), wherever they run.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (owner(children, 0) == null || owner(children, 1) == null) {
          assertTrue(System.nanoTime() < deadline, "the trainer tasks did not start training: " + children);
          Thread.sleep(100);
        }
        produce(s, events, half, events.size(), true);
        ChildJvm victim = owner(children, 0); // task 0 moves (and task 1 with it when both ran there)
        ChildJvm survivor = children.get(0) == victim ? children.get(1) : children.get(0);
        int moved = 0;
        // Killed in the middle of the second half (about 47 rounds per task in the first): its last transaction open.
        victim.awaitOutput("ROUND task=0 closed=60", Duration.ofSeconds(60));
        System.out.println("kill -9 at " + System.currentTimeMillis());
        assertEquals(137, victim.halt(), "kill -9");
        long trained = 0;
        for (int i = 0; i < 2; i++) {
          String line = survivor.awaitOutput("EPOCH task=" + i + " ", Duration.ofSeconds(120));
          long taskEvents = field(line, "events");
          trained += taskEvents;
          assertEquals(stream.sim().stats().eventsPerShard()[i], taskEvents, "events of task " + i + ": " + line);
          int task = i;
          long expected = ShardChildMain.hash(stream.sim().trainer(i).view(), u -> stream.owner(u) == task);
          assertEquals(Long.toHexString(expected), line.substring(line.indexOf("hash=") + 5).trim(),
              "task " + i + "'s parameters after the kill: " + line);
        }
        assertEquals(events.size(), trained, "every event trained once");
        for (ChildJvm c : children) {
          System.out.println(c + (c == victim ? " (killed)" : "") + ":\n  " + String.join("\n  ", lines(c)));
        }
        return lines(survivor).stream().filter(l -> l.contains("STARTED task=" + moved + " "))
            .reduce((a, b) -> b).orElseThrow();
      } finally {
        children.forEach(ChildJvm::close);
      }
    }
  }

  /** The child that last reported a round of task i (the instance running it now), null when none did. */
  private static ChildJvm owner(List<ChildJvm> children, int task) throws Exception {
    ChildJvm best = null;
    long latest = -1;
    for (ChildJvm c : children) {
      for (String l : lines(c)) {
        if (l.contains("ROUND task=" + task + " ")) {
          long t = Long.parseLong(l.substring(0, l.indexOf(' ')));
          if (t > latest) {
            latest = t;
            best = c;
          }
        }
      }
    }
    return best;
  }

  private static List<String> lines(ChildJvm c) throws Exception {
    return Files.readAllLines(c.stdout());
  }

  private static long field(String line, String name) {
    int at = line.indexOf(name + "=") + name.length() + 1;
    int end = line.indexOf(' ', at);
    return Long.parseLong(line.substring(at, end < 0 ? line.length() : end));
  }

  /** Every shared row and every row of the task's own users, value and optimiser state, bit for bit. */
  private static void assertSameState(View expected, View actual, IntPredicate owned,
      String what) {
    for (int p = 0; p < expected.params().size(); p++) {
      Param e = expected.params().get(p);
      Param a = actual.params().get(p);
      boolean userRows = e.value() == expected.users();
      int rows = Math.min(e.value().size(), a.value().size());
      if (!userRows) {
        assertEquals(e.value().size(), a.value().size(), what + " " + e.value().name());
      }
      int compared = 0;
      for (int r = 0; r < rows; r++) {
        if (userRows && !owned.test(r)) {
          continue;
        }
        compared++;
        assertArrayEquals(e.value().row(r), a.value().row(r), what + " " + e.value().name() + " row " + r);
        assertArrayEquals(e.state1OrNull(r), a.state1OrNull(r), what + " " + e.value().name() + " state row " + r);
      }
      assertTrue(compared > 0, what + " " + e.value().name() + ": nothing compared");
    }
  }
}
