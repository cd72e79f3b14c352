package io.jrlstream.ops.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.ops.it.TrainerFixtures.Input;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.ops.serve.Serving;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serve.ServeSettings;
import io.jrlstream.streams.train.TrainingOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two serving instances (same application id, own state dirs and HTTP ports, {@code application.server}
 * set) on one real broker, behind the streaming trainer: each answers for the users it owns and forwards the
 * others, so both give the same answer for every user, computed by the owner; interacted items never come back.
 */
class TwoInstanceServingTest {
  private static final List<String> VIEWS = List.of("collaborative");
  private static final Map<String, String> SMALL_ROCKSDB = Map.of("jrl.rocksdb.cache.bytes",
      Long.toString(16L << 20), "jrl.rocksdb.write.buffer.bytes", Long.toString(4L << 20));

  @TempDir
  Path dir;

  private final HttpClient client = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void shouldAnswerEveryUserFromEitherInstanceByForwardingToTheOwner() throws Exception {
    List<Input> events = TrainerFixtures.goodEvents(new SyntheticSpec(30, 25, 3, 6, 0, 4), 5L,
        System.currentTimeMillis());
    Map<String, Set<String>> interacted = new HashMap<>();
    for (Input in : events) {
      interacted.computeIfAbsent(in.event().getUserId(), u -> new HashSet<>()).add(in.event().getItemId());
    }
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      StreamsSettings s = StreamsSettings.defaults(broker.bootstrapServers()).withApplicationId("jrl-it-serve");
      ServeSettings serve = ServeSettings.defaults(VIEWS).withPartitions(4);
      try (Pipeline pipeline = Pipeline.start(s, TrainerFixtures.config(), new Pipeline.Options(VIEWS,
          dir.resolve("train"), SMALL_ROCKSDB, TrainingOptions.defaults().withBatchSize(TrainerFixtures.BATCH)));
          Serving a = Serving.start(s, serve, HttpSettings.loopback(), dir.resolve("serve-a"), SMALL_ROCKSDB);
          Serving b = Serving.start(s, serve, HttpSettings.loopback(), dir.resolve("serve-b"), SMALL_ROCKSDB)) {
        try (KafkaProducer<String, byte[]> producer = TrainerFixtures.producer(broker.bootstrapServers())) {
          for (Input in : events) {
            TrainerFixtures.send(producer, s.reviews().name(), in);
          }
        }
        Pipeline.awaitCaughtUp(s, VIEWS, Duration.ofSeconds(90));
        a.awaitReady(Duration.ofSeconds(60));
        b.awaitReady(Duration.ofSeconds(60));

        Set<String> servedBy = new HashSet<>();
        for (String user : interacted.keySet()) {
          JsonNode fromA = awaitPersonal(a, user);
          JsonNode fromB = awaitPersonal(b, user);
          // Serving may still be applying the last vectors and interactions (each from its own topic): both answers
          // must converge on the owner's, without the user's items.
          long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          while ((!fromA.path("items").equals(fromB.path("items")) || holdsAny(fromA, interacted.get(user)))
              && System.nanoTime() < end) {
            Thread.sleep(200);
            fromA = awaitPersonal(a, user);
            fromB = awaitPersonal(b, user);
          }
          assertEquals(fromA.path("items"), fromB.path("items"), user + ": both instances give the owner's answer");
          assertEquals(fromA.path("servedBy"), fromB.path("servedBy"), user);
          servedBy.add(fromA.path("servedBy").asText());
          assertEquals(10, fromA.path("items").size(), user);
          for (JsonNode item : fromA.path("items")) {
            assertFalse(interacted.get(user).contains(item.path("item").asText()),
                user + " was recommended " + item + ", which they interacted with");
          }
        }
        assertEquals(Set.of("127.0.0.1:" + a.port(), "127.0.0.1:" + b.port()), servedBy,
            "users are owned by both instances, and each answers for the other's by forwarding");

        JsonNode unknown = get(b, "/users/nobody/recommendations?n=3");
        assertEquals("popular", unknown.path("kind").asText());
        assertEquals(3, unknown.path("items").size());
      }
    }
  }

  /** The user's answer once it is personal (its vector has reached the owner's store). */
  private static boolean holdsAny(JsonNode answer, Set<String> items) {
    for (JsonNode item : answer.path("items")) {
      if (items.contains(item.path("item").asText())) {
        return true;
      }
    }
    return false;
  }

  private JsonNode awaitPersonal(Serving s, String user) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(s.url() + "/users/" + user
          + "/recommendations")).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        JsonNode body = json.readTree(r.body());
        if (body.path("kind").asText().equals("personal")) {
          return body;
        }
      } else {
        assertEquals(503, r.statusCode(), r.body()); // rebalancing; anything else is a failure
      }
      assertTrue(System.nanoTime() < end, user + " never got a personal answer: " + r.body());
      Thread.sleep(100);
    }
  }

  private JsonNode get(Serving s, String path) throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(s.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return json.readTree(r.body());
  }
}
