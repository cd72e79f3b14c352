package io.jrlstream.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the system's Python, as the guide does, e.g. on {@code examples/python/produce_reviews.py}. */
final class PythonExample {
  /** The interpreter the guide names (Debian's packages install for it); {@code -Djrl.python=…} overrides. */
  static final String PYTHON = System.getProperty("jrl.python", "/usr/bin/python3");

  private PythonExample() {}

  /** Whether {@link #PYTHON} runs and imports every one of {@code modules}. */
  static boolean hasModules(String... modules) {
    try {
      return run(List.of("-c", "import " + String.join(", ", modules)), 30).exit() == 0;
    } catch (IOException e) {
      return false; // no such interpreter
    }
  }

  /** Whether {@link #PYTHON} runs at all. */
  static boolean available() {
    return hasModules("json");
  }

  /**
   * What a run printed (stdout and stderr together) and its exit status, -1 when it timed out.
   *
   * @param exit   exit status
   * @param output everything it printed
   */
  record Result(int exit, String output) {}

  /**
   * Runs {@link #PYTHON} with {@code args}, killing it after {@code timeoutSeconds}.
   *
   * @throws IOException when the interpreter cannot be started
   */
  static Result run(List<String> args, int timeoutSeconds) throws IOException {
    List<String> command = new ArrayList<>(args.size() + 1);
    command.add(PYTHON);
    command.addAll(args);
    Path log = Files.createTempFile("jrl-python", ".log");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
      boolean exited;
      try {
        exited = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exited = false;
      }
      if (!exited) {
        p.destroyForcibly();
      }
      String out = Files.readString(log, StandardCharsets.UTF_8);
      return exited ? new Result(p.exitValue(), out)
          : new Result(-1, out + "\n(killed after " + timeoutSeconds + " s)");
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
