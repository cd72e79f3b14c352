package io.jrlstream.ops.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serde.AvroSerde;
import io.jrlstream.streams.train.TrainingOptions;
import io.jrlstream.streams.train.TrainingProcessor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayTopologyTest {
  @TempDir Path dir;

  private static final StreamsSettings S = StreamsSettings.defaults("unused:9092").withApplicationId("app-replay-x");

  /** Feeds 10 rating events at offsets 0..9 and counts what reaches the view's trainer. */
  private long passed(Map<Integer, Long> until) {
    ModelConfig cfg = ModelConfig.defaults().mapViews(v -> v.withDim(4));
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, S.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
    try (TopologyTestDriver d = new TopologyTestDriver(Replay.topology(S, cfg, new Pipeline
        .Options(List.of("collaborative"), dir, Map.of(), TrainingOptions.defaults().withBatchSize(4)), until), p)) {
      TestInputTopic<String, TrainingEvent> in = d.createInputTopic(S.validatedTopic(), Serdes.String().serializer(),
          AvroSerde.of(TrainingEvent.class).serializer());
      for (int i = 0; i < 10; i++) {
        in.pipeInput("u" + i, new TrainingEvent("e" + i, Instant.EPOCH, TrainingEventKind.RATING, "u" + i, "i" + i,
            4f, null, null, null, null, "t", 0, (long) i));
      }
      // The trainer's position: the last offset it processed, absent before the first.
      KeyValueStore<Bytes, byte[]> store =
          d.getKeyValueStore(TrainingProcessor.storeName("collaborative"));
      byte[] position = store.get(Bytes.wrap(
          "Mposition".getBytes(StandardCharsets.US_ASCII)));
      return position == null ? 0 : ByteBuffer.wrap(position).getLong() + 1;
    }
  }

  @Test
  void shouldPassOnlyTheRecordsBeforeTheBoundOrAllWhenLive() {
    assertEquals(6, passed(Map.of(0, 6L)));
    assertEquals(0, passed(Map.of(0, 0L)));
    assertEquals(10, passed(null));
  }

  @Test
  void shouldRefuseVersionZeroAndSwitchOnlyToCaughtUpVersions() {
    assertThrows(IllegalArgumentException.class, () -> new Replay.Options("review", 0, null, null, false, true,
        TrainingOptions.defaults(), Path.of("s"), Map.of()));
    ViewVersions.Version pending = new ViewVersions.Version("t.v1", "a", Map.of(0, 0L), Map.of(0, 5L), "stop", false);
    ViewVersions vv = ViewVersions.none("review").with(1, pending);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vv.activate(1));
    assertTrue(e.getMessage().contains("no caught-up version 1"), e.getMessage());
    ViewVersions done = vv.with(1, pending.markCaughtUp()).activate(1);
    assertEquals(1, done.active());
    assertEquals(2, done.nextVersion());
    assertEquals(done, ViewVersions.decode("review", done.encode()));
    assertEquals(0, done.activate(0).active()); // back to the live topic
  }
}
