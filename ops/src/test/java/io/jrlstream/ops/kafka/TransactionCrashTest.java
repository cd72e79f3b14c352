package io.jrlstream.ops.kafka;

import io.jrlstream.streams.config.TopicSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static io.jrlstream.ops.kafka.KafkaTestSupport.admin;
import static io.jrlstream.ops.kafka.KafkaTestSupport.endOffset;
import static io.jrlstream.ops.kafka.KafkaTestSupport.readAll;
import static io.jrlstream.ops.kafka.KafkaTestSupport.transactionalProducer;
import static io.jrlstream.ops.kafka.KafkaTestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * A producer killed inside a transaction (a child JVM halted, no clean close) leaves records in the
 * log that read_committed consumers never see, once the next producer with the same transactional
 * id fences it: the exactly-once contract the streaming trainers rely on after a crash.
 */
class TransactionCrashTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String TOPIC = "crash.events";
  private static final String TX_ID = "crash-tx";
  private static final TopicPartition PARTITION = new TopicPartition(TOPIC, 0);

  @TempDir
  Path dir;

  @Test
  void shouldHideTheOpenTransactionOfAHaltedProducerFromReadCommittedConsumers() throws Exception {
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"));
        Admin admin = admin(broker)) {
      TopicAdmin.ensureTopics(admin, List.of(TopicSpec.of(TOPIC, 1, (short) 1)));
      try (ChildJvm child = ChildJvm.start(TransactionalProducerMain.class, dir.resolve("logs"),
          List.of("-Xmx128m"), List.of(broker.bootstrapServers(), TOPIC, TX_ID, "5", "7"))) {
        child.awaitOutput(TransactionalProducerMain.READY_MARKER, TIMEOUT);
        assertEquals(137, child.halt());
        assertFalse(child.isAlive());
      }
      List<String> committed =
          IntStream.range(0, 5).mapToObj(i -> "committed-" + i).collect(Collectors.toList());

      // The halted transaction's records are in the log ...
      assertEquals(12, readAll(broker, TOPIC, IsolationLevel.READ_UNCOMMITTED, TIMEOUT).size());
      // ... and while it is open, read_committed stops before it (5 records + 5 commit markers).
      assertEquals(10, endOffset(broker, PARTITION, IsolationLevel.READ_COMMITTED));
      assertEquals(committed, values(readAll(broker, TOPIC, IsolationLevel.READ_COMMITTED, TIMEOUT)));

      // A restarted producer with the same transactional id aborts it; read_committed then reads
      // past it to the end of the log (its 7 records and the abort marker) and still sees only the
      // committed records.
      try (KafkaProducer<String, String> restarted = transactionalProducer(broker, TX_ID)) {
        restarted.initTransactions();
      }
      assertEquals(18, endOffset(broker, PARTITION, IsolationLevel.READ_COMMITTED));
      assertEquals(18, endOffset(broker, PARTITION, IsolationLevel.READ_UNCOMMITTED));
      assertEquals(committed, values(readAll(broker, TOPIC, IsolationLevel.READ_COMMITTED, TIMEOUT)));
    }
  }
}
