package io.jrlstream.ops.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.ops.Jrl;
import io.jrlstream.ops.JrlRun;
import io.jrlstream.ops.it.TrainerFixtures.Input;
import io.jrlstream.ops.kafka.ChildJvm;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.streams.config.StreamsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration template's round trip against a real broker: {@code jrl config --template > t.properties}, then
 * {@code jrl run --config t.properties} (in a child JVM, as an operator runs it) starts, trains and publishes, and
 * stops cleanly on SIGTERM. The template is written with the environment's values (JRL_VIEWS, JRL_BATCH_SIZE, …), so
 * the file is used as written.
 */
class ConfigTemplateRunTest {
  @TempDir
  Path dir;

  @Test
  void shouldRunTheTrainerFromAFileTheTemplateWrote() throws Exception {
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      String bootstrap = broker.bootstrapServers();
      JrlRun template = JrlRun.of(Map.of("JRL_VIEWS", "collaborative", "JRL_BATCH_SIZE", "16",
          "JRL_APPLICATION_ID", "jrl-it-template", "JRL_ROCKSDB_CACHE_BYTES", "16777216",
          "JRL_ROCKSDB_WRITE_BUFFER_BYTES", "4194304"), "config", "--template", "--bootstrap-servers", bootstrap,
          "--state-dir", dir.resolve("state").toString());
      assertEquals(0, template.code(), template.err());
      Path file = Files.writeString(dir.resolve("t.properties"), template.out());
      StreamsSettings s = StreamsSettings.defaults(bootstrap).withApplicationId("jrl-it-template");
      List<Input> events = TrainerFixtures.goodEvents(new SyntheticSpec(40, 30, 3, 10, 0, 6), 29L,
          System.currentTimeMillis());

      try (ChildJvm run = ChildJvm.start(Jrl.class, dir.resolve("logs"), List.of("-Xmx384m", "-XX:+UseSerialGC"),
          List.of("run", "--config", file.toString(), "--no-serve"))) {
        awaitErr(run, "trainer running", Duration.ofSeconds(120));
        try (KafkaProducer<String, byte[]> p = TrainerFixtures.producer(bootstrap)) {
          events.subList(0, 32).forEach(in -> TrainerFixtures.send(p, s.reviews().name(), in));
        }
        String topic = s.embeddingsTopic("collaborative");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (TrainerFixtures.readCommitted(bootstrap, topic).isEmpty()) {
          assertTrue(run.isAlive(), "jrl run exited; see " + run.stderr());
          assertTrue(System.nanoTime() < deadline, "nothing published on " + topic + "; see " + run.stderr());
          Thread.sleep(200);
        }
        ProcessHandle.of(run.pid()).orElseThrow().destroy(); // SIGTERM
        int exit = run.waitFor(Duration.ofSeconds(60)).orElseThrow();
        assertTrue(exit == 0 || exit == 143, "exit status " + exit + "; see " + run.stderr());
      }
      assertTrue(Files.isDirectory(dir.resolve("state")), "state.dir of the template not used");
    }
  }

  private static void awaitErr(ChildJvm child, String marker, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (!Files.readString(child.stderr()).contains(marker)) {
      assertTrue(child.isAlive(), "the child exited; see " + child.stderr());
      assertTrue(System.nanoTime() < deadline, "no '" + marker + "' within " + max + "; see " + child.stderr());
      Thread.sleep(100);
    }
  }
}
