package io.jrlstream.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrlstream.ops.JrlConfiguration;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.Setting;
import java.io.IOException;
import java.io.Reader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive as a user gets it (issue 14, "Packaging"): unpacked in an empty folder and run from
 * another empty folder with only a JDK (the {@code java} on the PATH, no source tree, no Maven). {@code bin/jrl local
 * --follow} starts the embedded broker, trains a small data set and serves it; {@code bin/jrl run --no-serve} (a
 * second trainer, its own application id) and {@code bin/jrl serve} run against that broker with the class path of
 * the archive's {@code lib/} alone (no broker jars, no ONNX Runtime); each answers {@code /metrics}, {@code /health}
 * and {@code /ready}, none prints the JVM's incubator notice, and each closes cleanly on SIGTERM (status 143, the
 * JVM's for a SIGTERM once its shutdown hooks have run, or 0). Runs after
 * {@code mvn package} ({@code mvn verify}); the archive's path comes from the build.
 */
class DistributionIT {
  private static final Duration START = Duration.ofMinutes(4);
  private static final String NOTICE = "WARNING: Using incubator modules";

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void shouldRunFromTheUnpackedArchiveInAnEmptyFolderWithOnlyAJdk() throws Exception {
    Path archive = Path.of(System.getProperty("jrl.dist.archive", "target/none.tar.gz"));
    assumeTrue(Files.isRegularFile(archive), "no archive at " + archive + ": run mvn package (or verify) first");
    Path unpacked = Files.createDirectories(dir.resolve("opt"));
    run(List.of("tar", "xzf", archive.toAbsolutePath().toString(), "-C", unpacked.toString()), dir, 300);
    Path home = unpacked.resolve("jrl-" + System.getProperty("jrl.version"));
    assertLayout(home);
    Path jrl = home.resolve("bin/jrl");
    Path cwd = Files.createDirectories(dir.resolve("empty"));

    Result version = run(List.of(jrl.toString(), "--version"), cwd, 60);
    assertEquals(0, version.code, version.err);
    assertTrue(version.out.startsWith("jrl " + System.getProperty("jrl.version") + " "), version.out);
    assertEquals("", version.err, "nothing on stderr: the incubator notice is filtered");

    Path data = writeReviews(dir.resolve("reviews.json"), 40, 25, 400);
    int serving = freePort();
    Path localErr = dir.resolve("local.err");
    Process local = start(List.of(jrl.toString(), "local", "--data", data.toString(), "--follow", "--http-port",
        Integer.toString(serving)), cwd, dir.resolve("local.out"), localErr);
    List<Process> others = new ArrayList<>();
    boolean passed = false;
    try {
      String bootstrap = await(localErr, Pattern.compile("broker up at (\\S+)"), local);
      await(localErr, Pattern.compile("following; Ctrl-C stops()"), local);
      String url = "http://127.0.0.1:" + serving;
      awaitStatus(url + "/ready", 200, local);
      assertMetrics(get(url + "/metrics").body(), List.of("trainer-collaborative", "serving", "ingestion"));
      assertTrue(Files.isDirectory(cwd.resolve("jrl-work")), "jrl local works in the current folder");

      // A second deployment on the local broker: a trainer of the same input topics into topics of its own, and a
      // serving instance of what it trains. The archive's lib/ alone (neither the broker's jars nor ONNX Runtime)
      // runs them.
      int metricsPort = freePort();
      Path trainerConfig = config(dir.resolve("trainer.properties"), bootstrap, dir.resolve("trainer-state"),
          "jrl.metrics.port=" + metricsPort);
      Path runErr = dir.resolve("run.err");
      Process trainer = start(List.of(jrl.toString(), "run", "--config", trainerConfig.toString(), "--no-serve"), cwd,
          dir.resolve("run.out"), runErr);
      others.add(trainer);
      int servePort = freePort();
      Path serveConfig = config(dir.resolve("serve.properties"), bootstrap, dir.resolve("serve-state"),
          "jrl.serve.http.port=" + servePort);
      Path serveErr = dir.resolve("serve.err");
      Process serve = start(List.of(jrl.toString(), "serve", "--config", serveConfig.toString()), cwd,
          dir.resolve("serve.out"), serveErr);
      others.add(serve);
      String trainerUrl = "http://127.0.0.1:" + metricsPort;
      awaitStatus(trainerUrl + "/ready", 200, trainer);
      assertEquals(200, get(trainerUrl + "/health").statusCode());
      awaitTrained(trainerUrl + "/metrics", trainer);
      assertMetrics(get(trainerUrl + "/metrics").body(), List.of("trainer-review", "ingestion"));
      assertEquals(404, get(trainerUrl + "/users/u1/recommendations").statusCode(), "--no-serve serves no queries");
      String serveUrl = "http://127.0.0.1:" + servePort;
      awaitStatus(serveUrl + "/ready", 200, serve);
      assertEquals(200, get(serveUrl + "/users/u1/recommendations").statusCode());
      assertTrue(get(serveUrl + "/metrics").body().contains("kafka_stream_thread_process_total{client=\"serving\""));
      assertStopped(stop(trainer), runErr);
      assertStopped(stop(serve), serveErr);
      passed = true;
    } finally {
      // A failure above keeps its own message: the processes are only stopped then.
      for (Process p : others) {
        stop(p);
      }
      int code = stop(local);
      if (passed) {
        assertStopped(code, localErr);
      } else {
        System.err.println("jrl local's log:\n" + tail(localErr));
      }
    }
    for (String log : List.of("local.err", "run.err", "serve.err")) {
      String text = Files.readString(dir.resolve(log), StandardCharsets.UTF_8);
      assertFalse(text.contains(NOTICE), log + " has the incubator notice");
      assertFalse(text.contains("ClassNotFoundException") || text.contains("NoClassDefFoundError"), log);
    }
  }

  /** A clean stop on SIGTERM: status 143 (or 0), and the log says every client was closed. */
  private static void assertStopped(int code, Path log) throws IOException {
    assertTrue(code == 143 || code == 0, "exit status " + code + " on SIGTERM; " + tail(log));
    assertTrue(Files.readString(log, StandardCharsets.UTF_8).contains("stopping: closing every Kafka Streams client"),
        tail(log));
  }

  /** bin, lib without the broker and ONNX Runtime, lib/broker, lib/onnx, config, docs, deploy. */
  private static void assertLayout(Path home) throws IOException {
    assertTrue(Files.isExecutable(home.resolve("bin/jrl")), "bin/jrl executable");
    List<String> lib = names(home.resolve("lib"));
    assertTrue(lib.stream().anyMatch(n -> n.startsWith("jrl-ops-")), "lib holds the jrl jars: " + lib);
    assertTrue(lib.stream().anyMatch(n -> n.startsWith("kafka-streams-")), "lib holds Kafka Streams");
    assertFalse(lib.stream().anyMatch(n -> n.startsWith("kafka_2.13") || n.startsWith("kafka-server")
        || n.startsWith("scala-") || n.startsWith("onnxruntime")), "lib holds neither broker nor ONNX: " + lib);
    assertTrue(names(home.resolve("lib/broker")).stream().anyMatch(n -> n.startsWith("kafka_2.13-")));
    assertTrue(names(home.resolve("lib/onnx")).stream().anyMatch(n -> n.startsWith("onnxruntime")));
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(home.resolve("config/jrl.properties"))) {
      p.load(r);
    }
    // The template jrl config --template wrote at build time: every key, each value one the code accepts.
    Configuration c = Configuration.of(JrlConfiguration.CATALOG, p).requireValid();
    for (Setting<?> key : JrlConfiguration.CATALOG.settings()) {
      assertTrue(c.isSet(key), "config/jrl.properties lacks " + key.key());
    }
    for (String doc : List.of("README.md", "docs/operations.md", "docs/architecture.md", "docs/producers.md",
        "deploy/kubernetes/trainer.yaml", "deploy/kubernetes/serving.yaml", "deploy/kubernetes/config.yaml",
        "deploy/docker/Dockerfile")) {
      assertTrue(Files.isRegularFile(home.resolve(doc)), doc);
    }
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * The second deployment's configuration: the local broker, the default input topics, an application id and output
   * topics of its own.
   */
  private static Path config(Path file, String bootstrap, Path state, String... more) throws IOException {
    List<String> lines = new ArrayList<>(List.of("bootstrap.servers=" + bootstrap, "application.id=jrl-second",
        "state.dir=" + state, "jrl.views=collaborative,review,rating", "jrl.topic.validated=second.validated",
        "jrl.topic.embeddings.prefix=second.embeddings.", "jrl.topic.dead.letters=second.dead-letters",
        "jrl.topic.view.versions=second.view-versions"));
    lines.addAll(List.of(more));
    return Files.write(file, lines, StandardCharsets.UTF_8);
  }

  /** Amazon 2014 JSON lines: {@code users} users, {@code items} items, {@code n} reviews with words and stars. */
  private static Path writeReviews(Path file, int users, int items, int n) throws IOException {
    String[] words = {"great", "sound", "cheap", "strings", "tone", "cable", "sturdy", "noisy", "bright", "warm"};
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int u = i % users;
      int item = (u * 7 + i / users * 3) % items;
      String text = words[u % 10] + " " + words[item % 10] + " " + words[(u + item) % 10] + " review";
      lines.add(String.format(Locale.ROOT, "{\"reviewerID\": \"u%d\", \"asin\": \"i%d\", \"summary\": \"%s\", "
          + "\"reviewText\": \"%s\", \"overall\": %d.0, \"unixReviewTime\": %d}", u, item, words[item % 10], text,
          1 + (u + item) % 5, 1_400_000_000L + i * 60L));
    }
    return Files.write(file, lines, StandardCharsets.UTF_8);
  }

  private void assertMetrics(String text, List<String> clients) {
    for (String family : List.of("jrl_train_events_total", "jrl_dead_letters_total", "jrl_health_live",
        "jrl_trainer_lag", "jvm_memory_used_bytes")) {
      assertTrue(text.contains("# TYPE " + family + " "), "no family " + family);
    }
    for (String client : clients) {
      assertTrue(text.contains("kafka_stream_thread_process_total{client=\"" + client + "\""), "no client " + client);
    }
  }

  private void awaitTrained(String metricsUrl, Process p) throws Exception {
    Pattern events = Pattern.compile("^jrl_train_events_total\\{view=\"review\"\\} (\\S+)$", Pattern.MULTILINE);
    awaitTrue(() -> {
      Matcher m = events.matcher(get(metricsUrl).body());
      return m.find() && Double.parseDouble(m.group(1)) >= 400;
    }, p, "the second trainer trained the 400 reviews");
  }

  private void awaitStatus(String url, int status, Process p) throws Exception {
    awaitTrue(() -> get(url).statusCode() == status, p, url + " answering " + status);
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static void awaitTrue(Check check, Process p, String what) throws Exception {
    long end = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < end) {
      if (!p.isAlive()) {
        throw new AssertionError("the process ended (" + p.exitValue() + ") before " + what);
      }
      try {
        if (check.ok()) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("not within " + START + ": " + what);
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until a line of {@code log} matches {@code p}; returns its first group. */
  private static String await(Path log, Pattern p, Process process) throws Exception {
    String[] found = new String[1];
    Predicate<String> match = text -> {
      Matcher m = p.matcher(text);
      if (m.find()) {
        found[0] = m.group(1);
        return true;
      }
      return false;
    };
    awaitTrue(() -> Files.exists(log) && match.test(Files.readString(log, StandardCharsets.UTF_8)), process,
        "'" + p + "' in " + log.getFileName());
    return found[0];
  }

  private static Process start(List<String> command, Path cwd, Path out, Path err) throws IOException {
    ProcessBuilder b = new ProcessBuilder(command).directory(cwd.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    b.environment().keySet().removeIf(k -> k.startsWith("JRL_") || k.equals("CLASSPATH"));
    return b.start();
  }

  /** SIGTERM (a clean stop), then the exit status; killed after two minutes. */
  private static int stop(Process p) throws InterruptedException {
    if (!p.isAlive()) {
      return p.exitValue();
    }
    p.destroy();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly().waitFor();
      return -1;
    }
    return p.exitValue();
  }

  private record Result(int code, String out, String err) {}

  private Result run(List<String> command, Path cwd, int timeoutSeconds) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = start(command, cwd, out, err);
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command + " did not end within " + timeoutSeconds + " s");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
