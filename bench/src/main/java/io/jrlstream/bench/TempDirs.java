package io.jrlstream.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The benchmarks' temporary working folders (broker logs, state stores: gigabytes after a run), deleted when the
 * benchmark ends, successful or not.
 */
final class TempDirs {
  private TempDirs() {}

  /** Deletes {@code dir} and everything under it, as far as it can; what it could not delete stays. */
  static void delete(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: a file still open elsewhere
        }
      }
    } catch (IOException e) {
      // best effort: the folder changed while being walked
    }
  }

  /** Bytes of the files under {@code dir}, as far as they can be read. */
  static long size(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // deleted while walking
        }
      }).sum();
    } catch (IOException e) {
      return -1;
    }
  }
}
