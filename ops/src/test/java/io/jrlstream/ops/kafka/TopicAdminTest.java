package io.jrlstream.ops.kafka;

import io.jrlstream.streams.config.TopicSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static io.jrlstream.ops.kafka.KafkaTestSupport.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicAdminTest {

  @TempDir
  static Path dir;

  private static LocalBroker broker;
  private static Admin admin;

  @BeforeAll
  static void startBroker() {
    broker = LocalBroker.start(dir);
    admin = admin(broker);
  }

  @AfterAll
  static void stopBroker() {
    if (admin != null) {
      admin.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void shouldCreateAbsentTopicsWithTheirSettings() throws Exception {
    List<TopicSpec> specs = List.of(
        TopicSpec.of("create.reviews", 3, (short) 1),
        TopicSpec.compacted("create.embeddings", 2, (short) 1).withConfig("segment.ms", "600000"));

    assertEquals(List.of("create.reviews", "create.embeddings"),
        TopicAdmin.ensureTopics(admin, specs));

    Map<String, TopicDescription> topics =
        admin.describeTopics(List.of("create.reviews", "create.embeddings")).allTopicNames().get();
    assertEquals(3, topics.get("create.reviews").partitions().size());
    assertEquals(2, topics.get("create.embeddings").partitions().size());
    Config config = admin.describeConfigs(List.of(
        new ConfigResource(ConfigResource.Type.TOPIC, "create.embeddings"))).all().get().values()
        .iterator().next();
    assertEquals("compact", config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
    assertEquals("600000", config.get("segment.ms").value());
  }

  @Test
  void shouldAcceptExistingTopicsThatMatchAndCreateOnlyTheMissingOnes() {
    TopicAdmin.ensureTopics(admin, List.of(TopicSpec.compacted("again.a", 2, (short) 1)));

    List<String> created = TopicAdmin.ensureTopics(admin, List.of(
        new TopicSpec("again.a", 2, (short) 1, Map.of("cleanup.policy", "compact")),
        TopicSpec.of("again.b", 1, (short) -1)));

    assertEquals(List.of("again.b"), created);
  }

  @Test
  void shouldNameEveryMisconfiguredTopicWithExpectedAndActualValues() {
    TopicAdmin.ensureTopics(admin, List.of(
        TopicSpec.of("bad.partitions", 1, (short) 1),
        TopicSpec.of("bad.policy", 2, (short) 1),
        TopicSpec.of("fine", 2, (short) 1)));

    TopicMisconfiguredException e = assertThrows(TopicMisconfiguredException.class,
        () -> TopicAdmin.ensureTopics(admin, List.of(
            TopicSpec.of("bad.partitions", 4, (short) 1),
            TopicSpec.compacted("bad.policy", 2, (short) 1),
            TopicSpec.of("fine", 2, (short) 1),
            TopicSpec.of("bad.new", 1, (short) 1))));

    assertEquals(List.of(
        "topic 'bad.partitions': partitions expected 4, actual 1",
        "topic 'bad.policy': cleanup.policy expected 'compact', actual 'delete'"), e.problems());
    assertTrue(e.getMessage().contains(e.problems().get(0)), e.getMessage());
    assertTrue(e.getMessage().contains(e.problems().get(1)), e.getMessage());
    assertFalse(e.getMessage().contains("'fine'"), e.getMessage());
    // The absent topic was still created.
    assertEquals(List.of(),
        TopicAdmin.ensureTopics(admin, List.of(TopicSpec.of("bad.new", 1, (short) 1))));
  }

  @Test
  void shouldSucceedForEveryCallerWhenManyCreateTheSameTopicsAtOnce() throws Exception {
    List<TopicSpec> specs = List.of(
        TopicSpec.of("race.a", 2, (short) 1), TopicSpec.compacted("race.b", 1, (short) 1));
    int callers = 4;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<List<String>>> results = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        Callable<List<String>> call = () -> {
          try (Admin own = admin(broker)) {
            go.await();
            return TopicAdmin.ensureTopics(own, specs);
          }
        };
        results.add(pool.submit(call));
      }
      go.countDown();
      List<String> createdByAll = new ArrayList<>();
      for (Future<List<String>> result : results) {
        createdByAll.addAll(result.get());
      }
      // Each topic created exactly once, whoever won; nobody failed.
      assertEquals(Set.of("race.a", "race.b"), Set.copyOf(createdByAll));
      assertEquals(2, createdByAll.size());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldReportARequestTheClusterRefuses() {
    KafkaOpsException e = assertThrows(KafkaOpsException.class,
        () -> TopicAdmin.ensureTopics(admin, List.of(TopicSpec.of("refused", 1, (short) 3))));
    assertTrue(e.getMessage().contains("could not create topic 'refused'"), e.getMessage());
  }

  @Test
  void shouldRejectInvalidSpecs() {
    assertThrows(IllegalArgumentException.class, () -> TopicSpec.of("", 1, (short) 1));
    assertThrows(IllegalArgumentException.class, () -> TopicSpec.of("has space", 1, (short) 1));
    assertThrows(IllegalArgumentException.class, () -> TopicSpec.of("t", 0, (short) 1));
    assertThrows(IllegalArgumentException.class, () -> TopicSpec.of("t", 1, (short) 0));
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> TopicAdmin.ensureTopics(admin, List.of(
            TopicSpec.of("dup", 1, (short) 1), TopicSpec.of("dup", 2, (short) 1))));
    assertTrue(twice.getMessage().contains("'dup'"), twice.getMessage());
  }

  /** A topic whose whole history is needed (the validated topic) must not lose it to a finite retention. */
  @Test
  void shouldRefuseAnExistingTopicWhoseRetentionIsNotTheSpecs() {
    TopicSpec forGood = TopicSpec.of("history.kept", 1, (short) 1).withConfig("retention.ms", "-1")
        .withConfig("retention.bytes", "-1");
    TopicAdmin.ensureTopics(admin, List.of(forGood,
        TopicSpec.of("history.week", 1, (short) 1).withConfig("retention.ms", "604800000"),
        forGood.withConfig("retention.bytes", "1048576").renamed("history.bytes")));
    assertEquals(List.of(), TopicAdmin.ensureTopics(admin, List.of(forGood)), "created with -1, so accepted");
    // A topic created without a retention of its own takes the broker's: the local broker keeps everything, so a
    // validated topic from a data folder of an older version is accepted there too.
    TopicAdmin.ensureTopics(admin, List.of(TopicSpec.of("history.broker.default", 1, (short) 1)));
    assertEquals(List.of(), TopicAdmin.ensureTopics(admin, List.of(forGood.renamed("history.broker.default"))));

    TopicMisconfiguredException e = assertThrows(TopicMisconfiguredException.class,
        () -> TopicAdmin.ensureTopics(admin, List.of(forGood.renamed("history.week"),
            forGood.renamed("history.bytes"))));
    assertEquals(List.of(
        "topic 'history.week': retention.ms expected '-1', actual '604800000'",
        "topic 'history.bytes': retention.bytes expected '-1', actual '1048576'"), e.problems());
  }

  /**
   * A retention with a floor (the validated topic: trainers restore from their checkpoints, so only the events since
   * need to be there): -1 or at least the floor is accepted, less is refused naming both.
   */
  @Test
  void shouldAcceptAnExistingRetentionAtOrAboveItsFloor() {
    TopicSpec spec = TopicSpec.of("floored.kept", 1, (short) 1).withConfig("retention.ms", "-1")
        .withConfig("retention.bytes", "-1").withFloor("retention.ms", 604_800_000L)
        .withFloor("retention.bytes", 1L << 30);
    TopicAdmin.ensureTopics(admin, List.of(spec,
        TopicSpec.of("floored.week", 1, (short) 1).withConfig("retention.ms", "604800000")
            .withConfig("retention.bytes", "2147483648"),
        TopicSpec.of("floored.day", 1, (short) 1).withConfig("retention.ms", "86400000"),
        TopicSpec.of("floored.mib", 1, (short) 1).withConfig("retention.bytes", "1048576")));
    assertEquals(List.of(), TopicAdmin.ensureTopics(admin, List.of(spec, spec.renamed("floored.week"))));
    TopicMisconfiguredException e = assertThrows(TopicMisconfiguredException.class,
        () -> TopicAdmin.ensureTopics(admin, List.of(spec.renamed("floored.day"), spec.renamed("floored.mib"))));
    assertEquals(List.of(
        "topic 'floored.day': retention.ms expected -1 or at least 604800000, actual '86400000'",
        "topic 'floored.mib': retention.bytes expected -1 or at least 1073741824, actual '1048576'"), e.problems());
    assertThrows(IllegalArgumentException.class, () -> spec.withFloor("cleanup.policy", 1));
    assertThrows(IllegalArgumentException.class, () -> spec.withFloor("retention.ms", -5));
  }

  @Test
  void shouldCompareCleanupPoliciesAsSets() {
    TopicAdmin.ensureTopics(admin, List.of(
        new TopicSpec("policy.both", 1, (short) 1, Map.of("cleanup.policy", "compact,delete"))));
    List<String> created = TopicAdmin.ensureTopics(admin, List.of(
        new TopicSpec("policy.both", 1, (short) 1, Map.of("cleanup.policy", "delete, compact"))));
    assertEquals(List.of(), created);
  }

  /**
   * A topic the application writes must accept its largest record: an existing one with a smaller
   * max.message.bytes would fail its exactly-once transactions; a larger one, or the broker default, is fine.
   */
  @Test
  void shouldRefuseAnExistingTopicThatAcceptsSmallerRecordsThanTheSpecs() {
    TopicSpec needs = TopicSpec.of("sized.ok", 1, (short) 1).withConfig("max.message.bytes", "1048588");
    TopicAdmin.ensureTopics(admin, List.of(TopicSpec.of("sized.ok", 1, (short) 1),
        TopicSpec.of("sized.big", 1, (short) 1).withConfig("max.message.bytes", "5000000"),
        TopicSpec.of("sized.small", 1, (short) 1).withConfig("max.message.bytes", "100000")));
    assertEquals(List.of(), TopicAdmin.ensureTopics(admin, List.of(needs, needs.renamed("sized.big"))));
    TopicMisconfiguredException e = assertThrows(TopicMisconfiguredException.class,
        () -> TopicAdmin.ensureTopics(admin, List.of(needs.renamed("sized.small"))));
    assertEquals(1, e.problems().size());
    assertTrue(e.problems().get(0).startsWith("topic 'sized.small': max.message.bytes expected at least 1048588"),
        e.problems().get(0));
  }
}
