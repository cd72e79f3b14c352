package io.jrlstream.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the source tree the tests read: the Python example, the schema files, the guide. */
final class RepoFiles {
  private RepoFiles() {}

  /**
   * @param relative a path from the repository root
   * @return it, resolved against {@code jrl.repo.root} (set by this module's pom; else the parent of the working
   *         directory, the module folder under Maven)
   */
  static Path path(String relative) {
    String root = System.getProperty("jrl.repo.root");
    Path base = root != null ? Path.of(root) : Path.of("").toAbsolutePath().getParent();
    Path p = base.resolve(relative).normalize();
    assertTrue(Files.exists(p), p + " not found (jrl.repo.root=" + root + ")");
    return p;
  }
}
