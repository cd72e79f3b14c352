package io.jrlstream.streams.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/**
 * Ingestion writes a flush marker (a null value) into the validated topic once the oldest event written since the
 * last marker has waited the configured time, and none on an idle stream.
 */
class FlushMarkersTest {
  private static final AvroCodec<ReviewEvent> REVIEWS = AvroCodec.of(ReviewEvent.class);

  private static byte[] review(int i) {
    return REVIEWS.encode(ReviewEvent.newBuilder().setEventId("e" + i).setEventTime(Instant.ofEpochMilli(1000 + i))
        .setUserId("u" + i).setItemId("i" + i).setStars(4).setSummary("fine").setReviewText("works well").build());
  }

  @Test
  void shouldMarkTheValidatedTopicOnceTheOldestUnmarkedEventHasWaited() {
    StreamsSettings settings = StreamsSettings.defaults("localhost:9092");
    try (TopologyTestDriver driver = new TopologyTestDriver(
        IngestionTopology.build(settings, new DeadLetterCounter(), 1000), settings.kafkaProperties())) {
      TestInputTopic<byte[], byte[]> in = driver.createInputTopic(settings.reviews().name(), new ByteArraySerializer(),
          new ByteArraySerializer());
      TestOutputTopic<String, TrainingEvent> out = driver.createOutputTopic(settings.validatedTopic(),
          new StringDeserializer(), AvroSerde.of(TrainingEvent.class).deserializer());
      driver.advanceWallClockTime(Duration.ofSeconds(5));
      assertEquals(0, out.getQueueSize(), "no marker on an idle stream");
      in.pipeInput(review(0));
      driver.advanceWallClockTime(Duration.ofMillis(400));
      in.pipeInput(review(1));
      driver.advanceWallClockTime(Duration.ofMillis(400));
      List<TrainingEvent> seen = new ArrayList<>();
      out.readValuesToList().forEach(seen::add);
      assertEquals(2, seen.size(), "two events, no marker before the wait");
      driver.advanceWallClockTime(Duration.ofMillis(300)); // the first event has waited 1.1 s
      List<TrainingEvent> next = out.readValuesToList();
      assertEquals(1, next.size());
      assertNull(next.get(0), "a marker: a null value");
      driver.advanceWallClockTime(Duration.ofSeconds(5));
      assertEquals(0, out.getQueueSize(), "one marker per wait, and none without new events");
      in.pipeInput(review(2));
      driver.advanceWallClockTime(Duration.ofMillis(1300));
      List<TrainingEvent> last = out.readValuesToList();
      assertEquals(2, last.size());
      assertNotNull(last.get(0));
      assertNull(last.get(1));
    }
  }

  @Test
  void shouldRefuseANonPositiveWait() {
    assertThrows(IllegalArgumentException.class, () -> new FlushMarkers(0));
  }
}
