package io.jrlstream.ops.kafka;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A main class running in a separate JVM, for crash tests: the child can be {@linkplain #halt()
 * halted} like a machine losing power (no shutdown hooks, no clean close of producers or stores),
 * which an in-process test cannot do to code that shares its JVM.
 *
 * <p>The child runs {@code java -cp <this JVM's class path> <jvm options> <main class> <args>} with
 * the {@code java} of this JVM; it inherits this JVM's module flags ({@code --add-modules}, {@code
 * --add-opens}, {@code --add-exports}, {@code --enable-preview}, e.g. the incubator vector module
 * the SIMD kernels need), its environment and working directory. Its standard output and error go to
 * files in a log directory ({@code <MainSimpleName>-<n>.stdout}/{@code .stderr}, {@code n} counting
 * up so restarts keep earlier logs); standard input is empty. A child prints a marker line when it
 * reaches a point of interest, and the test waits for it with {@link #awaitOutput}.
 *
 * <p><b>Lifecycle.</b> Started by {@link #start}; ends on its own ({@link #waitFor}) or by {@link
 * #halt()}. {@link #close()} halts a child that is still running, so try-with-resources leaves no
 * process behind when a test fails (a child outlives a JVM that is itself killed: give test mains a
 * bounded run time).
 *
 * <p><b>Threading.</b> Thread-safe: the state is the {@link Process}, which is.
 */
public final class ChildJvm implements AutoCloseable {

  private static final Duration HALT_WAIT = Duration.ofSeconds(30);
  private static final long POLL_MS = 20;
  private static final int TAIL_LINES = 20;

  private final String name;
  private final List<String> command;
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  private ChildJvm(String name, List<String> command, Process process, Path stdout, Path stderr) {
    this.name = name;
    this.command = command;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts {@code mainClass} in a child JVM with no extra JVM options.
   *
   * @see #start(Class, Path, List, List)
   */
  public static ChildJvm start(Class<?> mainClass, Path logDir, String... args) {
    return start(mainClass, logDir, List.of(), List.of(args));
  }

  /**
   * Starts {@code mainClass} in a child JVM; returns once the process exists (not once the main
   * method runs).
   *
   * @param mainClass a class with {@code public static void main(String[])} on this JVM's class path
   * @param logDir directory for the child's standard output and error files; created when absent
   * @param jvmOptions extra options placed before the main class, e.g. {@code -Xmx256m} or {@code
   *     -Dkey=value}
   * @param args the main method's arguments
   * @return the running child; close it
   * @throws UncheckedIOException when the log files cannot be created or the process not started
   */
  public static ChildJvm start(
      Class<?> mainClass, Path logDir, List<String> jvmOptions, List<String> args) {
    Objects.requireNonNull(mainClass, "mainClass");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(inheritedModuleFlags());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(jvmOptions);
    command.add(mainClass.getName());
    command.addAll(args);
    try {
      Files.createDirectories(logDir);
      Path stdout = claimLogFile(logDir, mainClass.getSimpleName());
      Path stderr = stdout.resolveSibling(
          stdout.getFileName().toString().replace(".stdout", ".stderr"));
      Process process = new ProcessBuilder(command)
          .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
          .redirectOutput(stdout.toFile())
          .redirectError(stderr.toFile())
          .start();
      String name = mainClass.getSimpleName() + "[pid " + process.pid() + "]";
      return new ChildJvm(name, List.copyOf(command), process, stdout, stderr);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a child JVM for " + mainClass.getName(), e);
    }
  }

  /** @return the CPU time the child has used so far, when the platform reports it */
  public Optional<Duration> cpuTime() {
    return process.toHandle().info().totalCpuDuration();
  }

  /** @return the child's process id */
  public long pid() {
    return process.pid();
  }

  /** @return the full command line the child was started with */
  public List<String> command() {
    return command;
  }

  /** @return the file receiving the child's standard output */
  public Path stdout() {
    return stdout;
  }

  /** @return the file receiving the child's standard error */
  public Path stderr() {
    return stderr;
  }

  /** @return whether the child is still running */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits until the child has printed a line containing {@code marker} on its standard output.
   *
   * @param marker text to look for
   * @param timeout how long to wait
   * @return the first line containing the marker
   * @throws IllegalStateException when the child exits first or the timeout passes; the message
   *     gives the exit code or state and the tail of the child's output and error
   * @throws InterruptedException when interrupted while waiting
   */
  public String awaitOutput(String marker, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      // Read the exit state before the file, so output written just before exiting is seen.
      boolean exited = !process.isAlive();
      Optional<String> line = readLines(stdout).stream().filter(l -> l.contains(marker)).findFirst();
      if (line.isPresent()) {
        return line.get();
      }
      if (exited) {
        throw new IllegalStateException(name + " exited with code " + process.exitValue()
            + " without printing '" + marker + "'" + tails());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(name + " did not print '" + marker + "' within "
            + timeout.toMillis() + " ms (still running)" + tails());
      }
      Thread.sleep(POLL_MS);
    }
  }

  /**
   * Waits for the child to exit on its own.
   *
   * @param timeout how long to wait
   * @return the exit code, or empty when the child is still running after {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public OptionalInt waitFor(Duration timeout) throws InterruptedException {
    if (process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      return OptionalInt.of(process.exitValue());
    }
    return OptionalInt.empty();
  }

  /**
   * Kills the child at once ({@link Process#destroyForcibly()}, SIGKILL on Unix: no shutdown hooks,
   * no finally blocks, nothing flushed that was not already written) and waits until it is gone.
   *
   * @return the exit code (137 on Unix for a child that was still running)
   * @throws IllegalStateException when the child is still alive 30 s later
   * @throws InterruptedException when interrupted while waiting
   */
  public int halt() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(HALT_WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException(name + " is still alive " + HALT_WAIT.toSeconds()
          + " s after being killed");
    }
    return process.exitValue();
  }

  /** Halts the child if it is still running; idempotent. */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        halt();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return name;
  }

  /**
   * The module flags of this JVM, which a child needs to load the same classes: {@code
   * --add-modules jdk.incubator.vector} for the SIMD kernels, for one. As reported by the runtime
   * MXBean, in either {@code --flag=value} or {@code --flag value} form.
   */
  static List<String> inheritedModuleFlags() {
    List<String> input = ManagementFactory.getRuntimeMXBean().getInputArguments();
    List<String> flags = new ArrayList<>();
    for (int i = 0; i < input.size(); i++) {
      String arg = input.get(i);
      if (arg.equals("--enable-preview")) {
        flags.add(arg);
      } else if (isModuleFlag(arg)) {
        if (arg.contains("=")) {
          flags.add(arg);
        } else if (i + 1 < input.size()) {
          flags.add(arg);
          flags.add(input.get(++i));
        }
      }
    }
    return flags;
  }

  private static boolean isModuleFlag(String arg) {
    for (String flag : List.of("--add-modules", "--add-opens", "--add-exports", "--add-reads")) {
      if (arg.equals(flag) || arg.startsWith(flag + "=")) {
        return true;
      }
    }
    return false;
  }

  private static Path claimLogFile(Path logDir, String base) throws IOException {
    for (int n = 1; ; n++) {
      try {
        return Files.createFile(logDir.resolve(base + "-" + n + ".stdout"));
      } catch (FileAlreadyExistsException e) {
        // taken by an earlier child: try the next number
      }
    }
  }

  private static File nullFile() {
    return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private String tails() {
    return "\n--- tail of " + stdout + " ---\n" + tail(stdout)
        + "\n--- tail of " + stderr + " ---\n" + tail(stderr);
  }

  private static String tail(Path file) {
    List<String> lines = readLines(file);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
  }

  private static List<String> readLines(Path file) {
    try {
      // Lenient decoding: a half-written multi-byte character at the end must not fail the read.
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
