package io.jrlstream.ops.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.core.serve.ItemIndex;
import io.jrlstream.core.serve.LocalQueryService;
import io.jrlstream.core.serve.Popularity;
import io.jrlstream.core.serve.Query;
import io.jrlstream.core.serve.QueryService;
import io.jrlstream.core.serve.Recommendations;
import io.jrlstream.core.serve.Recommender;
import io.jrlstream.core.serve.ServeException;
import io.jrlstream.core.serve.SimilarItems;
import io.jrlstream.core.serve.UserProfile;
import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.streams.serve.ServeSettings;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The HTTP API on a random loopback port over an in-memory index: routes, parameters, errors, token. */
class ServeServerTest {
  private static final List<String> VIEWS = List.of("review", "rating");
  private final HttpClient client = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  private record Reply(int status, JsonNode body, String text) {}

  private Reply get(ServeServer s, String path, String token) throws Exception {
    return send(s, HttpRequest.newBuilder(URI.create(s.url() + path)).GET(), token);
  }

  private Reply send(ServeServer s, HttpRequest.Builder b, String token) throws Exception {
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode body = r.headers().firstValue("Content-Type").orElse("").contains("json") ? json.readTree(r.body())
        : null;
    return new Reply(r.statusCode(), body, r.body());
  }

  private static LocalQueryService service(ItemIndex index) {
    index.upsert(0, "a", new float[] {1, 0}, 1);
    index.upsert(0, "b", new float[] {0, 1}, 1);
    index.upsert(0, "c", new float[] {1, 1}, 1);
    index.upsert(1, "a", new float[] {2}, 1);
    Popularity pop = new Popularity();
    pop.add(0, "b");
    pop.add(0, "b");
    pop.add(0, "a");
    UserProfile u = new UserProfile(Map.of("review", new UserProfile.UserVector(new float[] {1, 0.5f}, 3,
        System.currentTimeMillis() - 5000), "rating", new UserProfile.UserVector(new float[] {1}, 4, 0)),
        List.of("c"));
    return new LocalQueryService(ServeSettings.defaults(VIEWS), new Recommender(index, pop, "test",
        Clock.systemUTC()), id -> id.equals("u 1") ? u : UserProfile.unknown());
  }

  @Test
  void shouldAnswerRecommendationsSimilarItemsHealthReadinessAndTheOpenApiDocument() throws Exception {
    ItemIndex index = new ItemIndex(VIEWS);
    try (ServeServer s = ServeServer.bind(HttpSettings.loopback()).start(service(index))) {
      assertEquals(503, get(s, "/ready", null).status(), "index not loaded yet");
      assertEquals("live", get(s, "/health", null).body().path("status").asText());
      index.markInitialised(0);
      index.markInitialised(1);
      assertEquals(200, get(s, "/ready", null).status());

      Reply r = get(s, "/users/u%201/recommendations?n=5&views=review,rating&weights=1,0.5", null);
      assertEquals(200, r.status(), r.text());
      assertEquals("personal", r.body().path("kind").asText());
      JsonNode items = r.body().path("items");
      assertEquals(2, items.size(), "c is excluded: the user interacted with it");
      assertEquals("a", items.get(0).path("item").asText());
      assertEquals(2.0, items.get(0).path("score").asDouble(), 1e-6); // 1·1 + 0.5·(1·2)
      assertEquals(1.0, items.get(0).path("contributions").path("rating").asDouble(), 1e-6);
      assertEquals(3, r.body().path("views").path("review").path("version").asLong());
      assertTrue(r.body().path("views").path("review").path("ageMs").asLong() >= 5000);

      Reply unknown = get(s, "/users/nobody/recommendations", null);
      assertEquals(200, unknown.status());
      assertEquals("popular", unknown.body().path("kind").asText());
      assertEquals("b", unknown.body().path("items").get(0).path("item").asText());

      Reply similar = get(s, "/items/a/similar?n=2&views=review", null);
      assertEquals(200, similar.status(), similar.text());
      assertEquals("c", similar.body().path("items").get(0).path("item").asText());
      assertEquals(404, get(s, "/items/zzz/similar", null).status());
      Reply doc = get(s, "/openapi.yaml", null);
      assertEquals(200, doc.status());
      assertTrue(doc.text().contains("/users/{id}/recommendations"));
    }
  }

  @Test
  void shouldAnswerBadParametersWithJsonErrorsAndNeverAStackTrace() throws Exception {
    ItemIndex index = new ItemIndex(VIEWS);
    try (ServeServer s = ServeServer.bind(HttpSettings.loopback()).start(service(index))) {
      for (String bad : List.of("?n=abc", "?n=0", "?n=100000", "?views=image", "?weights=1", "?weights=x,1",
          "?views=review&weights=NaN", "?colour=red", "?n=1&n=2", "?views=review,review")) {
        Reply r = get(s, "/users/u1/recommendations" + bad, null);
        assertEquals(400, r.status(), bad + " → " + r.text());
        assertEquals(400, r.body().path("status").asInt());
        assertFalse(r.body().path("message").asText().isEmpty(), bad);
        assertFalse(r.text().contains("at io.jrlstream"), r.text());
      }
      assertEquals(404, get(s, "/nothing/here", null).status());
      assertEquals(405, send(s, HttpRequest.newBuilder(URI.create(s.url() + "/health"))
          .POST(HttpRequest.BodyPublishers.noBody()), null).status());
    }
  }

  @Test
  void shouldMapServiceFailuresToStatusCodesInOnePlace() throws Exception {
    QueryService failing = new QueryService() {
      @Override
      public ServeSettings settings() {
        return ServeSettings.defaults(VIEWS);
      }

      @Override
      public Recommendations recommend(String user, Query q, boolean forwarded) {
        throw switch (user) {
          case "restoring" -> new ServeException.NotReady("stores restoring");
          case "remote" -> new ServeException.RemoteFailure("owner down", null);
          default -> new IllegalStateException("secret internals");
        };
      }

      @Override
      public SimilarItems similar(String item, Query q) {
        throw new ServeException.NotFound("no such item");
      }

      @Override
      public Readiness readiness() {
        return new Readiness(false, "REBALANCING", "rebalancing", Map.of());
      }
    };
    try (ServeServer s = ServeServer.bind(HttpSettings.loopback()).start(failing)) {
      assertEquals(503, get(s, "/users/restoring/recommendations", null).status());
      assertEquals(502, get(s, "/users/remote/recommendations", null).status());
      Reply internal = get(s, "/users/other/recommendations", null);
      assertEquals(500, internal.status());
      assertFalse(internal.text().contains("secret internals"), internal.text());
      assertEquals(503, get(s, "/ready", null).status());
      assertEquals("rebalancing", get(s, "/ready", null).body().path("reason").asText());
    }
  }

  @Test
  void shouldRequireTheBearerTokenForQueriesButNotForProbes() throws Exception {
    ItemIndex index = new ItemIndex(VIEWS);
    try (ServeServer s = ServeServer.bind(HttpSettings.loopback().withToken("s3cret")).start(service(index))) {
      assertEquals(401, get(s, "/users/u1/recommendations", null).status());
      assertEquals(401, get(s, "/users/u1/recommendations", "wrong").status());
      assertEquals(200, get(s, "/users/u1/recommendations", "s3cret").status());
      assertEquals(200, get(s, "/health", null).status());
      assertEquals(503, get(s, "/ready", null).status()); // open, and honest: not loaded
    }
  }

  /** Sends raw bytes (what an HTTP client library would refuse to send) and reads the whole answer. */
  private static String raw(ServeServer s, String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", s.port())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void shouldAnswerMalformedRequestsHeadAndOverflowingWeightsWithJson() throws Exception {
    ItemIndex index = new ItemIndex(VIEWS);
    index.markInitialised(0);
    index.markInitialised(1);
    try (ServeServer s = ServeServer.bind(HttpSettings.loopback()).start(service(index))) {
      String zz = raw(s, "GET /users/%zz/recommendations HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertTrue(zz.startsWith("HTTP/1.1 400"), zz);
      assertTrue(zz.contains("application/json") && zz.contains("\"status\":400"), zz);
      assertFalse(zz.contains("<html") || zz.contains("Exception"), zz);

      String garbage = raw(s, "GARBAGE\r\n\r\n");
      assertTrue(garbage.startsWith("HTTP/1.1 400"), garbage);
      assertTrue(garbage.contains("\"status\":400"), garbage);
      assertFalse(garbage.contains("<html"), garbage);

      String head = raw(s, "HEAD /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertTrue(head.startsWith("HTTP/1.1 200"), head);
      assertTrue(head.endsWith("\r\n\r\n"), "HEAD answers headers only: " + head);

      Reply overflow = get(s, "/users/u%201/recommendations?views=review,rating&weights=1e39,1", null);
      assertEquals(400, overflow.status(), overflow.text());
      assertTrue(overflow.body().path("message").asText().contains("scores would overflow"), overflow.text());
      assertFalse(overflow.text().contains("Infinity"), overflow.text());
      assertEquals(200, get(s, "/users/u%201/recommendations?views=review,rating&weights=1e6,1", null).status());

      String big = raw(s, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
          + "\r\nConnection: close\r\n\r\n");
      assertTrue(big.startsWith("HTTP/1.1 431"), big);
      assertTrue(big.contains("\"status\":431"), big);
    }
  }

  @Test
  void shouldShowReadinessDetailsOnlyWithTheToken() throws Exception {
    ItemIndex index = new ItemIndex(VIEWS);
    index.markInitialised(0);
    index.markInitialised(1);
    try (ServeServer s = ServeServer.bind(HttpSettings.loopback().withToken("s3cret")).start(service(index))) {
      Reply open = get(s, "/ready", null);
      assertEquals(200, open.status());
      assertTrue(open.body().path("views").isEmpty(), open.text());
      Reply detailed = get(s, "/ready", "s3cret");
      assertEquals(2, detailed.body().path("views").size(), detailed.text());
    }
  }

  /**
   * Issue 13: eight clients that never finished their headers held every worker of the JDK server. Here 64 such
   * connections stay open while /health and a recommendation answer within a second each; the slow connections are
   * closed once the first-request deadline passes.
   */
  @Test
  void shouldAnswerWithin1SecondWhile64SlowClientsHoldConnections() throws Exception {
    ItemIndex index = new ItemIndex(VIEWS);
    index.markInitialised(0);
    index.markInitialised(1);
    HttpSettings http = HttpSettings.loopback().withConnectionLimits(512, 30_000, 3_000);
    List<Socket> slow = new ArrayList<>();
    try (ServeServer s = ServeServer.bind(http).start(service(index))) {
      for (int i = 0; i < 64; i++) {
        Socket socket = new Socket("127.0.0.1", s.port());
        socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(
            StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        slow.add(socket);
      }
      long t0 = System.nanoTime();
      Reply health = get(s, "/health", null);
      long healthMs = (System.nanoTime() - t0) / 1_000_000;
      t0 = System.nanoTime();
      Reply rec = get(s, "/users/u%201/recommendations?n=2", null);
      long recMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("with 64 slow connections open: /health in %d ms, a recommendation in %d ms%n", healthMs,
          recMs);
      assertEquals(200, health.status());
      assertEquals(200, rec.status(), rec.text());
      assertTrue(healthMs < 1000, "/health took " + healthMs + " ms");
      assertTrue(recMs < 1000, "a recommendation took " + recMs + " ms");
      // The first-request deadline (3 s) closes the slow connections: the server reads end of stream.
      for (Socket socket : slow) {
        socket.setSoTimeout(10_000);
        assertEquals(-1, socket.getInputStream().read(), "a slow connection was not closed");
      }
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
    }
  }

  /**
   * The metrics port of {@code --no-serve}: {@code /metrics}, {@code /health} and {@code /ready} answer, queries are a
   * JSON 404, readiness follows the clients and the readiness gates (the trainer-lag threshold), every request is
   * timed by endpoint and status.
   */
  @Test
  void shouldServeMetricsHealthAndReadinessWithoutAQueryServiceAndHonourReadinessGates() throws Exception {
    AtomicReference<String> lag = new AtomicReference<>();
    Health health = new Health().gate("trainer lag", lag::get);
    try (Metrics metrics = Metrics.create();
        ServeServer s = ServeServer.bind(HttpSettings.loopback().withToken("t")).start(null, health, metrics)) {
      assertEquals(200, get(s, "/health", null).status());
      assertEquals(200, get(s, "/ready", null).status());
      lag.set("trainer review is 500 records behind on jrl.validated (jrl.ready.max.trainer.lag = 100)");
      Reply unready = get(s, "/ready", null);
      assertEquals(503, unready.status());
      assertTrue(unready.body().path("reason").asText().contains("500 records behind"), unready.text());
      assertEquals(200, get(s, "/health", null).status(), "lag never makes an instance unhealthy");
      lag.set(null);
      assertEquals(200, get(s, "/ready", null).status());
      Reply query = get(s, "/users/u/recommendations", "t");
      assertEquals(404, query.status());
      assertTrue(query.body().path("message").asText().contains("--no-serve"), query.text());
      Reply scrape = get(s, "/metrics", null);
      assertEquals(200, scrape.status(), "open without the token, as the probes");
      assertTrue(scrape.text().contains("jrl_serve_requests_seconds_count{endpoint=\"ready\",status=\"503\"} 1"),
          scrape.text());
      assertTrue(scrape.text().contains("jrl_serve_requests_seconds_count{endpoint=\"ready\",status=\"200\"} 2"));
      assertTrue(scrape.text().contains(
          "jrl_serve_requests_seconds_count{endpoint=\"recommendations\",status=\"404\"} 1"));
      assertTrue(scrape.text().contains("jvm_memory_used_bytes"));
      assertEquals(404, get(s, "/nowhere", null).status());
      assertTrue(get(s, "/metrics", null).text().contains(
          "jrl_serve_requests_seconds_count{endpoint=\"unknown\",status=\"404\"} 1"));
    }
    try (ServeServer s = ServeServer.bind(HttpSettings.loopback()).start(null, health)) {
      assertEquals(404, get(s, "/metrics", null).status(), "no metrics given");
    }
  }
}
