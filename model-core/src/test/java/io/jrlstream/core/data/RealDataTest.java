package io.jrlstream.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Reads the real Amazon files from the shared data folder (system property {@code jrl.shared.data}, else
 * {@code ../../shared/data} from the module directory) and checks the counts in its README. Skipped,
 * with the paths tried, when the files are absent.
 */
class RealDataTest {
  static final String MUSICAL = "reviews_Musical_Instruments_5.json.gz";
  static final String BEAUTY = "beauty_5core_pairs.tsv.gz";

  /** The shared data file {@code name}; skips the calling test when it cannot be found. */
  static Path sharedFile(String name) {
    List<Path> tried = new ArrayList<>();
    String property = System.getProperty("jrl.shared.data");
    if (property != null && !property.isBlank()) {
      tried.add(Path.of(property));
    }
    tried.add(Path.of("../../shared/data"));
    tried.add(Path.of("../shared/data"));
    for (Path dir : tried) {
      Path f = dir.resolve(name);
      if (Files.isRegularFile(f)) {
        return f;
      }
    }
    String message = "skipping: real data file " + name + " not found in " + tried;
    System.err.println(message);
    Assumptions.abort(message);
    return null;
  }

  @Test
  void shouldReadMusicalInstrumentsWithTheReadmeCounts() {
    Path file = sharedFile(MUSICAL);
    Dataset ds = timed(file, () -> DatasetReader.read(file));
    assertEquals(10_261, ds.interactions().size(), ds.report().summary());
    assertEquals(10_261, ds.report().lines());
    assertEquals(0, ds.report().malformed(), ds.report().summary());
    assertEquals(1_429, ds.userCount());
    assertEquals(900, ds.itemCount());
    assertEquals(10_261, ds.reviewCount());
    assertTrue(ds.interactions().stream().allMatch(x -> x.stars() >= 1 && x.stars() <= 5));
    assertTrue(ds.interactions().stream().allMatch(x -> x.time() > 900_000_000_000L));
  }

  @Test
  void shouldReadBeautyPairsWithTheReadmeCounts() {
    Path file = sharedFile(BEAUTY);
    Dataset ds = timed(file, () -> DatasetReader.read(file));
    assertEquals(198_502, ds.interactions().size(), ds.report().summary());
    assertEquals(0, ds.report().malformed(), ds.report().summary());
    assertEquals(22_363, ds.userCount());
    assertEquals(12_101, ds.itemCount());
    Set<Long> pairs = new HashSet<>();
    for (Interaction x : ds.interactions()) {
      pairs.add((long) x.user() << 32 | x.item());
    }
    assertEquals(198_502, pairs.size(), "pairs are distinct");
  }

  /** Reads three times (the first warms up) and prints the fastest time. */
  private static Dataset timed(Path file, Supplier<Dataset> read) {
    Dataset ds = null;
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      ds = read.get();
      best = Math.min(best, System.nanoTime() - t0);
    }
    System.out.printf("read %s in %.1f ms (best of 3): %s%n", file.getFileName(), best / 1e6, ds.report().summary());
    return ds;
  }
}
