package io.jrlstream.ops.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.EntityKind;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serde.AvroSerde;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Exports the embeddings of one view: reads its compacted topic ({@code <embeddings prefix><view>}, keys
 * {@code USER:<id>} / {@code ITEM:<id>}, values {@code EmbeddingRecord} through the topology's own
 * {@link AvroSerde}) with read_committed from the beginning up to the end offsets taken at the start, keeps the
 * last value per key (a null value deletes the key), and writes into the output folder:
 *
 * <ul>
 *   <li>{@code users.npy}, {@code items.npy}: float32 matrices, C order, one row per entity ({@link Npy}, .npy
 *       version 1.0; {@code numpy.load} opens them);
 *   <li>{@code users.ids.txt}, {@code items.ids.txt}: the external ids, one per line (UTF-8), in row order:
 *       sorted by id (Java {@code String} order, i.e. by UTF-16 code unit);
 *   <li>{@code manifest.json}: {@code format} ("jrl-embeddings/1"), {@code view}, {@code topic},
 *       {@code users}/{@code items} ({@code rows}, {@code dim}, {@code file}, {@code ids}), {@code maxEventTime}
 *       (ISO-8601) and {@code maxEventTimeMillis} over the exported vectors, {@code endOffsets} (partition →
 *       offset read up to), {@code records} read.
 * </ul>
 *
 * <p>Memory: the latest vector of every entity is held until written. Stateless; {@link #run} opens and closes
 * its own consumer.
 */
public final class EmbeddingExport {
  /** Format name written into the manifest. */
  public static final String FORMAT = "jrl-embeddings/1";

  /**
   * What was exported.
   *
   * @param users user rows written
   * @param items item rows written
   * @param userDim dimension of the user vectors (0 when there are none)
   * @param itemDim dimension of the item vectors (0 when there are none)
   * @param records records read from the topic
   * @param endOffsets the offsets read up to, per partition
   */
  public record Result(int users, int items, int userDim, int itemDim, long records, Map<Integer, Long> endOffsets) {}

  private EmbeddingExport() {}

  /**
   * Exports {@code view}'s embeddings into {@code out} (created when absent; existing export files replaced).
   *
   * @throws IllegalArgumentException when the topic does not exist or vectors of one kind differ in length
   */
  public static Result run(StreamsSettings s, String view, Path out) {
    String topic = s.embeddingsTopic(view);
    Properties p = s.kafkaProperties();
    p.remove("application.id");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Map<String, EmbeddingRecord> users = new TreeMap<>();
    Map<String, EmbeddingRecord> items = new TreeMap<>();
    Map<Integer, Long> ends = new TreeMap<>();
    long records = 0;
    Deserializer<EmbeddingRecord> values = AvroSerde.of(EmbeddingRecord.class).deserializer();
    try (KafkaConsumer<String, EmbeddingRecord> c = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
      var infos = c.listTopics(Duration.ofSeconds(30)).get(topic);
      if (infos == null) {
        throw new IllegalArgumentException("no topic " + topic + ": view '" + view + "' has published nothing on "
            + s.bootstrapServers());
      }
      List<TopicPartition> parts = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      end.forEach((tp, o) -> ends.put(tp.partition(), o));
      while (!parts.stream().allMatch(tp -> c.position(tp) >= end.get(tp))) {
        for (ConsumerRecord<String, EmbeddingRecord> r : c.poll(Duration.ofMillis(200))) {
          if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
            continue; // written after the export started
          }
          records++;
          String key = r.key();
          if (key == null) {
            continue;
          }
          EmbeddingKey k;
          try {
            k = EmbeddingKey.parse(key);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(topic + " offset " + r.offset() + ": " + e.getMessage(), e);
          }
          Map<String, EmbeddingRecord> target = k.kind() == EntityKind.USER ? users : items;
          String id = k.id();
          if (r.value() == null) {
            target.remove(id);
          } else {
            target.put(id, r.value());
          }
        }
      }
    }
    try {
      Files.createDirectories(out);
      int userDim = write(users, out, "users", topic);
      int itemDim = write(items, out, "items", topic);
      long maxTime = Long.MIN_VALUE;
      for (Map<String, EmbeddingRecord> m : List.of(users, items)) {
        for (EmbeddingRecord r : m.values()) {
          maxTime = Math.max(maxTime, r.getEventTime().toEpochMilli());
        }
      }
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode m = json.createObjectNode();
      m.put("format", FORMAT).put("view", view).put("topic", topic);
      m.set("users", part(json, users.size(), userDim, "users"));
      m.set("items", part(json, items.size(), itemDim, "items"));
      if (maxTime != Long.MIN_VALUE) {
        m.put("maxEventTime", Instant.ofEpochMilli(maxTime).toString()).put("maxEventTimeMillis", maxTime);
      } else {
        m.putNull("maxEventTime").putNull("maxEventTimeMillis");
      }
      ObjectNode offsets = m.putObject("endOffsets");
      ends.forEach((part, o) -> offsets.put(Integer.toString(part), o));
      m.put("records", records);
      Files.writeString(out.resolve("manifest.json"), json.writeValueAsString(m) + "\n");
      return new Result(users.size(), items.size(), userDim, itemDim, records, Map.copyOf(ends));
    } catch (IOException e) {
      throw new UncheckedIOException("writing the export to " + out + ": " + e.getMessage(), e);
    }
  }

  private static ObjectNode part(ObjectMapper json, int rows, int dim, String name) {
    ObjectNode n = json.createObjectNode();
    n.put("rows", rows).put("dim", dim).put("file", name + ".npy").put("ids", name + ".ids.txt");
    return n;
  }

  /** Writes name.npy and name.ids.txt in id order; returns the dimension (0 when empty). */
  private static int write(Map<String, EmbeddingRecord> rows, Path out, String name, String topic) throws IOException {
    int dim = rows.isEmpty() ? 0 : rows.values().iterator().next().getVector().size();
    List<String> ids = new ArrayList<>(rows.size());
    float[] row = new float[dim];
    ByteBuffer scratch = ByteBuffer.allocate(dim * Float.BYTES);
    try (OutputStream npy = new BufferedOutputStream(Files.newOutputStream(out.resolve(name + ".npy")), 1 << 16)) {
      npy.write(Npy.header(rows.size(), dim));
      for (Map.Entry<String, EmbeddingRecord> e : rows.entrySet()) {
        List<Float> v = e.getValue().getVector();
        if (v.size() != dim) {
          throw new IllegalArgumentException(topic + ": " + name + " vectors differ in length: " + e.getKey() + " has "
              + v.size() + ", others " + dim);
        }
        for (int i = 0; i < dim; i++) {
          row[i] = v.get(i);
        }
        Npy.writeRow(npy, row, scratch);
        ids.add(e.getKey());
      }
    }
    Files.write(out.resolve(name + ".ids.txt"), ids, StandardCharsets.UTF_8);
    return dim;
  }
}
