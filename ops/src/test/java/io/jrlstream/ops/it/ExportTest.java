package io.jrlstream.ops.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.ops.Jrl;
import io.jrlstream.ops.export.Npy;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.EntityKind;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.config.TopicSpec;
import io.jrlstream.streams.serde.AvroSerde;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jrl export} against a real broker: the last vector per key up to the end offsets, deletions honoured,
 * rows in id order, files that NumPy opens (checked with the system's Python when it has NumPy).
 */
class ExportTest {
  @TempDir Path dir;

  private static EmbeddingRecord vector(EntityKind kind, String id, long time, float... v) {
    List<Float> list = new ArrayList<>();
    for (float x : v) {
      list.add(x);
    }
    return EmbeddingRecord.newBuilder().setViewName("review").setKind(kind).setEntityId(id).setVector(list)
        .setUpdateCount(1).setEventTime(Instant.ofEpochMilli(time)).build();
  }

  @Test
  void shouldExportTheLatestVectorPerEntityAsNumpyFiles() throws Exception {
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      StreamsSettings s = StreamsSettings.defaults(broker.bootstrapServers());
      String topic = s.embeddingsTopic("review");
      try (Admin admin = Admin.create(
          s.kafkaProperties())) {
        TopicAdmin.ensureTopics(admin,
            List.of(TopicSpec.compacted(topic, 1, (short) 1)));
      }
      try (KafkaProducer<String, EmbeddingRecord> p = new KafkaProducer<>(Map.of("bootstrap.servers",
          broker.bootstrapServers()), new StringSerializer(), AvroSerde.of(EmbeddingRecord.class).serializer())) {
        p.send(new ProducerRecord<>(topic, EmbeddingKey.user("u2").toString(),
            vector(EntityKind.USER, "u2", 10, 1, 2, 3)));
        p.send(new ProducerRecord<>(topic, EmbeddingKey.user("u1").toString(),
            vector(EntityKind.USER, "u1", 11, 4, 5, 6)));
        p.send(new ProducerRecord<>(topic, EmbeddingKey.item("i1").toString(),
            vector(EntityKind.ITEM, "i1", 12, 7, 8, 9)));
        p.send(new ProducerRecord<>(topic, EmbeddingKey.user("u2").toString(),
            vector(EntityKind.USER, "u2", 20, -1, -2, -3))); // newer
        p.send(new ProducerRecord<>(topic, EmbeddingKey.item("gone").toString(),
            vector(EntityKind.ITEM, "gone", 13, 0, 0, 0)));
        p.send(new ProducerRecord<>(topic, EmbeddingKey.item("gone").toString(),
            null)); // deleted
        p.flush();
      }
      Path out = dir.resolve("export");
      StringWriter o = new StringWriter();
      CommandLine cl = Jrl.commandLine(Map.of());
      cl.setOut(new PrintWriter(o));
      StringWriter err = new StringWriter();
      cl.setErr(new PrintWriter(err));
      assertEquals(0, cl.execute("export", "--view", "review", "--out", out.toString(), "--bootstrap-servers",
          broker.bootstrapServers()), err::toString);
      assertTrue(o.toString().contains("2 users x 3, 1 items x 3 (6 records read"), o.toString());

      assertEquals(List.of("u1", "u2"), Files.readAllLines(out.resolve("users.ids.txt")));
      assertEquals(List.of("i1"), Files.readAllLines(out.resolve("items.ids.txt")));
      byte[] users = Files.readAllBytes(out.resolve("users.npy"));
      assertArrayEquals(new long[] {2, 3}, Npy.shape(users));
      ByteBuffer data = ByteBuffer.wrap(users, users.length - 24, 24).order(ByteOrder.LITTLE_ENDIAN);
      float[] rows = new float[6];
      data.asFloatBuffer().get(rows);
      assertArrayEquals(new float[] {4, 5, 6, -1, -2, -3}, rows);
      JsonNode m = new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
      assertEquals("jrl-embeddings/1", m.get("format").asText());
      assertEquals(2, m.get("users").get("rows").asInt());
      assertEquals(3, m.get("items").get("dim").asInt());
      assertEquals(20, m.get("maxEventTimeMillis").asLong());
      assertEquals(6, m.get("endOffsets").get("0").asLong());

      if (hasNumpy()) {
        Process py = new ProcessBuilder("/usr/bin/python3", "-c", "import numpy, sys; d = sys.argv[1]; "
            + "u = numpy.load(d + '/users.npy'); i = numpy.load(d + '/items.npy'); "
            + "print(u.dtype, u.shape, i.shape, u.flags['C_CONTIGUOUS'], u[1].tolist(), "
            + "open(d + '/users.ids.txt').read().split())", out.toString()).redirectErrorStream(true).start();
        String said = new String(py.getInputStream().readAllBytes()).strip();
        assertTrue(py.waitFor(60, TimeUnit.SECONDS));
        assertEquals("float32 (2, 3) (1, 3) True [-1.0, -2.0, -3.0] ['u1', 'u2']", said);
      } else {
        System.err.println("ExportTest: /usr/bin/python3 with numpy not available; checked the .npy bytes only");
      }
    }
  }

  private static boolean hasNumpy() throws InterruptedException {
    try {
      Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import numpy").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }
}
