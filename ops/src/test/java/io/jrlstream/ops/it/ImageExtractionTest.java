package io.jrlstream.ops.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.pipeline.ImageProducer;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.image.ImageSettings;
import io.jrlstream.streams.ingest.DeadLetterHeaders;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer application with image extraction ({@code Pipeline.start} with {@link ImageSettings}, as {@code jrl
 * run} and {@code jrl local --image-model} start it) against a real broker with exactly-once: image events in,
 * committed feature events out equal to PyTorch's references, bad images on the dead-letter topic; and a model that
 * does not match the configuration refused before anything starts.
 */
class ImageExtractionTest {
  /** The streams module's ONNX fixtures (tiny CNN, images, references); tests run in the ops module folder. */
  static final Path FIXTURES = Path.of("..", "streams", "src", "test", "resources", "onnx");

  private static final AvroCodec<ImageFeatureEvent> FEATURES = AvroCodec.of(ImageFeatureEvent.class);

  @TempDir
  Path dir;

  static ImageSettings settings(int featureDim) {
    Properties p = new Properties();
    p.setProperty("jrl.image.model", FIXTURES.resolve("tiny-cnn.onnx").toString());
    p.setProperty("jrl.feature.dim", Integer.toString(featureDim));
    p.setProperty("jrl.image.input.size", "32");
    p.setProperty("jrl.image.resize", "36");
    p.setProperty("jrl.image.batch.size", "3");
    p.setProperty("jrl.image.max.wait.ms", "200");
    p.setProperty("jrl.image.threads.intra", "1");
    return ImageSettings.fromProperties(p).orElseThrow();
  }

  @Test
  void shouldTurnImageEventsIntoCommittedFeatureEventsAndBadImagesIntoDeadLetters() throws Exception {
    JsonNode refs = new ObjectMapper().readTree(FIXTURES.resolve("reference.json").toFile()).get("images");
    List<String> names = new ArrayList<>();
    refs.fieldNames().forEachRemaining(names::add);
    ImageSettings image = settings(16);
    try (LocalBroker broker = LocalBroker.start(dir.resolve("broker"))) {
      StreamsSettings s = StreamsSettings.defaults(broker.bootstrapServers()).withApplicationId("jrl-it-image")
          .withFeatureDim(16);
      Pipeline.Options o = new Pipeline.Options(List.of("collaborative"), dir.resolve("state"),
          Map.of("jrl.rocksdb.cache.bytes", Long.toString(16L << 20), "jrl.rocksdb.write.buffer.bytes",
              Long.toString(4L << 20)), TrainingOptions.defaults().withBatchSize(16));
      try (Pipeline pipeline = Pipeline.start(s, TrainerFixtures.config(), o, image);
          ImageProducer producer = new ImageProducer(s, image.images().name())) {
        pipeline.awaitRunning(Duration.ofSeconds(90));
        byte[] jpeg = Files.readAllBytes(FIXTURES.resolve("images").resolve("photo-120x96.jpg"));
        for (int i = 0; i < names.size(); i++) {
          String name = names.get(i);
          producer.send("ev-" + i, "item-" + i, Files.readAllBytes(FIXTURES.resolve("images").resolve(name)),
              name.endsWith(".png") ? "image/png" : "image/jpeg");
          if (i == 1) {
            producer.send("ev-bad-1", "item-bad-1", Arrays.copyOf(jpeg, 200), "image/jpeg");
            producer.send("ev-bad-2", "item-bad-2", "no image".getBytes(StandardCharsets.UTF_8), "image/png");
          }
        }
        producer.flush();
        List<ConsumerRecord<String, byte[]>> features = awaitRecords(broker.bootstrapServers(),
            s.imageFeatures().name(), names.size());
        assertEquals(names.size(), features.size(), "one feature event per good image, exactly once");
        for (int i = 0; i < names.size(); i++) {
          ImageFeatureEvent e = FEATURES.decode(features.get(i).value());
          assertEquals("item-" + i, e.getItemId());
          assertEquals("item-" + i, features.get(i).key());
          JsonNode ref = refs.get(names.get(i)).get("features");
          for (int j = 0; j < 16; j++) {
            assertEquals(ref.get(j).asDouble(), e.getFeatures().get(j), 1e-3, names.get(i) + " feature " + j);
          }
        }
        List<ConsumerRecord<String, byte[]>> letters = awaitRecords(broker.bootstrapServers(),
            s.deadLetters().name(), 2);
        assertEquals(2, letters.size());
        for (ConsumerRecord<String, byte[]> r : letters) {
          assertEquals("BAD_IMAGE", new String(r.headers().lastHeader(DeadLetterHeaders.ERROR).value(),
              StandardCharsets.UTF_8));
          assertEquals(image.images().name(), new String(r.headers().lastHeader(DeadLetterHeaders.SOURCE_TOPIC)
              .value(), StandardCharsets.UTF_8));
        }
      }
    }
  }

  @Test
  void shouldRefuseToStartWhenTheModelOutputsAnotherDimension() {
    StreamsSettings s = StreamsSettings.defaults("127.0.0.1:1").withFeatureDim(32);
    Pipeline.Options o = Pipeline.Options.of(List.of("collaborative"), dir.resolve("state"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Pipeline.start(s, TrainerFixtures.config(), o, settings(32)));
    assertTrue(e.getMessage().contains("has 16 values per image") && e.getMessage().contains("jrl.feature.dim is 32"),
        e.getMessage());
    IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
        () -> Pipeline.start(s, TrainerFixtures.config(), o, settings(16)));
    assertTrue(mismatch.getMessage().contains("must agree"), mismatch.getMessage());
  }

  /** Reads committed records of partition 0 until {@code n} have arrived (at most 60 s), then a little longer. */
  private static List<ConsumerRecord<String, byte[]>> awaitRecords(String bootstrap, String topic, int n)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<ConsumerRecord<String, byte[]>> out = List.of();
    while (System.nanoTime() < deadline) {
      out = TrainerFixtures.readCommitted(bootstrap, topic);
      if (out.size() >= n) {
        Thread.sleep(500); // a duplicate would show up here
        return TrainerFixtures.readCommitted(bootstrap, topic);
      }
      Thread.sleep(200);
    }
    return out;
  }
}
