package io.jrlstream.streams.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serde.AvroSerde;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingTopologyTest {
  private static final int BATCH = 8;
  private static final List<String> VIEWS = List.of("collaborative", "review", "rating");

  @TempDir
  Path stateDir;

  private static ModelConfig config() {
    return ModelConfig.defaults().mapViews(v -> v.withDim(4)).withSeed(5);
  }

  private Properties props() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "jrl-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
    return p;
  }

  private static byte[] review(AvroCodec<ReviewEvent> codec, Dataset d, Interaction x, int i) {
    String text = d.reviewText(x.review());
    return codec.encode(ReviewEvent.newBuilder().setEventId("e" + i).setEventTime(Instant.ofEpochMilli(1000L + i))
        .setUserId(d.users().id(x.user())).setItemId(d.items().id(x.item())).setStars(Math.round(x.stars()))
        .setSummary("").setReviewText(text).build());
  }

  /**
   * Events in → every view publishes embeddings, and the published vectors equal those of an offline
   * one-pass StreamingTrainer over the same events in the same order (the parity the issue asks for).
   */
  @Test
  void shouldPublishEmbeddingsEqualToAnOfflineOnePassRun() {
    Dataset d = SyntheticData.generate(new SyntheticSpec(30, 20, 3, 6, 0, 8), 3L);
    StreamsSettings s = StreamsSettings.defaults("unused:9092");
    AvroCodec<ReviewEvent> codec = AvroCodec.of(ReviewEvent.class);
    Map<String, EmbeddingRecord> latest = new HashMap<>();
    TrainingOptions everyBatch = TrainingOptions.defaults().withBatchSize(BATCH).withPublishIntervalMs(0);
    try (TopologyTestDriver driver = new TopologyTestDriver(TrainingTopology.build(s, config(), VIEWS, everyBatch,
        EventHistory.none(), TrainingObserver.NONE),
        props())) {
      TestInputTopic<String, byte[]> in = driver.createInputTopic(s.reviews().name(), new StringSerializer(),
          new ByteArraySerializer());
      List<Interaction> xs = d.interactions();
      for (int i = 0; i < xs.size(); i++) {
        in.pipeInput(d.users().id(xs.get(i).user()), review(codec, d, xs.get(i), i));
      }
      for (String view : VIEWS) {
        TestOutputTopic<String, EmbeddingRecord> out = driver.createOutputTopic(s.embeddingsTopic(view),
            new StringDeserializer(), AvroSerde.of(EmbeddingRecord.class).deserializer());
        List<TestRecord<String, EmbeddingRecord>> records = out.readRecordsToList();
        assertFalse(records.isEmpty(), view + " published nothing");
        for (TestRecord<String, EmbeddingRecord> r : records) {
          assertEquals(view, r.value().getViewName());
          latest.put(view + "|" + r.key(), r.value());
        }
      }
    }
    for (String view : VIEWS) {
      // The same events, same order, through the same trainer offline.
      StreamContent content = new StreamContent();
      View offline = ViewFactory.create(view, config(), d);
      StreamingTrainer t = new StreamingTrainer(offline, config().seed(), BATCH);
      for (Interaction x : d.interactions()) {
        t.accept(x);
      }
      int checked = 0;
      for (int u = 0; u < d.userCount(); u++) {
        EmbeddingRecord r = latest.get(view + "|" + EmbeddingKey.user(d.users().id(u)));
        if (r == null) {
          continue;
        }
        float[] v = new float[r.getVector().size()];
        for (int j = 0; j < v.length; j++) {
          v[j] = r.getVector().get(j);
        }
        assertArrayEquals(offline.users().row(u), v, view + " user " + d.users().id(u));
        checked++;
      }
      assertTrue(checked > 0, view + ": no user vector compared");
    }
  }
}
