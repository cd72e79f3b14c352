package io.jrlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code jrl evaluate}'s protocols: the JSON and table shapes and the refusals (small synthetic data). */
class EvaluateCommandTest {
  @TempDir
  Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Jrl.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void shouldPrintBothProtocolsSideBySideAndTagEachJsonRow() throws Exception {
    Path json = dir.resolve("both.json");
    Result r = run("evaluate", "--protocol", "both", "--models", "pop,bpr,ejrl,jrl", "--seeds", "1", "--epochs", "2",
        "--dim", "8", "--jrl-epochs", "2", "--threads", "2", "--synthetic-users", "120", "--json", json.toString(),
        "-q");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("stream NDCG"), r.out());
    assertTrue(r.out().contains("ratio"), r.out());
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    assertEquals("[\"offline\",\"stream\"]", doc.get("protocols").toString());
    assertEquals(0, doc.get("repeats").asInt());
    assertEquals("event-time", doc.get("streamOrder").asText());
    List<String> rows = new ArrayList<>();
    for (JsonNode row : doc.get("results")) {
      rows.add(row.get("protocol").asText() + "/" + row.get("model").asText());
      assertTrue(row.get("ndcg").asDouble() >= 0 && row.get("ndcg").asDouble() <= 1);
      assertTrue(row.get("std").has("ndcg"));
    }
    assertEquals(List.of("offline/pop", "offline/bpr", "offline/ejrl", "offline/jrl", "stream/pop", "stream/bpr",
        "stream/ejrl"), rows);
    // Popularity trains nothing: the same split, the same figure.
    assertEquals(doc.get("results").get(0).get("ndcg").asDouble(), doc.get("results").get(4).get("ndcg").asDouble());
  }

  @Test
  void shouldTagOfflineRowsByDefault() throws Exception {
    Path json = dir.resolve("offline.json");
    Result r = run("evaluate", "--models", "pop", "--seeds", "1", "--synthetic-users", "60", "--json",
        json.toString(), "-q");
    assertEquals(0, r.code(), r.err());
    JsonNode row = new ObjectMapper().readTree(json.toFile()).get("results").get(0);
    assertEquals("offline", row.get("protocol").asText());
  }

  @Test
  void shouldWritePrequentialSeriesAndCounts() throws Exception {
    Path json = dir.resolve("preq.json");
    Result r = run("evaluate", "--protocol", "prequential", "--models", "pop,recent-pop,bpr,ejrl", "--seeds", "1,2",
        "--dim", "8", "--synthetic-users", "50", "--window", "100", "--warm-up", "200", "--json", json.toString(),
        "-q");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("recent-pop"), r.out());
    assertTrue(r.out().contains("CPU µs/ranked"), r.out());
    JsonNode doc = new ObjectMapper().readTree(json.toFile());
    assertEquals("prequential", doc.get("protocol").asText());
    assertEquals(1000, doc.get("settings").get("events").asInt());
    assertEquals(200, doc.get("settings").get("warmUp").asInt());
    assertEquals(4, doc.get("results").size());
    for (JsonNode row : doc.get("results")) {
      assertEquals("prequential", row.get("protocol").asText());
      assertEquals(2, row.get("perSeed").size());
      assertTrue(row.get("median").has("ndcg"));
    }
    JsonNode run = doc.get("runs").get(0);
    assertEquals(10, run.get("windowStart").size());
    assertEquals(10, run.get("models").get("bpr").get("ndcg").size());
    assertEquals(10, run.get("loss").get("collaborative").size());
    assertEquals(10, run.get("eventsPerSecond").get("review").size());
    assertEquals(10, run.get("ejrlWeights").size());
    long measured = run.get("measured").asLong();
    assertEquals(800, measured);
    long ranked = doc.get("results").get(0).get("ranked").asLong();
    assertEquals(measured - run.get("repeats").asLong() - run.get("coldUsers").asLong(), ranked);
  }

  @Test
  void shouldSimulateShardedViewsAndTagEachStreamRow() throws Exception {
    Path json = dir.resolve("shards.json");
    Result r = run("evaluate", "--protocol", "stream", "--models", "pop,bpr", "--seeds", "1", "--dim", "8",
        "--synthetic-users", "120", "--shards", "1,2", "--sync-batches", "1,5", "--sync-lag", "0", "--sync-merge",
        "mean,sum", "--sync-precision", "float32,bf16", "--json", json.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("  N     S   L    M      θ  values model"), r.out());
    assertTrue(r.err().contains("values and optimiser state in bfloat16"), r.err());
    assertTrue(r.err().contains("2 shards (events per shard"), r.err());
    List<String> rows = new ArrayList<>();
    for (JsonNode row : new ObjectMapper().readTree(json.toFile()).get("results")) {
      assertEquals("stream", row.get("protocol").asText());
      if (row.get("model").asText().equals("bpr")) {
        rows.add(row.get("shards").asInt() + "/" + row.get("syncBatches").asText() + "/" + row.get("syncLag").asText()
            + "/" + row.get("syncMerge").asText() + "/" + row.get("syncPrecision").asText());
      }
    }
    // One task runs once: it has no rounds, so no sync interval, lag, merge rule or precision.
    assertEquals(List.of("1/null/null/null/null", "2/1/0/mean/float32", "2/1/0/mean/bf16", "2/5/0/mean/float32",
        "2/5/0/mean/bf16", "2/1/0/sum/float32", "2/1/0/sum/bf16", "2/5/0/sum/float32", "2/5/0/sum/bf16"), rows);
  }

  @Test
  void shouldRefuseShardingOutsideTheStreamProtocol() {
    Result offline = run("evaluate", "--models", "pop", "--shards", "2", "--synthetic-users", "20");
    assertEquals(2, offline.code());
    assertTrue(offline.err().contains("apply to --protocol stream only"), offline.err());
    Result zero = run("evaluate", "--protocol", "stream", "--models", "pop", "--shards", "0", "--synthetic-users",
        "20");
    assertEquals(2, zero.code());
    assertTrue(zero.err().contains("shards must be in 1..1024, got 0"), zero.err());
    Result lag = run("evaluate", "--protocol", "stream", "--models", "pop", "--shards", "2", "--sync-lag", "-1",
        "--synthetic-users", "20");
    assertEquals(2, lag.code());
    assertTrue(lag.err().contains("sync lag must be ≥ 0 rounds, got -1"), lag.err());
    Result precision = run("evaluate", "--protocol", "stream", "--models", "pop", "--shards", "2",
        "--sync-precision", "fp8", "--synthetic-users", "20");
    assertEquals(2, precision.code());
    assertTrue(precision.err().contains("--sync-precision must be float32 or bf16, got 'fp8'"), precision.err());
    Result merge = run("evaluate", "--protocol", "stream", "--models", "pop", "--shards", "2", "--sync-merge", "max",
        "--synthetic-users", "20");
    assertEquals(2, merge.code());
    assertTrue(merge.err().contains("--sync-merge must be sum or mean, got 'max'"), merge.err());
    Result threshold = run("evaluate", "--protocol", "stream", "--models", "pop", "--shards", "2",
        "--sync-threshold", "-0.5", "--synthetic-users", "20");
    assertEquals(2, threshold.code());
    assertTrue(threshold.err().contains("sync threshold must be a finite number ≥ 0"), threshold.err());
  }

  @Test
  void shouldRefuseBadProtocolOptions() {
    Result bad = run("evaluate", "--protocol", "sometimes", "--models", "pop");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--protocol must be offline, stream, both or prequential"), bad.err());
    Result report = run("evaluate", "--protocol", "stream", "--models", "pop", "--report", dir.toString());
    assertEquals(2, report.code());
    assertTrue(report.err().contains("--report needs --protocol prequential"), report.err());
    Result jrl = run("evaluate", "--protocol", "prequential", "--models", "pop,jrl", "--synthetic-users", "20");
    assertEquals(2, jrl.code());
    assertTrue(jrl.err().contains("unknown model 'jrl' for the prequential protocol"), jrl.err());
    Result stream = run("evaluate", "--protocol", "stream", "--models", "jrl", "--synthetic-users", "20");
    assertEquals(2, stream.code());
    assertTrue(stream.err().contains("trains only offline"), stream.err());
    Result window = run("evaluate", "--protocol", "prequential", "--models", "pop", "--sample-every", "0",
        "--synthetic-users", "20");
    assertEquals(2, window.code());
    assertTrue(window.err().contains("sample-every"), window.err());
    assertFalse(Files.exists(dir.resolve("report.html")));
  }
}
