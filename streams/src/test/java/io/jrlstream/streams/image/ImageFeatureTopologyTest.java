package io.jrlstream.streams.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.ingest.DeadLetterCounter;
import io.jrlstream.streams.ingest.DeadLetterHeaders;
import io.jrlstream.streams.ingest.RejectReason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.BytesDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * The extraction sub-topology in a {@code TopologyTestDriver}: features equal to PyTorch's references, in input
 * order, bad records to the dead-letter topic with their reason while good ones go on, micro-batches by count and
 * by wall-clock limit, and the pending batch held in the state store.
 */
class ImageFeatureTopologyTest {
  private static final AvroCodec<ImageFeatureEvent> FEATURES = AvroCodec.of(ImageFeatureEvent.class);

  private final StreamsSettings streams = streamsSettings();
  private final DeadLetterCounter counter = new DeadLetterCounter();

  private static StreamsSettings streamsSettings() {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", "unused:9092");
    p.setProperty("application.id", "image-test");
    p.setProperty("jrl.feature.dim", Integer.toString(TestModel.DIM));
    return StreamsSettings.fromProperties(p);
  }

  /** The driver, its topics, and the settings it runs with. */
  private final class Harness implements AutoCloseable {
    final ImageSettings settings;
    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> images;
    final TestOutputTopic<String, byte[]> features;
    final TestOutputTopic<byte[], byte[]> deadLetters;

    Harness(ImageSettings settings) {
      this.settings = settings;
      Properties props = streams.kafkaProperties();
      props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
      driver = new TopologyTestDriver(ImageFeatureTopology.build(streams, new OnnxSessions(settings), counter), props);
      images = driver.createInputTopic(settings.images().name(), new StringSerializer(), new ByteArraySerializer());
      features = driver.createOutputTopic(streams.imageFeatures().name(), new StringDeserializer(),
          new ByteArrayDeserializer());
      deadLetters = driver.createOutputTopic(streams.deadLetters().name(), new ByteArrayDeserializer(),
          new ByteArrayDeserializer());
    }

    void send(String eventId, String item, byte[] image, String type) {
      images.pipeInput(item, TestModel.event(eventId, item, image, type));
    }

    List<ImageFeatureEvent> features() {
      List<ImageFeatureEvent> out = new ArrayList<>();
      for (TestRecord<String, byte[]> r : features.readRecordsToList()) {
        ImageFeatureEvent e = FEATURES.decode(r.value());
        assertEquals(e.getItemId(), r.key());
        out.add(e);
      }
      return out;
    }

    long pendingInStore() {
      KeyValueStore<Bytes, byte[]> store = driver.getKeyValueStore(ImageFeatureProcessor.STORE);
      return store.approximateNumEntries();
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  @Test
  void shouldExtractTheReferenceFeaturesInInputOrderAroundBadImages() {
    Map<String, float[]> refs = TestModel.references();
    List<String> names = new ArrayList<>(refs.keySet());
    byte[] jpeg = TestModel.image("photo-120x96.jpg");
    byte[] png = TestModel.image("rgb-40x32.png");
    try (Harness h = new Harness(TestModel.settings().withAccepted(new ImageSettings.Accepted(20_000, 120 * 100)))) {
      h.send("bad-1", "i-bad1", "<html>not an image</html>".getBytes(StandardCharsets.UTF_8), "image/jpeg");
      h.send("ok-0", "i-0", TestModel.image(names.get(0)), TestModel.contentType(names.get(0)));
      h.send("bad-2", "i-bad2", Arrays.copyOf(jpeg, jpeg.length / 2), "image/jpeg");
      h.send("ok-1", "i-1", TestModel.image(names.get(1)), TestModel.contentType(names.get(1)));
      h.send("bad-3", "i-bad3", Arrays.copyOf(png, png.length - 40), "image/png");
      h.send("bad-4", "i-bad4", new byte[0], "image/png");
      h.send("bad-5", "i-bad5", new byte[20_001], "image/png");
      h.send("bad-6", "i-bad6", ImageDecoderTest.png(101, 120), "image/png");
      h.send("bad-7", " ", png, "image/png");
      h.images.pipeInput("x", new byte[] {1, 2, 3});
      h.send("ok-2", "i-2", TestModel.image(names.get(2)), TestModel.contentType(names.get(2)));
      assertEquals(List.of(), h.features(), "a batch of 4 runs only when full");
      assertEquals(3, h.pendingInStore(), "pending images are in the store");
      h.send("ok-3", "i-3", TestModel.image(names.get(3)), TestModel.contentType(names.get(3)));

      List<ImageFeatureEvent> out = h.features();
      assertEquals(4, out.size());
      assertEquals(0, h.pendingInStore(), "a flushed batch leaves the store");
      for (int i = 0; i < 4; i++) {
        ImageFeatureEvent e = out.get(i);
        assertEquals("i-" + i, e.getItemId());
        assertEquals("ok-" + i + "/features", e.getEventId());
        assertEquals("tiny-cnn", e.getModelId());
        assertEquals("1", e.getModelVersion());
        assertEquals(TestModel.DIM, e.getDimension());
        float[] f = new float[e.getFeatures().size()];
        for (int j = 0; j < f.length; j++) {
          f[j] = e.getFeatures().get(j);
        }
        double diff = TestModel.maxAbsDiff(refs.get(names.get(i)), f);
        assertTrue(diff <= OnnxFeatureExtractorTest.JPEG_TOLERANCE, names.get(i) + " differs by " + diff);
      }

      List<TestRecord<byte[], byte[]>> letters = h.deadLetters.readRecordsToList();
      List<String> reasons = new ArrayList<>();
      for (TestRecord<byte[], byte[]> r : letters) {
        reasons.add(header(r, DeadLetterHeaders.ERROR));
        assertEquals(h.settings.images().name(), header(r, DeadLetterHeaders.SOURCE_TOPIC));
        assertTrue(!header(r, DeadLetterHeaders.REASON).isBlank());
      }
      assertEquals(List.of("BAD_IMAGE", "BAD_IMAGE", "BAD_IMAGE", "BAD_IMAGE", "IMAGE_TOO_LARGE", "IMAGE_TOO_LARGE",
          "MISSING_ID", "UNDECODABLE"), reasons);
      assertEquals("0", header(letters.get(0), DeadLetterHeaders.SOURCE_OFFSET));
      assertEquals("9", header(letters.get(7), DeadLetterHeaders.SOURCE_OFFSET));
      assertEquals(2, counter.count(RejectReason.IMAGE_TOO_LARGE));
      assertEquals(8, counter.total());
    }
  }

  @Test
  void shouldFlushAPartialBatchOnceItsOldestImageHasWaitedMaxWait() {
    ImageSettings waiting = TestModel.settings().withBatching(new ImageSettings.Batching(4, Duration.ofMillis(200)));
    try (Harness h = new Harness(waiting)) {
      h.send("a", "i-a", TestModel.image("rgb-40x32.png"), "image/png");
      h.driver.advanceWallClockTime(Duration.ofMillis(100));
      h.send("b", "i-b", TestModel.image("gray-30x48.png"), "image/png");
      h.driver.advanceWallClockTime(Duration.ofMillis(60));
      assertEquals(List.of(), h.features(), "160 ms: still waiting");
      h.driver.advanceWallClockTime(Duration.ofMillis(60));
      List<ImageFeatureEvent> out = h.features();
      assertEquals(List.of("i-a", "i-b"), out.stream().map(ImageFeatureEvent::getItemId).toList());
      assertEquals(0, h.pendingInStore());
    }
  }

  @Test
  void shouldWaitForAFullBatchWhenMaxWaitIsZero() {
    try (Harness h = new Harness(TestModel.settings())) {
      h.send("a", "i-a", TestModel.image("rgb-40x32.png"), "image/png");
      h.driver.advanceWallClockTime(Duration.ofMinutes(10));
      assertEquals(List.of(), h.features());
      assertEquals(1, h.pendingInStore());
    }
  }

  @Test
  void shouldHaveAHalfCollectedBatchInTheChangelogWhenItsOffsetsAreCommitted() {
    // The driver commits after every record: the cached store must flush each pending image to its changelog
    // then (that write is what lets a restarted task finish the batch), and only tombstones once it has run.
    try (Harness h = new Harness(TestModel.settings())) {
      TestOutputTopic<Bytes, byte[]> changelog = h.driver.createOutputTopic("image-test-"
          + ImageFeatureProcessor.STORE + "-changelog", new BytesDeserializer(),
          new ByteArrayDeserializer());
      byte[] png = TestModel.image("rgb-40x32.png");
      h.send("a", "i-a", png, "image/png");
      h.send("b", "i-b", png, "image/png");
      List<TestRecord<Bytes, byte[]>> pending = changelog.readRecordsToList();
      assertEquals(2, pending.size());
      for (TestRecord<Bytes, byte[]> r : pending) {
        assertTrue(r.value() != null && r.value().length > png.length, "the image itself, not a tombstone");
      }
      h.send("c", "i-c", png, "image/png");
      h.send("d", "i-d", png, "image/png"); // fills the batch of 4: it runs in this record's process()
      assertEquals(4, h.features().size());
      List<TestRecord<Bytes, byte[]>> after = changelog.readRecordsToList();
      // c: its image (committed after c's record); then a, b, c: tombstones. d completed the batch, which ran in
      // d's own process call: d never went to the store, so neither its bytes nor a tombstone reach the changelog.
      assertEquals(4, after.size());
      assertTrue(after.get(0).value() != null, "c's image");
      assertEquals(2L, ByteBuffer.wrap(after.get(0).key().get()).getLong(), "c is the third image");
      List<Long> tombstones = new ArrayList<>();
      for (TestRecord<Bytes, byte[]> r : after.subList(1, 4)) {
        assertEquals(null, r.value(), "a tombstone");
        tombstones.add(ByteBuffer.wrap(r.key().get()).getLong());
      }
      assertEquals(List.of(0L, 1L, 2L), tombstones);
      assertEquals(0, h.pendingInStore());
    }
  }

  @Test
  void shouldLeaveTheStoreOutOfTheChangelogAtBatchSizeOne() {
    // Each image completes its own batch within its process call: nothing is pending at any commit, so nothing,
    // not even a tombstone, goes to the changelog (no changelog partition in the transactions).
    try (Harness h = new Harness(TestModel.withBatchSize(1))) {
      TestOutputTopic<Bytes, byte[]> changelog = h.driver.createOutputTopic("image-test-"
          + ImageFeatureProcessor.STORE + "-changelog", new BytesDeserializer(),
          new ByteArrayDeserializer());
      byte[] png = TestModel.image("rgb-40x32.png");
      for (String id : List.of("a", "b", "c")) {
        h.send(id, "i-" + id, png, "image/png");
      }
      assertEquals(List.of("i-a", "i-b", "i-c"), h.features().stream().map(ImageFeatureEvent::getItemId).toList());
      assertEquals(List.of(), changelog.readRecordsToList());
      assertEquals(0, h.pendingInStore());
    }
  }

  private static String header(TestRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
