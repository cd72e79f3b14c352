package io.jrlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JrlCommandTest {
  @TempDir
  Path dir;

  private static JrlRun run(String... args) {
    return JrlRun.of(args);
  }

  @Test
  void shouldRefuseModelsWhoseViewHasNoDataInTheFile() throws Exception {
    Path pairs = dir.resolve("pairs.tsv");
    Files.writeString(pairs, "u1\ti1\nu1\ti2\nu2\ti1\n");
    JrlRun r = run("evaluate", "--data", pairs.toString(), "--models", "pop,rating", "--seeds", "1");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("model 'rating' needs star ratings"), r.err());
    assertTrue(r.err().contains("views with data here: collaborative"), r.err());
  }

  @Test
  void shouldNameTheSampledEventsAsOrdinals() {
    assertEquals("1st 2nd 3rd 4th 11th 12th 13th 21st 50th 101st 112th", String.join(" ", LocalCommand.ordinal(1),
        LocalCommand.ordinal(2), LocalCommand.ordinal(3), LocalCommand.ordinal(4), LocalCommand.ordinal(11),
        LocalCommand.ordinal(12), LocalCommand.ordinal(13), LocalCommand.ordinal(21), LocalCommand.ordinal(50),
        LocalCommand.ordinal(101), LocalCommand.ordinal(112)));
  }

  @Test
  void shouldRefuseUnknownModelsAndSettings() {
    JrlRun r = run("evaluate", "--models", "pop,bogus", "--seeds", "1");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown model 'bogus'"), r.err());
    JrlRun s = run("evaluate", "--models", "pop", "--set", "collaborative.nonsense=1");
    assertEquals(2, s.code());
    assertTrue(s.err().contains("unknown setting 'nonsense'"), s.err());
    JrlRun n = run("evaluate", "--models", "pop", "--set", "collaborative.l2=abc");
    assertEquals(2, n.code());
    assertTrue(n.err().contains("'abc' is not a number"), n.err());
  }

  @Test
  void shouldReportAMissingFileClearly() {
    JrlRun r = run("evaluate", "--data", dir.resolve("absent.json").toString(), "--models", "pop");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("absent.json"), r.err());
  }

  @Test
  void shouldPrintTheTableAndWriteJsonWithMeanAndStd() throws Exception {
    Path json = dir.resolve("out/results.json");
    JrlRun r = run("evaluate", "--models", "pop,bpr,ejrl", "--seeds", "1,2", "--epochs", "3", "--dim", "8",
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
  void shouldListTheProductsCommandsOnly() {
    JrlRun r = run("--help");
    assertEquals(0, r.code(), r.err());
    for (String command : new String[] {"local", "run", "evaluate", "serve", "query", "import", "export", "replay"}) {
      assertTrue(r.out().contains("\n  " + command + " "), command + " missing from:\n" + r.out());
    }
    assertFalse(r.out().contains("bench"), r.out());
    assertFalse(r.out().contains("\n  load "), r.out());
    JrlRun b = run("bench-stream");
    assertEquals(2, b.code(), "without the bench module there is no bench command: " + b.out());
    assertTrue(b.err().contains("Unmatched argument"), b.err());
  }
}
