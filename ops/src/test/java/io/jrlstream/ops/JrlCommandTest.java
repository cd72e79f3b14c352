package io.jrlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class JrlCommandTest {
  @TempDir
  Path dir;

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

  @Test
  void shouldRefuseModelsWhoseViewHasNoDataInTheFile() throws Exception {
    Path pairs = dir.resolve("pairs.tsv");
    Files.writeString(pairs, "u1\ti1\nu1\ti2\nu2\ti1\n");
    Result r = run("evaluate", "--data", pairs.toString(), "--models", "pop,rating", "--seeds", "1");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("model 'rating' needs star ratings"), r.err());
    assertTrue(r.err().contains("views with data here: collaborative"), r.err());
  }

  @Test
  void shouldRefuseToStreamAPairsFileWithAClearMessage() throws Exception {
    Path pairs = dir.resolve("pairs.tsv");
    Files.writeString(pairs, "u1\ti1\nu2\ti1\n");
    Result r = run("local", "--data", pairs.toString(), "--work-dir", dir.resolve("work").toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("neither review texts nor star ratings"), r.err());
  }

  @Test
  void shouldRefuseUnknownModelsAndSettings() {
    Result r = run("evaluate", "--models", "pop,bogus", "--seeds", "1");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown model 'bogus'"), r.err());
    Result s = run("evaluate", "--models", "pop", "--set", "collaborative.nonsense=1");
    assertEquals(2, s.code());
    assertTrue(s.err().contains("unknown setting 'nonsense'"), s.err());
    Result n = run("evaluate", "--models", "pop", "--set", "collaborative.l2=abc");
    assertEquals(2, n.code());
    assertTrue(n.err().contains("'abc' is not a number"), n.err());
  }

  @Test
  void shouldReportAMissingFileClearly() {
    Result r = run("evaluate", "--data", dir.resolve("absent.json").toString(), "--models", "pop");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("absent.json"), r.err());
  }

  @Test
  void shouldPrintTheTableAndWriteJsonWithMeanAndStd() throws Exception {
    Path json = dir.resolve("out/results.json");
    Result r = run("evaluate", "--models", "pop,bpr,ejrl", "--seeds", "1,2", "--epochs", "3", "--dim", "8",
        "--threads", "2", "--json", json.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("model"), r.out());
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    JsonNode results = doc.get("results");
    assertEquals(3, results.size());
    assertEquals("pop", results.get(0).get("model").asText());
    for (JsonNode row : results) {
      for (String m : new String[] {"ndcg", "recall", "hit", "precision"}) {
        double v = row.get(m).asDouble();
        assertTrue(v >= 0 && v <= 1, m + " = " + v + " is not a fraction");
        assertTrue(row.get("std").has(m), "std lacks " + m);
      }
    }
    // Popularity on planted clusters finds something; hit ratio ≥ NDCG always.
    assertTrue(results.get(0).get("ndcg").asDouble() > 0);
    assertTrue(results.get(0).get("hit").asDouble() >= results.get(0).get("ndcg").asDouble());
    assertTrue(results.get(2).has("weights"), "eJRL rows carry the chosen weights");
  }

  @Test
  void shouldBenchAViewAndWriteThroughput() throws Exception {
    Path json = dir.resolve("bench.json");
    Result r = run("bench", "rating", "--dim", "8", "--warmup", "1", "--epochs", "1", "--json", json.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    assertEquals("rating", doc.get("view").asText());
    assertTrue(doc.get("interactionsPerSecond").asDouble() > 0);
    assertEquals(0.0, doc.get("rawWordsPerSecond").asDouble());
    Result review = run("bench", "review", "--dim", "8", "--warmup", "1", "--epochs", "1");
    assertEquals(0, review.code(), review.err());
    JsonNode rd = new ObjectMapper().readTree(review.out());
    assertTrue(rd.get("rawWordsPerSecond").asDouble() > 0);
  }

  /** A small Amazon-format review file: every user reviews several items, with stars and text. */
  private Path reviewFile(int users, int itemsPerUser) throws Exception {
    StringBuilder sb = new StringBuilder();
    String[] words = {"great", "sound", "cheap", "cable", "broke", "tuner", "strings", "love", "noisy", "solid"};
    for (int u = 0; u < users; u++) {
      for (int k = 0; k < itemsPerUser; k++) {
        int item = (u * 7 + k * 3) % 40;
        String text = words[(u + k) % words.length] + " " + words[(u * k + 3) % words.length] + " " + words[item % 10];
        sb.append(String.format("{\"reviewerID\": \"U%d\", \"asin\": \"I%d\", \"reviewText\": \"%s\", "
            + "\"summary\": \"ok\", \"overall\": %d.0, \"unixReviewTime\": %d}%n", u, item, text,
            1 + (u + item) % 5, 1_300_000_000L + u * 1000L + k));
      }
    }
    Path f = dir.resolve("reviews.json");
    Files.writeString(f, sb.toString());
    return f;
  }

  private static java.util.Set<Path> benchStreamDirs() throws java.io.IOException {
    try (var paths = java.nio.file.Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return paths.filter(p -> p.getFileName().toString().startsWith("jrl-bench-stream"))
          .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
    }
  }

  @Test
  void shouldBenchTheStreamingTrainerAgainstOfflineWithTheBrokerInAChildJvm() throws Exception {
    Path data = reviewFile(30, 8);
    Path json = dir.resolve("stream.json");
    java.util.Set<Path> before = benchStreamDirs();
    Result r = run("bench-stream", "--data", data.toString(), "--set", "review.dim=8,rating.dim=8", "--passes", "2",
        "--warm-up-passes", "1", "--freshness-events", "120", "--json", json.toString());
    assertEquals(0, r.code(), r.err());
    java.util.Set<Path> left = benchStreamDirs();
    left.removeAll(before);
    assertEquals(java.util.Set.of(), left, "the benchmark's working folder (broker logs, state) is deleted");
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    JsonNode restart = doc.get("restart");
    // Every pass streamed (warm-up and timed) is history a restart re-reads.
    assertEquals(240 * (doc.get("streamingWarmUpPasses").asInt() + 1), restart.get("historyEvents").asInt(),
        restart.toString());
    assertTrue(restart.get("restoreSecondsAllViews").asDouble() > 0, restart.toString());
    JsonNode review = doc.get("streamThreads").get("jrl-train-review-StreamThread-1");
    assertTrue(review != null && review.get("commits").asDouble() > 0, doc.get("streamThreads").toString());
    assertEquals("child", doc.get("broker").asText());
    assertEquals(240, doc.get("events").asInt());
    assertEquals(240, doc.get("measuredEvents").asInt());
    assertTrue(doc.get("ratio").asDouble() > 0, doc.toString());
    assertTrue(doc.get("streamingCpuMicrosPerEvent").asDouble() > 0, doc.toString());
    assertTrue(doc.get("brokerCpuMicrosPerEvent").asDouble() > 0, doc.toString());
    assertTrue(doc.get("freshness").get("samples").asInt() > 0, doc.toString());
    assertTrue(doc.get("freshness").get("p99Millis").asLong() >= doc.get("freshness").get("p50Millis").asLong());

    Result bad = run("bench-stream", "--data", data.toString(), "--passes", "2", "--warm-up-passes", "2");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("need 0 ≤ --warm-up-passes < --passes"), bad.err());
  }

  @Test
  void shouldBenchTheImagePathAgainstABareSessionWithTheBrokerInAChildJvm() throws Exception {
    Path model = Path.of("..", "streams", "src", "test", "resources", "onnx", "tiny-cnn.onnx");
    Path json = dir.resolve("image.json");
    Result r = run("bench-image", "--model", model.toString(), "--feature-dim", "16", "--image-set",
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

    Result bad = run("bench-image", "--model", model.toString(), "--feature-dim", "16", "--rounds", "0");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("need --rounds ≥ 1"), bad.err());
  }
}
