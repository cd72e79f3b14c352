package io.jrlstream.ops.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.streams.config.TopicSpec;
import io.jrlstream.streams.train.KafkaEventHistory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history a training processor restores from: committed records of a range of its input read back in order
 * (transaction markers and aborted records skipped), and a range that retention has cut refused with a message
 * that names it, never silently shortened.
 */
class KafkaEventHistoryTest {
  private static final String TOPIC = "history.validated";

  @TempDir
  Path dir;

  @Test
  void shouldReadCommittedRangesAndRefuseOnesThatRetentionCut() throws Exception {
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      Properties client = new Properties();
      client.put("bootstrap.servers", broker.bootstrapServers());
      try (Admin admin = Admin.create(client)) {
        TopicAdmin.ensureTopics(admin, List.of(TopicSpec.of(TOPIC, 1, (short) 1)));
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "history-test");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
            new ByteArraySerializer())) {
          producer.initTransactions();
          for (int t = 0; t < 3; t++) { // committed: e0..e3, aborted: a0..a3, committed: e4..e7
            producer.beginTransaction();
            for (int i = 0; i < 4; i++) {
              String v = (t == 1 ? "a" + i : "e" + (t == 0 ? i : 4 + i));
              producer.send(new ProducerRecord<>(TOPIC, v.getBytes(StandardCharsets.UTF_8)));
            }
            if (t == 1) {
              producer.flush(); // the aborted records reach the log
              producer.abortTransaction();
            } else {
              producer.commitTransaction();
            }
          }
        }
        KafkaEventHistory history = new KafkaEventHistory(client, TOPIC, Duration.ofSeconds(30));
        List<String> read = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        // Offsets: e0..e3 0-3, marker 4, a0..a3 5-8, marker 9, e4..e7 10-13, marker 14.
        history.read(0, 2, 12, (offset, value) -> {
          offsets.add(offset);
          read.add(new String(value, StandardCharsets.UTF_8));
        });
        assertEquals(List.of("e2", "e3", "e4", "e5", "e6"), read);
        assertEquals(List.of(2L, 3L, 10L, 11L, 12L), offsets);

        admin.deleteRecords(Map.of(new TopicPartition(TOPIC, 0), RecordsToDelete.beforeOffset(3))).all().get();
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> history.read(0, 0, 12, (offset, value) -> { }));
        assertTrue(e.getMessage().contains("starts at offset 3") && e.getMessage().contains("0..12"), e.getMessage());
        // A range beyond the end (a topic deleted and created again) is refused at once, not waited for.
        IllegalStateException beyond = assertThrows(IllegalStateException.class,
            () -> history.read(0, 10, 20, (offset, value) -> { }));
        assertTrue(beyond.getMessage().contains("ends at offset 15"), beyond.getMessage());
      }
    }
  }
}
