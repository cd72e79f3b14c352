package io.jrlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.core.serve.ItemIndex;
import io.jrlstream.core.serve.LocalQueryService;
import io.jrlstream.core.serve.Popularity;
import io.jrlstream.core.serve.Recommender;
import io.jrlstream.core.serve.UserProfile;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.ops.serve.ServeServer;
import io.jrlstream.streams.serve.ServeSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code jrl query} and {@code jrl load} against a server on a random port. */
class ServeCommandsTest {
  private record Result(int code, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Jrl.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  private static ServeServer server(String token) {
    ItemIndex index = new ItemIndex(List.of("review"));
    index.upsert(0, "good", new float[] {1, 0}, 1);
    index.upsert(0, "bad", new float[] {-1, 0}, 1);
    index.upsert(0, "seen", new float[] {2, 0}, 1);
    index.markInitialised(0);
    UserProfile u = new UserProfile(Map.of("review", new UserProfile.UserVector(new float[] {1, 0}, 9,
        System.currentTimeMillis())), List.of("seen"));
    LocalQueryService service = new LocalQueryService(ServeSettings.defaults(List.of("review")),
        new Recommender(index, new Popularity(), "test", Clock.systemUTC()), id -> id.startsWith("u") ? u
            : UserProfile.unknown());
    return ServeServer.bind(HttpSettings.loopback().withToken(token)).start(service);
  }

  @Test
  void shouldShowAUsersRecommendationsAndReportHttpErrors() {
    try (ServeServer s = server("")) {
      Result r = run("query", "u1", "--url", s.url(), "--n", "2");
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("personal answer"), r.out());
      assertTrue(r.out().matches("(?s).*1\\. good .*2\\. bad .*"), r.out());
      assertTrue(!r.out().contains("seen"), "interacted item shown: " + r.out());
      Result bad = run("query", "u1", "--url", s.url(), "--n", "0");
      assertEquals(1, bad.code());
      assertTrue(bad.err().contains("HTTP 400"), bad.err());
    }
    Result down = run("query", "u1", "--url", "http://127.0.0.1:1");
    assertEquals(2, down.code());
    assertTrue(down.err().contains("no serving instance answers"), down.err());
  }

  @Test
  void shouldMeasureQueriesPerSecondWithTheLoadClient() throws Exception {
    try (ServeServer s = server("t0k")) {
      Result r = run("load", "--url", s.url(), "--users", "5", "--concurrency", "2", "--duration", "1",
          "--warmup", "0.2", "--token", "t0k");
      assertEquals(0, r.code(), r.out() + r.err());
      JsonNode j = new ObjectMapper().readTree(r.out());
      assertEquals(0, j.path("errors").asLong());
      assertTrue(j.path("requests").asLong() > 10, r.out());
      assertTrue(j.path("p99Ms").asDouble() >= j.path("p50Ms").asDouble(), r.out());
      Result unauthorised = run("load", "--url", s.url(), "--duration", "0.5", "--warmup", "0");
      assertEquals(1, unauthorised.code(), "errors must fail the load run: " + unauthorised.out());
    }
  }
}
