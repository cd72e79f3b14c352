package io.jrlstream.ops.it;

import static io.jrlstream.ops.it.TrainerFixtures.BATCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.ops.Jrl;
import io.jrlstream.ops.it.TrainerFixtures.Input;
import io.jrlstream.ops.it.TrainerFixtures.Published;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.replay.Replay;
import io.jrlstream.ops.replay.ViewVersions;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.ops.serve.Serving;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serve.ServeSettings;
import io.jrlstream.streams.train.TrainingOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Serving follows the active version of a view (issue 6: "serving starts using the new view when it has caught up,
 * and a previous version can be switched back to"), against a real broker: a running trainer and two serving
 * instances (same application, each answering for the users it owns and forwarding the others); a replay trains
 * the view again as version 1 (another seed, so its vectors differ from the live ones); once it has caught up, both
 * instances' answers come from version 1 and say so; {@code jrl replay --view V@0 --activate-only} switches
 * serving back to the live topic. Every answer seen on the way is checked against the version it names: each
 * item's score is the dot product of a user vector and an item vector published on that version's topic (never a
 * mix of two versions), and once settled the answers are exactly the top-N of that version's final vectors.
 * Unreadable control records and an active version that has not caught up leave serving as it is.
 */
class VersionSwitchServingTest {
  private static final String VIEW = "collaborative";
  private static final List<String> VIEWS = List.of(VIEW);
  private static final String CONTROL = "jrl.view-versions";
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Map<String, String> SMALL_ROCKSDB = Map.of("jrl.rocksdb.cache.bytes",
      Long.toString(16L << 20), "jrl.rocksdb.write.buffer.bytes", Long.toString(4L << 20));

  @TempDir
  Path dir;

  private final HttpClient client = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  /** What a version's topic holds: every vector published per key, and the latest. */
  private record VersionLog(int version, Map<String, List<float[]>> all, Map<String, float[]> last) {
    static VersionLog read(String bootstrap, String topic, int version) {
      Map<String, List<float[]>> all = new HashMap<>();
      Map<String, float[]> last = new HashMap<>();
      for (Published p : TrainerFixtures.publishedOn(bootstrap, topic)) {
        all.computeIfAbsent(p.key(), k -> new ArrayList<>()).add(p.vector());
        last.put(p.key(), p.vector());
      }
      return new VersionLog(version, all, last);
    }
  }

  @Test
  void shouldServeTheActiveVersionOfAViewAndSwitchBackToTheLiveTopic() throws Exception {
    List<Input> events = TrainerFixtures.goodEvents(new SyntheticSpec(30, 25, 3, 6, 0, 4), 5L,
        System.currentTimeMillis());
    Map<String, Set<String>> interacted = new HashMap<>();
    for (Input in : events) {
      interacted.computeIfAbsent(in.event().getUserId(), u -> new HashSet<>()).add(in.event().getItemId());
    }
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      String bootstrap = broker.bootstrapServers();
      StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId("jrl-it-versions");
      ServeSettings serve = ServeSettings.defaults(VIEWS).withPartitions(2);
      try (Pipeline pipeline = Pipeline.start(s, TrainerFixtures.config(), new Pipeline.Options(VIEWS,
          dir.resolve("train"), SMALL_ROCKSDB, TrainingOptions.defaults().withBatchSize(BATCH)
              .withFlushAfterMs(0))); // the log read below is final: no flush markers
          Serving a = Serving.start(s, serve, HttpSettings.loopback(), dir.resolve("serve-a"), SMALL_ROCKSDB,
              CONTROL);
          Serving b = Serving.start(s, serve, HttpSettings.loopback(), dir.resolve("serve-b"), SMALL_ROCKSDB,
              CONTROL)) {
        List<Serving> serving = List.of(a, b);
        try (KafkaProducer<String, byte[]> producer = TrainerFixtures.producer(bootstrap)) {
          events.forEach(in -> TrainerFixtures.send(producer, s.reviews().name(), in));
        }
        Pipeline.awaitCaughtUp(s, VIEWS, WAIT);
        TrainerFixtures.awaitStable(bootstrap, List.of(s.embeddingsTopic(VIEW)), Duration.ofMillis(500));
        VersionLog live = VersionLog.read(bootstrap, s.embeddingsTopic(VIEW), 0);
        a.awaitReady(WAIT);
        b.awaitReady(WAIT);
        // Users whose vector a completed mini-batch published (the last partial batch publishes nothing).
        List<String> users = interacted.keySet().stream()
            .filter(u -> live.last().containsKey(EmbeddingKey.user(u).toString()))
            .sorted()
            .toList();
        assertTrue(users.size() >= 20, "users with a vector: " + users.size());
        for (String user : users) {
          // Serving started with the trainer: a user's vector may reach its store after /ready (popular meanwhile).
          awaitSettled(serving, user, live, interacted.get(user), Map.of(0, live), true);
        }
        assertVersion(serving, 0);

        // Version 1: the view trained again from the validated history, with another seed.
        try (Replay replay = Replay.start(s, TrainerFixtures.config().withSeed(99), CONTROL,
            new Replay.Options(VIEW, null, null, null, false, true,
                TrainingOptions.defaults().withBatchSize(BATCH).withCheckpointBatches(7), dir.resolve("replay"),
                SMALL_ROCKSDB))) {
          replay.awaitCaughtUp(WAIT, (done, total) -> { });
          assertEquals(1, replay.version());
        }
        String v1Topic = Replay.topic(s, VIEW, 1);
        TrainerFixtures.awaitStable(bootstrap, List.of(v1Topic), Duration.ofMillis(300));
        VersionLog v1 = VersionLog.read(bootstrap, v1Topic, 1);
        String someUser = EmbeddingKey.user(users.get(0)).toString();
        assertFalse(Arrays.equals(live.last().get(someUser), v1.last().get(someUser)),
            "version 1 (another seed) must differ from the live vectors, or the test could not tell them apart");
        assertEquals(live.last().keySet(), v1.last().keySet(), "same data, same batches: the same users and items");
        Map<Integer, VersionLog> both = Map.of(0, live, 1, v1);
        for (String user : users) {
          awaitSettled(serving, user, v1, interacted.get(user), both);
        }
        assertVersion(serving, 1);
        assertEquals(200, status(a, "/ready"));
        assertEquals(200, status(b, "/ready"));

        // Back to the live topic, as an operator does it.
        StringWriter out = new StringWriter();
        CommandLine cli = Jrl.commandLine(Map.of());
        cli.setOut(new PrintWriter(out));
        assertEquals(0, cli.execute("replay", "--view", VIEW + "@0", "--activate-only", "--bootstrap-servers",
            bootstrap),
            out.toString());
        assertTrue(out.toString().contains("serving now uses version 0 (" + s.embeddingsTopic(VIEW) + ")"),
            out.toString());
        for (String user : users) {
          awaitSettled(serving, user, live, interacted.get(user), both);
        }
        assertVersion(serving, 0);

        // Bad control records: unreadable JSON, an active version that never caught up. Serving stays on version
        // 0 and ready; a later good record (version 1 again) is still followed, so the bad ones were read past.
        // jrl replay skips the unreadable record too (ViewVersions.read).
        ViewVersions good = ViewVersions.read(s.kafkaProperties(), CONTROL, VIEW);
        try (KafkaProducer<String, byte[]> producer = TrainerFixtures.producer(bootstrap)) {
          producer.send(new ProducerRecord<>(CONTROL, VIEW, "not json".getBytes(StandardCharsets.UTF_8)));
          producer.send(new ProducerRecord<>(CONTROL, VIEW, ("{\"format\":1,\"view\":\"" + VIEW + "\",\"active\":2,"
              + "\"versions\":{\"2\":{\"topic\":\"nowhere\",\"applicationId\":\"x\",\"from\":{},\"until\":{},"
              + "\"then\":\"stop\",\"caughtUp\":false}}}").getBytes(StandardCharsets.UTF_8)));
        }
        Thread.sleep(500);
        assertVersion(serving, 0);
        assertEquals(200, status(a, "/ready"));
        assertEquals(200, status(b, "/ready"));
        awaitSettled(serving, users.get(0), live, interacted.get(users.get(0)), both);
        good.activate(1).write(s.kafkaProperties(), CONTROL);
        awaitSettled(serving, users.get(0), v1, interacted.get(users.get(0)), both);
        assertVersion(serving, 1);
      }
    }
  }

  private static void assertVersion(List<Serving> instances, int version) {
    for (Serving s : instances) {
      assertEquals(Map.of(VIEW, version), s.versions(), s.url());
    }
  }

  /** As {@link #awaitSettled(Serving, String, VersionLog, Set, Map, boolean)} on every instance, all personal. */
  private void awaitSettled(List<Serving> instances, String user, VersionLog want, Set<String> interacted,
      Map<Integer, VersionLog> versions) throws Exception {
    awaitSettled(instances, user, want, interacted, versions, false);
  }

  private void awaitSettled(List<Serving> instances, String user, VersionLog want, Set<String> interacted,
      Map<Integer, VersionLog> versions, boolean popularAllowed) throws Exception {
    for (Serving s : instances) {
      awaitSettled(s, user, want, interacted, versions, popularAllowed);
    }
  }

  /**
   * Polls the user's answer until it comes from {@code want} and is exactly the top-N of its final vectors;
   * every answer seen meanwhile (200 or 503, nothing else) must be consistent with the version it names, and
   * personal unless {@code popularAllowed} (a switched version is not ready before its user vectors are in).
   */
  private void awaitSettled(Serving serving, String user, VersionLog want, Set<String> interacted,
      Map<Integer, VersionLog> versions, boolean popularAllowed) throws Exception {
    long end = System.nanoTime() + WAIT.toNanos();
    String last = "";
    while (true) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(serving.url() + "/users/" + user
          + "/recommendations?n=10")).GET().build(), HttpResponse.BodyHandlers.ofString());
      last = r.body();
      if (r.statusCode() == 200) {
        JsonNode body = json.readTree(r.body());
        int version = body.path("views").path(VIEW).path("viewVersion").asInt(-1);
        VersionLog claimed = versions.get(version);
        assertTrue(claimed != null, "answer names version " + version + ": " + r.body());
        if (!(popularAllowed && body.path("kind").asText().equals("popular"))) {
          assertFromOneVersion(user, body, claimed);
          if (version == want.version() && isTopN(user, body, want, interacted)) {
            return;
          }
        }
      } else {
        assertEquals(503, r.statusCode(), r.body());
      }
      assertTrue(System.nanoTime() < end, user + " never got the top-N of version " + want.version() + ": " + last);
      Thread.sleep(50);
    }
  }

  /** Each item's score is u·i for a user vector and an item vector both published on the named version's topic. */
  private static void assertFromOneVersion(String user, JsonNode body, VersionLog v) {
    assertEquals("personal", body.path("kind").asText(), body.toString());
    List<float[]> us = v.all().getOrDefault(EmbeddingKey.user(user).toString(), List.of());
    for (JsonNode item : body.path("items")) {
      double score = item.path("score").asDouble();
      boolean found = false;
      for (float[] i : v.all().getOrDefault(EmbeddingKey.item(item.path("item").asText()).toString(),
          List.of())) {
        for (float[] u : us) {
          found |= Math.abs(dot(u, i) - score) <= 1e-4 * Math.max(1, Math.abs(score));
        }
      }
      assertTrue(found, user + ": " + item + " is not scored by vectors of version " + v.version() + ": " + body);
    }
  }

  /** Whether the answer is the top-10 of the version's final vectors, interacted items excluded. */
  private static boolean isTopN(String user, JsonNode body, VersionLog v, Set<String> interacted) {
    float[] u = v.last().get(EmbeddingKey.user(user).toString());
    List<Map.Entry<String, Double>> expected = new ArrayList<>();
    v.last().forEach((key, vec) -> {
      if (EmbeddingKey.isItem(key) && !interacted.contains(EmbeddingKey.entityId(key))) {
        String item = EmbeddingKey.entityId(key);
        expected.add(Map.entry(item, dot(u, vec)));
      }
    });
    expected.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()));
    JsonNode items = body.path("items");
    if (items.size() != Math.min(10, expected.size())) {
      return false;
    }
    for (int k = 0; k < items.size(); k++) {
      JsonNode got = items.get(k);
      double own = dot(u, v.last().get(EmbeddingKey.item(got.path("item").asText()).toString()));
      if (Math.abs(got.path("score").asDouble() - own) > 1e-4 * Math.max(1, Math.abs(own))
          || Math.abs(own - expected.get(k).getValue()) > 1e-4 * Math.max(1, Math.abs(own))) {
        return false;
      }
    }
    return true;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += (double) a[k] * b[k];
    }
    return s;
  }

  private int status(Serving s, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(s.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
