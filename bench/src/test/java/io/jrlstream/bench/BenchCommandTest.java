package io.jrlstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.ops.Jrl;
import io.jrlstream.ops.JrlRun;
import io.jrlstream.ops.serve.ServeFixtures;
import io.jrlstream.ops.serve.ServeServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jrl bench …} as the launcher runs it: {@link Jrl#commandLine()} with this module on the class path. */
class BenchCommandTest {
  @TempDir
  Path dir;

  private static JrlRun run(String... args) {
    return JrlRun.of(args);
  }

  @Test
  void shouldKeepTheBenchmarksOutOfTheProductsHelpAndListThemUnderBench() {
    JrlRun jrl = run("--help");
    assertEquals(0, jrl.code(), jrl.err());
    assertTrue(jrl.out().contains("\n  evaluate "), jrl.out());
    assertFalse(jrl.out().contains("bench"), jrl.out());
    assertFalse(jrl.out().contains("\n  load "), jrl.out());

    JrlRun bench = run("bench", "--help");
    assertEquals(0, bench.code(), bench.err());
    for (String sub : new String[] {"stream", "serve", "image", "replay", "view", "load", "jmh"}) {
      assertTrue(bench.out().contains("\n  " + sub + " "), sub + " missing from:\n" + bench.out());
    }
    JrlRun none = run("bench");
    assertEquals(2, none.code(), none.out());
    assertTrue(none.err().contains("Missing required subcommand"), none.err());
  }

  @Test
  void shouldRunTheOldNamesAsHiddenAliasesOfTheBenchSubcommands() {
    Map<String, String> aliases = Map.of("bench-stream", "stream", "bench-serve", "serve", "bench-image", "image",
        "bench-replay", "replay", "bench-restart", "restart", "load", "load");
    assertEquals(aliases.keySet(), BenchExtension.ALIASES.keySet());
    CommandLine jrl = Jrl.commandLine();
    for (Map.Entry<String, String> a : aliases.entrySet()) {
      CommandSpec old = jrl.getSubcommands().get(a.getKey()).getCommandSpec();
      CommandSpec now = jrl.getSubcommands().get("bench").getSubcommands().get(a.getValue()).getCommandSpec();
      assertEquals(now.userObject().getClass(), old.userObject().getClass(), a.getKey());
      assertEquals(now.optionsMap().keySet(), old.optionsMap().keySet(), a.getKey());
      assertTrue(old.usageMessage().hidden(), a.getKey());
      JrlRun help = run(a.getKey(), "--help");
      assertEquals(0, help.code(), help.err());
      assertTrue(help.out().startsWith("Usage: jrl " + a.getKey() + " "), help.out());
    }
    JrlRun replay = run("replay", "--help");
    assertTrue(replay.out().startsWith("Usage: jrl replay ") && replay.out().contains("--activate-only"),
        "the product's replay, not the benchmark's: " + replay.out());
    JrlRun bad = run("load", "--url", "http://127.0.0.1:1", "--users", "0");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().startsWith("jrl load: --users, --concurrency"), bad.err());
  }

  /**
   * The restart benchmark restores each history from its checkpoint: it re-reads at most about two checkpoint
   * intervals (the latest checkpoint may still be being written), however long the history.
   */
  @Test
  void shouldRestartFromTheCheckpointWhateverTheHistory() throws Exception {
    Path json = dir.resolve("restart.json");
    JrlRun r = run("bench", "restart", "--events", "3000,9000", "--users", "300", "--items", "60",
        "--checkpoint-batches", "5", "--json", json.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode results = new ObjectMapper().readTree(json.toFile()).get("results");
    assertEquals(2, results.size(), results.toString());
    for (JsonNode n : results) {
      long reread = n.get("eventsReRead").asLong();
      assertTrue(reread > 0 && reread <= 2 * 5 * 64, n.toString());
      assertTrue(n.get("restoreSeconds").asDouble() > 0 && n.get("heapBytes").asLong() > 0, n.toString());
    }
    assertEquals(9000, results.get(1).get("historyEvents").asLong());
  }

  @Test
  void shouldMeasureQueriesPerSecondWithTheLoadClient() throws Exception {
    try (ServeServer s = ServeFixtures.server("t0k")) {
      JrlRun r = run("bench", "load", "--url", s.url(), "--users", "5", "--concurrency", "2", "--duration", "1",
          "--warmup", "0.2", "--token", "t0k");
      assertEquals(0, r.code(), r.out() + r.err());
      JsonNode j = new ObjectMapper().readTree(r.out());
      assertEquals(0, j.path("errors").asLong());
      // How many fit in the second depends on the machine's load (5 on 2 busy cores): that it measured is the point.
      assertTrue(j.path("requests").asLong() > 0 && j.path("requests").asLong() <= j.path("sent").asLong(), r.out());
      assertTrue(j.path("p99Ms").asDouble() >= j.path("p50Ms").asDouble(), r.out());
      JrlRun unauthorised = run("load", "--url", s.url(), "--duration", "0.5", "--warmup", "0");
      assertEquals(1, unauthorised.code(), "errors must fail the load run: " + unauthorised.out());
    }
  }

  @Test
  void shouldBenchAViewAndWriteThroughput() throws Exception {
    Path json = dir.resolve("bench.json");
    JrlRun r = run("bench", "view", "rating", "--dim", "8", "--warmup", "1", "--epochs", "1", "--json",
        json.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    assertEquals("rating", doc.get("view").asText());
    assertTrue(doc.get("interactionsPerSecond").asDouble() > 0);
    assertEquals(0.0, doc.get("rawWordsPerSecond").asDouble());
    JrlRun review = run("bench", "view", "review", "--dim", "8", "--warmup", "1", "--epochs", "1");
    assertEquals(0, review.code(), review.err());
    JsonNode rd = new ObjectMapper().readTree(review.out());
    assertTrue(rd.get("rawWordsPerSecond").asDouble() > 0);
    JrlRun unknown = run("bench", "view", "bogus");
    assertEquals(2, unknown.code(), unknown.err());
    assertTrue(unknown.err().startsWith("jrl bench view: unknown view 'bogus'"), unknown.err());
  }

  /** A small Amazon-format review file: every user reviews several items, with stars and text. */
  private Path reviewFile(int users, int itemsPerUser) throws Exception {
    StringBuilder sb = new StringBuilder();
    String[] words = {"great", "sound", "cheap", "cable", "broke", "tuner", "strings", "love", "noisy", "solid"};
    for (int u = 0; u < users; u++) {
      for (int k = 0; k < itemsPerUser; k++) {
        int item = (u * 7 + k * 3) % 40;
        String text = words[(u + k) % words.length] + " " + words[(u * k + 3) % words.length] + " "
            + words[item % 10];
        sb.append(String.format("{\"reviewerID\": \"U%d\", \"asin\": \"I%d\", \"reviewText\": \"%s\", "
            + "\"summary\": \"ok\", \"overall\": %d.0, \"unixReviewTime\": %d}%n", u, item, text,
            1 + (u + item) % 5, 1_300_000_000L + u * 1000L + k));
      }
    }
    Path f = dir.resolve("reviews.json");
    Files.writeString(f, sb.toString());
    return f;
  }

  private static Set<Path> benchStreamDirs() throws IOException {
    try (Stream<Path> paths = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return paths.filter(p -> p.getFileName().toString().startsWith("jrl-bench-stream"))
          .collect(Collectors.toCollection(HashSet::new));
    }
  }

  @Test
  void shouldBenchTheStreamingTrainerAgainstOfflineWithTheBrokerInAChildJvm() throws Exception {
    Path data = reviewFile(30, 8);
    Path json = dir.resolve("stream.json");
    Set<Path> before = benchStreamDirs();
    JrlRun r = run("bench", "stream", "--data", data.toString(), "--set", "review.dim=8,rating.dim=8", "--passes",
        "2", "--warm-up-passes", "1", "--freshness-events", "120", "--json", json.toString());
    assertEquals(0, r.code(), r.err());
    Set<Path> left = benchStreamDirs();
    left.removeAll(before);
    assertEquals(Set.of(), left, "the benchmark's working folder (broker logs, state) is deleted");
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    JsonNode restart = doc.get("restart");
    // Every pass streamed (warm-up and timed) is history before the restart.
    assertEquals(240 * (doc.get("streamingWarmUpPasses").asInt() + 1), restart.get("historyEvents").asInt(),
        restart.toString());
    assertTrue(restart.get("restoreSecondsAllViews").asDouble() > 0, restart.toString());
    JsonNode review = doc.get("streamThreads").get("jrl-train-review-StreamThread-1");
    assertTrue(review != null && review.get("commits").asDouble() > 0, doc.get("streamThreads").toString());
    assertEquals("child", doc.get("broker").asText());
    assertEquals(240, doc.get("events").asInt());
    assertEquals(240, doc.get("measuredEvents").asInt());
    assertTrue(doc.get("ratio").asDouble() > 0, doc.toString());
    // The offline reference runs before and after the streaming side's timed passes; its rate is the two together.
    double first = doc.get("offlineEventsPerSecondBefore").asDouble();
    double second = doc.get("offlineEventsPerSecondAfter").asDouble();
    double both = doc.get("offlineEventsPerSecond").asDouble();
    assertTrue(first > 0 && second > 0 && both >= Math.min(first, second) && both <= Math.max(first, second),
        doc.toString());
    List<String> byView = new ArrayList<>();
    doc.get("offlineCpuMicrosPerEventByView").fieldNames().forEachRemaining(byView::add);
    assertEquals(List.of("review", "rating"), byView, doc.toString());
    // Reported, not bounded: over a reference run of a few milliseconds it is mostly the CPU clocks' granularity.
    assertTrue(Double.isFinite(doc.get("otherCoresDuringOfflineBefore").asDouble()), doc.toString());
    assertTrue(Double.isFinite(doc.get("otherCoresDuringOfflineAfter").asDouble()), doc.toString());
    assertTrue(doc.get("streamingCpuMicrosPerEvent").asDouble() > 0, doc.toString());
    assertTrue(doc.get("brokerCpuMicrosPerEvent").asDouble() > 0, doc.toString());
    assertTrue(doc.get("freshness").get("samples").asInt() > 0, doc.toString());
    assertTrue(doc.get("freshness").get("p99Millis").asLong() >= doc.get("freshness").get("p50Millis").asLong());

    // The old name runs the same command.
    JrlRun bad = run("bench-stream", "--data", data.toString(), "--passes", "2", "--warm-up-passes", "2");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("jrl bench-stream: need 0 ≤ --warm-up-passes < --passes"), bad.err());
  }

  @Test
  void shouldBenchTheImagePathAgainstABareSessionWithTheBrokerInAChildJvm() throws Exception {
    Path model = Path.of("..", "streams", "src", "test", "resources", "onnx", "tiny-cnn.onnx");
    Path json = dir.resolve("image.json");
    JrlRun r = run("bench", "image", "--model", model.toString(), "--feature-dim", "16", "--image-set",
        "jrl.image.input.size=32,jrl.image.resize=36,jrl.image.threads.intra=1", "--image-size", "48", "--batches",
        "1,4", "--warm-up-rounds", "1", "--rounds", "1", "--images-per-round", "6", "--json", json.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    assertEquals("child", doc.get("broker").asText());
    assertEquals(1, doc.get("intraOpThreads").asInt());
    JsonNode rows = doc.get("results");
    assertEquals(2, rows.size());
    assertEquals(6, rows.get(0).get("imagesPerRound").asInt());
    assertEquals(8, rows.get(1).get("imagesPerRound").asInt(), "whole batches of 4");
    for (JsonNode row : rows) {
      assertTrue(row.get("ratio").asDouble() > 0, row.toString());
      // a round of the tiny model's bare session takes less CPU than the clock's 10 ms resolution: only ≥ 0
      assertTrue(row.get("bareCpuMillisPerImage").asDouble() >= 0, row.toString());
      assertTrue(row.get("streamingCpuMillisPerImage").asDouble() > 0, row.toString());
      assertTrue(row.get("brokerCpuMillisPerImage").asDouble() >= 0, row.toString());
      assertTrue(row.get("cpuRatio").asDouble() >= 0, row.toString());
    }

    JrlRun bad = run("bench-image", "--model", model.toString(), "--feature-dim", "16", "--rounds", "0");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("jrl bench-image: need --rounds ≥ 1"), bad.err());
  }
}
