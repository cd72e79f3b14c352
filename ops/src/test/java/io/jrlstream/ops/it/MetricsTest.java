package io.jrlstream.ops.it;

import static io.jrlstream.ops.it.TrainerFixtures.VIEWS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.ops.it.TrainerFixtures.Input;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.pipeline.TrainerLag;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.ops.serve.ServeServer;
import io.jrlstream.ops.serve.Serving;
import io.jrlstream.ops.replay.ReplayKeys;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.ingest.RejectReason;
import io.jrlstream.streams.serve.ServeSettings;
import io.jrlstream.streams.train.TrainingKeys;
import io.jrlstream.streams.train.TrainingOptions;
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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} of a running instance (issue 14): the trainer and serving against a real broker, good and bad
 * records through them, then a scrape of the serving port and of the metrics port that {@code --no-serve} uses. Every
 * family of the project's own meters is there with the figures the run implies, Kafka Streams' metrics of every
 * client, the JVM's, and every {@code jrl_} family is described on the operations page.
 */
class MetricsTest {
  /** The project's own families (Prometheus names) that a running trainer with serving must expose. */
  static final List<String> FAMILIES = List.of("jrl_train_events_total", "jrl_train_batches_total",
      "jrl_train_loss", "jrl_train_replayed_total", "jrl_train_replay_share", "jrl_train_vocabulary",
      "jrl_train_table_rows", "jrl_train_freshness_seconds", "jrl_publish_vectors_total", "jrl_checkpoint_rows_total",
      "jrl_checkpoint_bytes_total", "jrl_checkpoint_duration_seconds", "jrl_restore_duration_seconds",
      "jrl_restore_events_total", "jrl_restore_retrained_total", "jrl_quality_hr10", "jrl_quality_ndcg10",
      "jrl_dead_letters_total", "jrl_serve_requests_seconds", "jrl_trainer_lag", "jrl_trainer_held_records",
      "jrl_ingestion_lag",
      "jrl_health_live", "jrl_health_clients", "jrl_health_clients_running", "jrl_rocksdb_memory_bound_bytes",
      "jrl_rocksdb_memory_used_bytes", "jrl_process_resident_memory_bytes", "jrl_info");
  /** Families of the JVM and process binders. */
  /** JVM families registered when bound (jvm_gc_pause_seconds only appears after the first collection). */
  static final List<String> JVM_FAMILIES = List.of("jvm_memory_used_bytes", "jvm_gc_max_data_size_bytes",
      "jvm_threads_live_threads", "jvm_buffer_memory_used_bytes", "process_cpu_usage", "process_uptime_seconds");

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void shouldExposeEveryFamilyWithTheRunsFiguresOnTheServingAndTheMetricsPort() throws Exception {
    List<Input> good = TrainerFixtures.goodEvents(new SyntheticSpec(40, 30, 3, 8, 0, 6), 5L,
        System.currentTimeMillis());
    List<Input> inputs = new ArrayList<>(good);
    long now = System.currentTimeMillis();
    inputs.add(Input.bad("bad-1", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, now, RejectReason.UNDECODABLE));
    inputs.add(Input.bad("bad-2", null, now, RejectReason.UNDECODABLE));
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      String bootstrap = broker.bootstrapServers();
      StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId("jrl-it-metrics");
      Map<String, String> small = Map.of(TrainingKeys.ROCKSDB_CACHE_BYTES.key(), Long.toString(16L << 20),
          TrainingKeys.ROCKSDB_WRITE_BUFFER_BYTES.key(), Long.toString(4L << 20));
      // Checkpoints every 4 batches (written in one), publication after every batch.
      Pipeline.Options options = new Pipeline.Options(VIEWS, dir.resolve("state"), small, TrainingOptions.defaults()
          .withBatchSize(TrainerFixtures.BATCH).withCheckpointBatches(4).withPublishIntervalMs(0)
          .withCheckpointEventsPerRow(0).withCheckpointSpreadBatches(1));
      Health health = new Health();
      try (Metrics metrics = Metrics.create();
          Pipeline pipeline = metrics.bind(Pipeline.start(s, TrainerFixtures.config(), options, null,
              metrics.training(VIEWS)).register(health, VIEWS), VIEWS);
          TrainerLag lag = TrainerLag.start(s, VIEWS, 1_000_000, Duration.ofMillis(200)).gate(health);
          Serving serving = Serving.start(s, ServeSettings.defaults(VIEWS).withPartitions(2), HttpSettings.loopback(),
              dir.resolve("serve"), small, ReplayKeys.VIEW_VERSIONS_TOPIC.defaultValue().orElseThrow(), health,
              metrics);
          ServeServer metricsPort = ServeServer.bind(HttpSettings.loopback()).start(null, health, metrics)) {
        metrics.bindHealth(health);
        metrics.bindLag(lag);
        pipeline.awaitRunning(Duration.ofMinutes(1));
        try (KafkaProducer<String, byte[]> producer = TrainerFixtures.producer(bootstrap)) {
          for (Input in : inputs) {
            TrainerFixtures.send(producer, s.reviews().name(), in);
          }
          producer.flush();
        }
        Pipeline.awaitCaughtUp(s, VIEWS, Duration.ofSeconds(90));
        serving.awaitReady(Duration.ofMinutes(1));
        String user = good.get(0).key();
        assertEquals(200, get(serving.url() + "/users/" + user + "/recommendations").statusCode());
        assertEquals(404, get(serving.url() + "/items/no-such-item/similar").statusCode());
        awaitLagKnown(lag);

        String text = get(serving.url() + "/metrics").body();
        Set<String> families = families(text);
        for (String f : FAMILIES) {
          assertTrue(families.contains(f), "no family " + f + " in " + families);
        }
        for (String f : JVM_FAMILIES) {
          assertTrue(families.contains(f), "no JVM family " + f);
        }
        for (String client : List.of("ingestion", "trainer-collaborative", "trainer-review", "trainer-rating",
            "serving")) {
          assertTrue(text.contains("kafka_stream_thread_process_total{client=\"" + client + "\""),
              "no Kafka Streams thread metrics of " + client);
        }
        assertTrue(families.stream().anyMatch(f -> f.startsWith("kafka_consumer_")), "no consumer metrics");
        assertTrue(families.stream().anyMatch(f -> f.startsWith("kafka_producer_")), "no producer metrics");

        int trained = good.size(); // every good event trains, the last batch's by a flush marker
        for (String view : VIEWS) {
          assertEquals(trained, value(text, "jrl_train_events_total", "view", view), view + " events");
          assertTrue(value(text, "jrl_train_batches_total", "view", view) >= trained / TrainerFixtures.BATCH, view);
          assertTrue(value(text, "jrl_train_freshness_seconds_count", "view", view) > 0, view + " freshness");
          assertTrue(value(text, "jrl_checkpoint_rows_total", "view", view) > 0, view + " checkpoint rows");
          assertTrue(value(text, "jrl_checkpoint_duration_seconds_count", "view", view) > 0, view);
          assertTrue(value(text, "jrl_restore_duration_seconds_count", "view", view) >= 1, view + " restores");
          assertEquals(0, value(text, "jrl_trainer_lag", "view", view), view + " lag");
          assertTrue(value(text, "jrl_train_table_rows", "view", view) > 0, view + " table rows");
          assertTrue(Double.isFinite(value(text, "jrl_train_loss", "view", view)), view + " loss");
        }
        assertTrue(value(text, "jrl_train_vocabulary", "view", "review") > 0, "review vocabulary");
        // The defaults replay past interactions on the stream (collaborative: 96 per new one once the reservoir has
        // them), so most of what the trainer steps over is replayed.
        assertTrue(value(text, "jrl_train_replayed_total", "view", "collaborative") > trained, "replayed");
        double share = value(text, "jrl_train_replay_share", "view", "collaborative");
        assertTrue(share > 0.5 && share < 1, "replay share " + share);
        assertEquals(2, value(text, "jrl_dead_letters_total", "reason", "UNDECODABLE"), "dead letters");
        assertEquals(0, value(text, "jrl_dead_letters_total", "reason", "MISSING_ID"));
        assertEquals(1, value(text, "jrl_serve_requests_seconds_count", "endpoint", "recommendations"));
        assertTrue(text.contains("jrl_serve_requests_seconds_count{endpoint=\"similar\",status=\"404\"} 1"), text
            .lines().filter(l -> l.startsWith("jrl_serve_requests_seconds_count")).toList().toString());
        assertEquals(1, value(text, "jrl_health_live", null, null));
        assertEquals(5, value(text, "jrl_health_clients", null, null));
        assertTrue(value(text, "jrl_rocksdb_memory_bound_bytes", null, null) > 0);

        // The metrics port of --no-serve: the same registry, health and readiness; no queries.
        HttpResponse<String> scraped = get("http://127.0.0.1:" + metricsPort.port() + "/metrics");
        assertEquals(200, scraped.statusCode());
        assertEquals(Metrics.CONTENT_TYPE, scraped.headers().firstValue("Content-Type").orElse(""));
        assertTrue(families(scraped.body()).containsAll(FAMILIES));
        assertEquals(200, get("http://127.0.0.1:" + metricsPort.port() + "/health").statusCode());
        assertEquals(200, get("http://127.0.0.1:" + metricsPort.port() + "/ready").statusCode());
        assertEquals(404, get("http://127.0.0.1:" + metricsPort.port() + "/users/" + user + "/recommendations")
            .statusCode());
        assertDocumented(families);
      }
    }
  }

  /** Every family of the project's own meters is named on the operations page. */
  static void assertDocumented(Set<String> families) throws Exception {
    Path page = Path.of("..", "docs", "operations.md"); // tests run in the module's folder
    String doc = Files.readString(page, StandardCharsets.UTF_8);
    List<String> missing = new ArrayList<>();
    for (String f : families) {
      if (f.startsWith("jrl_") && !f.endsWith("_max") && !doc.contains("`" + f + "`")) {
        missing.add(f);
      }
    }
    assertTrue(missing.isEmpty(), "families not described in docs/operations.md: " + missing);
  }

  /**
   * Waits (at most 30 s) until every view's lag has read 0 for 1.5 s on end: the flush marker of the last events
   * comes up to 1.25 s after them (FlushMarkers) and makes the lag 1 until the trainers commit it, so a first 0 read
   * before that marker is not yet the end state the scrape asserts.
   */
  private void awaitLagKnown(TrainerLag lag) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long zeroSince = -1;
    while (System.nanoTime() < end) {
      long now = System.nanoTime();
      if (VIEWS.stream().anyMatch(v -> lag.viewLag(v) != 0)) {
        zeroSince = -1;
      } else if (zeroSince < 0) {
        zeroSince = now;
      } else if (now - zeroSince >= Duration.ofMillis(1500).toNanos()) {
        return;
      }
      Thread.sleep(100);
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The metric families of a scrape: the names of its {@code # TYPE} lines. */
  static Set<String> families(String text) {
    Set<String> out = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        out.add(line.split(" ")[2]);
      }
    }
    return out;
  }

  /**
   * The value of the first sample of {@code name} whose labels include {@code label="value"} (any sample when
   * {@code label} is null), summed over the samples that match.
   */
  static double value(String text, String name, String label, String value) {
    Pattern p = Pattern.compile("^" + Pattern.quote(name) + "(\\{([^}]*)\\})? (\\S+)$", Pattern.MULTILINE);
    Matcher m = p.matcher(text);
    Map<String, Double> matches = new TreeMap<>();
    while (m.find()) {
      String labels = m.group(2) == null ? "" : m.group(2);
      if (label == null || labels.contains(label + "=\"" + value + "\"")) {
        matches.put(labels, Double.parseDouble(m.group(3)));
      }
    }
    assertTrue(!matches.isEmpty(), "no sample " + name + (label == null ? "" : "{" + label + "=" + value + "}"));
    return matches.values().stream().mapToDouble(Double::doubleValue).sum();
  }
}
