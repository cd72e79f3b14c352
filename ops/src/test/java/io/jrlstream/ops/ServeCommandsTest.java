package io.jrlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.ops.serve.ServeFixtures;
import io.jrlstream.ops.serve.ServeServer;
import org.junit.jupiter.api.Test;

/** {@code jrl query} against a server on a random port (the load client's test is the bench module's). */
class ServeCommandsTest {
  private static JrlRun run(String... args) {
    return JrlRun.of(args);
  }

  private static ServeServer server(String token) {
    return ServeFixtures.server(token);
  }

  @Test
  void shouldShowAUsersRecommendationsAndReportHttpErrors() {
    try (ServeServer s = server("")) {
      JrlRun r = run("query", "u1", "--url", s.url(), "--n", "2");
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("personal answer"), r.out());
      assertTrue(r.out().matches("(?s).*1\\. good .*2\\. bad .*"), r.out());
      assertTrue(!r.out().contains("seen"), "interacted item shown: " + r.out());
      JrlRun bad = run("query", "u1", "--url", s.url(), "--n", "0");
      assertEquals(1, bad.code());
      assertTrue(bad.err().contains("HTTP 400"), bad.err());
    }
    JrlRun down = run("query", "u1", "--url", "http://127.0.0.1:1");
    assertEquals(2, down.code());
    assertTrue(down.err().contains("no serving instance answers"), down.err());
  }
}
