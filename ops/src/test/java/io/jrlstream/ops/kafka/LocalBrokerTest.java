package io.jrlstream.ops.kafka;

import io.jrlstream.streams.config.TopicSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static io.jrlstream.ops.kafka.KafkaTestSupport.admin;
import static io.jrlstream.ops.kafka.KafkaTestSupport.readAll;
import static io.jrlstream.ops.kafka.KafkaTestSupport.transactionalProducer;
import static io.jrlstream.ops.kafka.KafkaTestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalBrokerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  @Test
  void shouldCommitTransactionsAndHideAbortedOnesFromReadCommittedConsumers() {
    try (LocalBroker broker = LocalBroker.start(dir);
        Admin admin = admin(broker)) {
      TopicAdmin.ensureTopics(admin, List.of(TopicSpec.of("events", 2, (short) 1)));
      try (KafkaProducer<String, String> producer = transactionalProducer(broker, "tx-eos")) {
        producer.initTransactions();
        send(producer, "events", "first-", 0, 50);
        producer.commitTransaction();
        send(producer, "events", "aborted-", 0, 10);
        producer.flush();
        producer.abortTransaction();
        send(producer, "events", "second-", 0, 50);
        producer.commitTransaction();
      }

      List<String> committed =
          sorted(values(readAll(broker, "events", IsolationLevel.READ_COMMITTED, TIMEOUT)));
      List<String> expected = sorted(IntStream.range(0, 50)
          .mapToObj(i -> List.of("first-" + i, "second-" + i))
          .flatMap(List::stream)
          .collect(Collectors.toList()));
      assertEquals(expected, committed);
      // The aborted records did reach the log: only the isolation level hides them.
      assertEquals(110, readAll(broker, "events", IsolationLevel.READ_UNCOMMITTED, TIMEOUT).size());
    }
  }

  @Test
  void shouldKeepDataClusterIdAndPortAcrossRestart() {
    String clusterId;
    int port;
    try (LocalBroker broker = LocalBroker.start(dir);
        Admin admin = admin(broker)) {
      clusterId = broker.clusterId();
      port = broker.port();
      TopicAdmin.ensureTopics(admin, List.of(TopicSpec.compacted("kept", 1, (short) 1)));
      try (KafkaProducer<String, String> producer = transactionalProducer(broker, "tx-kept")) {
        producer.initTransactions();
        send(producer, "kept", "v-", 0, 20);
        producer.commitTransaction();
      }
    }
    assertTrue(Files.exists(dir.resolve(LocalBroker.SERVER_PROPERTIES)));
    assertTrue(Files.exists(dir.resolve(LocalBroker.DATA_DIR).resolve("meta.properties")));

    try (LocalBroker broker = LocalBroker.start(dir);
        Admin admin = admin(broker)) {
      assertEquals(clusterId, broker.clusterId());
      assertEquals(port, broker.port(), "the last port is reused when free");
      // Existing and still compacted: ensureTopics creates nothing.
      assertEquals(List.of(),
          TopicAdmin.ensureTopics(admin, List.of(TopicSpec.compacted("kept", 1, (short) 1))));
      List<String> expected =
          IntStream.range(0, 20).mapToObj(i -> "v-" + i).collect(Collectors.toList());
      assertEquals(expected,
          values(readAll(broker, "kept", IsolationLevel.READ_COMMITTED, TIMEOUT)));
    }
  }

  @Test
  void shouldFailClearlyWhenThePortIsTaken() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      LocalBroker.Settings settings = LocalBroker.Settings.of(dir)
          .withPort(taken.getLocalPort())
          .withStartTimeout(Duration.ofSeconds(20));
      KafkaOpsException e = assertThrows(KafkaOpsException.class, () -> LocalBroker.start(settings));
      assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()), e.getMessage());
    }
  }

  @Test
  void shouldRefuseToOverrideTheListenersOrDirectories() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LocalBroker.Settings.of(dir).withBrokerOverride("log.dirs", "/elsewhere"));
    assertTrue(e.getMessage().contains("'log.dirs'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LocalBroker.Settings.of(dir).withPort(70000));
  }

  private static void send(KafkaProducer<String, String> producer, String topic, String prefix,
      int from, int to) {
    producer.beginTransaction();
    for (int i = from; i < to; i++) {
      producer.send(new ProducerRecord<>(topic, "k" + i, prefix + i));
    }
  }

  private static List<String> sorted(List<String> values) {
    return values.stream().sorted().collect(Collectors.toList());
  }
}
