package io.jrlstream.ops.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.LoggerFactory;

/**
 * The versions of one view and which one serving should use: the value kept per view name on the compacted
 * control topic ({@code jrl.view-versions}), as JSON
 * {@code {"format":1,"view","active",
 * "versions":{"N":{"topic","applicationId","from":{"p":offset},"until":{"p":offset},"then","caughtUp"}}}}.
 * Version 0 is the live pipeline's own topic ({@code jrl.embeddings.<view>}); replayed versions N ≥ 1 publish to
 * {@code jrl.embeddings.v<N>.<view>}. Serving reads {@code active} and the version's {@code topic}.
 *
 * <p>Immutable; {@code with…} methods return copies. Read and written by {@link Replay} (one writer per view at a
 * time: the replay of that view).
 *
 * @param view the view's name
 * @param active the version serving should use (0: the live pipeline's topic)
 * @param versions the replayed versions by number
 */
public record ViewVersions(String view, int active, Map<Integer, Version> versions) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One replayed version.
   *
   * @param topic its embedding topic
   * @param applicationId the Kafka Streams application that trains it
   * @param from validated-topic offsets it starts at, per partition
   * @param until offsets it stops before, per partition (the end offsets taken at its start, or of --until)
   * @param then what happens once it has caught up: "stop" or "live"
   * @param caughtUp whether it has trained everything before {@code until}
   */
  public record Version(String topic, String applicationId, Map<Integer, Long> from, Map<Integer, Long> until,
      String then, boolean caughtUp) {
    public Version {
      from = Map.copyOf(from);
      until = Map.copyOf(until);
    }

    public Version markCaughtUp() {
      return new Version(topic, applicationId, from, until, then, true);
    }
  }

  public ViewVersions {
    versions = Collections.unmodifiableMap(new TreeMap<>(versions));
  }

  /** A view with no replayed version, served from the live topic. */
  public static ViewVersions none(String view) {
    return new ViewVersions(view, 0, Map.of());
  }

  /** The next free version number. */
  public int nextVersion() {
    return versions.isEmpty() ? 1 : ((TreeMap<Integer, Version>) new TreeMap<>(versions)).lastKey() + 1;
  }

  public ViewVersions with(int n, Version v) {
    Map<Integer, Version> m = new TreeMap<>(versions);
    m.put(n, v);
    return new ViewVersions(view, active, m);
  }

  /**
   * Serving switches to version {@code n}.
   *
   * @throws IllegalArgumentException when n is not 0 and not a caught-up version
   */
  public ViewVersions activate(int n) {
    if (n != 0 && (!versions.containsKey(n) || !versions.get(n).caughtUp())) {
      throw new IllegalArgumentException("view " + view + " has no caught-up version " + n + " (versions: "
          + versions.keySet() + ", caught up: " + versions.entrySet().stream().filter(e -> e.getValue().caughtUp())
          .map(Map.Entry::getKey).toList() + "; 0 is the live pipeline's topic)");
    }
    return new ViewVersions(view, n, versions);
  }

  byte[] encode() {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", 1).put("view", view).put("active", active);
    ObjectNode vs = o.putObject("versions");
    versions.forEach((n, v) -> {
      ObjectNode x = vs.putObject(Integer.toString(n));
      x.put("topic", v.topic()).put("applicationId", v.applicationId()).put("then", v.then())
          .put("caughtUp", v.caughtUp());
      ObjectNode f = x.putObject("from");
      v.from().forEach((p, off) -> f.put(Integer.toString(p), off));
      ObjectNode u = x.putObject("until");
      v.until().forEach((p, off) -> u.put(Integer.toString(p), off));
    });
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  static ViewVersions decode(String view, byte[] bytes) {
    try {
      JsonNode o = JSON.readTree(bytes);
      if (o.path("format").asInt() != 1) {
        throw new IllegalStateException("view-versions record of " + view + " has format " + o.path("format")
            + "; this jrl reads format 1");
      }
      Map<Integer, Version> versions = new TreeMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = o.path("versions").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode x = e.getValue();
        versions.put(Integer.parseInt(e.getKey()), new Version(x.path("topic").asText(),
            x.path("applicationId").asText(), offsets(x.path("from")), offsets(x.path("until")),
            x.path("then").asText(), x.path("caughtUp").asBoolean()));
      }
      return new ViewVersions(view, o.path("active").asInt(), versions);
    } catch (IOException e) {
      throw new UncheckedIOException("view-versions record of " + view + " is not JSON: " + e.getMessage(), e);
    }
  }

  private static Map<Integer, Long> offsets(JsonNode n) {
    Map<Integer, Long> m = new TreeMap<>();
    n.fields().forEachRemaining(e -> m.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
    return m;
  }

  /**
   * The latest readable record of {@code view} on the control topic, or {@link #none} when there is none. An
   * unreadable record (not JSON, an unknown format) is skipped with a warning, as serving's
   * {@link ViewVersionsWatcher} skips it: a bad record on the shared control topic must not stop replays.
   */
  public static ViewVersions read(Properties base, String topic, String view) {
    Properties p = (Properties) base.clone();
    p.remove("application.id");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    ViewVersions last = none(view);
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      var parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      while (!parts.stream().allMatch(tp -> c.position(tp) >= end.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (view.equals(r.key()) && r.value() != null) {
            try {
              last = decode(view, r.value());
            } catch (RuntimeException e) {
              LoggerFactory.getLogger(ViewVersions.class).warn("{}: record of view {} at offset {} skipped: {}", topic,
                  view, r.offset(), e.getMessage());
            }
          }
        }
      }
    }
    return last;
  }

  /** Writes this record (acks=all, flushed). */
  public void write(Properties base, String topic) {
    Properties p = (Properties) base.clone();
    p.remove("application.id");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, byte[]> prod = new KafkaProducer<>(p, new StringSerializer(),
        new ByteArraySerializer())) {
      prod.send(new ProducerRecord<>(topic, view, encode())).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted writing the view-versions record of " + view, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot write the view-versions record of " + view + " to " + topic + ": "
          + e.getCause().getMessage(), e.getCause());
    }
  }
}
