package io.jrlstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.bench.serve.LoadClient;
import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.pipeline.DatasetProducer;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.ops.serve.Serving;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serve.ServeSettings;
import io.jrlstream.streams.train.TrainingOptions;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Freshness as a client sees it ({@code jrl bench serve}): an embedded broker, the trainer (collaborative
 * view, exactly-once) with serving, and a background stream of synthetic events; each probe produces one
 * rating of a user for the top item of the user's current answer, then polls {@code GET
 * /users/{id}/recommendations} until (1) the item has left the answer (the interaction reached the serving
 * store: ingestion, the validated topic, the serving repartition) and (2) the user's vector version has changed
 * (the event was trained in a completed mini-batch and the new vector reached the owner's store).
 */
final class ServeFreshness {
  private ServeFreshness() {}

  static Map<String, Object> measure(Path work, int probes, double backgroundRate, PrintWriter err) throws Exception {
    Dataset ds = SyntheticData.generate(new SyntheticSpec(400, 300, 8, 25, 0, 6), 9L);
    List<String> views = List.of("collaborative");
    ModelConfig cfg = ModelConfig.defaults().withSeed(1);
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    AvroCodec<RatingEvent> ratings = AvroCodec.of(RatingEvent.class);
    Map<String, String> rocks = Map.of("jrl.rocksdb.cache.bytes", Long.toString(64L << 20),
        "jrl.rocksdb.write.buffer.bytes", Long.toString(16L << 20));
    try (LocalBroker broker = LocalBroker.start(work.resolve("broker"))) {
      StreamsSettings s = StreamsSettings.defaults(broker.bootstrapServers()).withApplicationId("jrl-bench-serve");
      int half = ds.interactions().size() / 2;
      try (Pipeline pipeline = Pipeline.start(s, cfg, new Pipeline.Options(views, work.resolve("state"), rocks,
          TrainingOptions.defaults()));
          Serving serving = Serving.start(s, ServeSettings.defaults(views), HttpSettings.loopback(),
              work.resolve("state"), rocks);
          DatasetProducer producer = new DatasetProducer(ds, s, cfg.seed());
          KafkaProducer<String, byte[]> probe = probeProducer(s)) {
        err.printf("freshness: warming up with %d events%n", half);
        err.flush();
        producer.produce(0, half, 0, n -> { });
        Pipeline.awaitCaughtUp(s, views, Duration.ofMinutes(5));
        serving.awaitReady(Duration.ofMinutes(2));
        Thread background = new Thread(() -> {
          try {
            producer.produce(half, ds.interactions().size(), backgroundRate, n -> { });
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "jrl-bench-background");
        background.setDaemon(true);
        background.start();
        long[] excluded = new long[probes];
        long[] retrained = new long[probes];
        int got = 0;
        for (int p = 0; p < probes; p++) {
          String user = ds.users().id((p * 37) % ds.users().size());
          JsonNode before = awaitAnswer(http, json, serving.url() + "/users/" + user + "/recommendations", null);
          String item = before.path("items").get(0).path("item").asText();
          long version = before.path("views").path("collaborative").path("version").asLong();
          long t0 = System.nanoTime();
          RatingEvent e = RatingEvent.newBuilder().setEventId("probe:" + p).setEventTime(Instant.now())
              .setUserId(user).setItemId(item).setStars(5f).build();
          probe.send(new ProducerRecord<>(s.ratings().name(), null, System.currentTimeMillis(), user,
              ratings.encode(e)));
          probe.flush();
          long tExcluded = -1;
          long tRetrained = -1;
          long end = t0 + Duration.ofSeconds(20).toNanos();
          while ((tExcluded < 0 || tRetrained < 0) && System.nanoTime() < end) {
            JsonNode now = awaitAnswer(http, json, serving.url() + "/users/" + user + "/recommendations", null);
            long t = System.nanoTime() - t0;
            if (tExcluded < 0 && now.path("items").findValuesAsText("item").stream().noneMatch(item::equals)) {
              tExcluded = t;
            }
            if (tRetrained < 0 && now.path("views").path("collaborative").path("version").asLong() != version) {
              tRetrained = t;
            }
            Thread.sleep(5);
          }
          if (tExcluded >= 0 && tRetrained >= 0) {
            excluded[got] = tExcluded;
            retrained[got] = tRetrained;
            got++;
          }
        }
        background.interrupt();
        background.join(10_000);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("probes", probes);
        out.put("measured", got);
        out.put("backgroundEventsPerSecond", backgroundRate);
        out.put("batch", 64);
        out.put("interactionExcluded", stats(excluded, got));
        out.put("userVectorUpdated", stats(retrained, got));
        err.printf("freshness: item excluded p50 %.0f ms, user vector updated p50 %.0f ms (%d of %d probes)%n",
            (double) ((Map<?, ?>) out.get("interactionExcluded")).get("p50Ms"),
            (double) ((Map<?, ?>) out.get("userVectorUpdated")).get("p50Ms"), got, probes);
        err.flush();
        return out;
      }
    }
  }

  private static Map<String, Object> stats(long[] nanos, int n) {
    long[] v = Arrays.copyOf(nanos, n);
    Arrays.sort(v);
    return Map.of("p50Ms", LoadClient.percentile(v, 0.5) / 1e6, "p90Ms", LoadClient.percentile(v, 0.9) / 1e6,
        "maxMs", n == 0 ? 0.0 : v[n - 1] / 1e6);
  }

  private static JsonNode awaitAnswer(HttpClient http, ObjectMapper json, String url, String token) throws Exception {
    for (int attempt = 0; ; attempt++) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        return json.readTree(r.body());
      }
      if (r.statusCode() != 503 || attempt > 600) {
        throw new IllegalStateException("GET " + url + ": HTTP " + r.statusCode() + " " + r.body());
      }
      Thread.sleep(50);
    }
  }

  private static KafkaProducer<String, byte[]> probeProducer(StreamsSettings s) {
    Properties p = s.kafkaProperties();
    p.remove("application.id");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }
}
