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
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.file.Path;
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

  @Test
  void shouldTrainEveryEventOnceAndEachTaskAsTheSimulator() throws Exception {
    Dataset data = SyntheticData.generate(new SyntheticSpec(300, 120, 4, 10, 0, 4), 5L);
    ModelConfig config = TrainerFixtures.config();
    ShardSettings shard = new ShardSettings(2, 1, 1);
    long t0 = System.currentTimeMillis();
    // The events as the validated topic holds them, and as the simulator sees them: users and items indexed in
    // order of first appearance, as the router indexes them.
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

    Map<Integer, ShardTask> ended = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(2);
    ShardObserver observer = new ShardObserver() {
      @Override
      public void epochEnded(String view, ShardTask task, int epoch) {
        ended.put(task.index(), task);
        done.countDown();
      }
    };
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      String bootstrap = broker.bootstrapServers();
      StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId("jrl-it-shard");
      TrainingOptions options = TrainingOptions.defaults().withBatchSize(BATCH);
      List<TopicSpec> topics = new ArrayList<>(ShardedTopology.topics(s, VIEW, shard));
      topics.add(Pipeline.validatedTopic(s));
      topics.add(Pipeline.embeddingsTopic(s, s.embeddingsTopic(VIEW), (short) 1));
      Properties client = new Properties();
      client.put("bootstrap.servers", bootstrap);
      try (Admin admin = Admin.create(client)) {
        TopicAdmin.ensureTopics(admin, topics);
      }
      AvroCodec<TrainingEvent> codec = AvroCodec.of(TrainingEvent.class);
      try (KafkaProducer<String, byte[]> producer = TrainerFixtures.producer(bootstrap)) {
        for (TrainingEvent e : events) {
          producer.send(new ProducerRecord<>(s.validatedTopic(), 0, e.getEventTime().toEpochMilli(), e.getUserId(),
              codec.encode(e)));
        }
        producer.send(new ProducerRecord<>(s.validatedTopic(), 0, t0 + events.size(), (String) null,
            (byte[]) null)); // the end of the stream: a flush marker
      }
      Pipeline.Options o = Pipeline.Options.of(List.of(VIEW), dir.resolve("state")).withTraining(options);
      Properties props = Pipeline.viewProperties(s, o, Pipeline.viewApplicationId(s, VIEW));
      props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
      try (KafkaStreams app = new KafkaStreams(ShardedTopology.build(s, config, VIEW, options, shard, observer),
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
      assertSameState(sim.trainer(i).view(), task.trainer().view(),
          u -> ShardedTopology.taskOf(users.id(u), 2) == owner, "task " + i);
    }
    assertEquals(events.size(), trained, "every event trained once, at its user's task");
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
