package io.jrlstream.ops.pipeline;

import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Turns input events into the records producers send: the Avro event (single-object encoding through the one
 * {@link AvroCodec} per type) on its input topic, keyed by user id (item id for image features), as ingestion
 * expects them. Shared by {@link DatasetProducer} and {@code jrl import} so that both write the same events.
 *
 * <p>Record timestamps are left to the producer (send time): event times travel in the events. Historical
 * event times as record timestamps would let the broker's time-based retention delete imported history at once.
 *
 * <p>Immutable and thread-safe.
 */
public final class EventEncoder {
  private final StreamsSettings settings;
  private final AvroCodec<ReviewEvent> reviews = AvroCodec.of(ReviewEvent.class);
  private final AvroCodec<RatingEvent> ratings = AvroCodec.of(RatingEvent.class);
  private final AvroCodec<ImageFeatureEvent> features = AvroCodec.of(ImageFeatureEvent.class);

  public EventEncoder(StreamsSettings settings) {
    this.settings = settings;
  }

  /** A review event (summary and text as written, null read as empty) on the reviews topic. */
  public ProducerRecord<String, byte[]> review(String id, long timeMillis, Long timestamp, String user, String item,
      Integer stars, String summary, String text) {
    ReviewEvent e = ReviewEvent.newBuilder().setEventId(id).setEventTime(Instant.ofEpochMilli(timeMillis))
        .setUserId(user).setItemId(item).setStars(stars).setSummary(summary == null ? "" : summary)
        .setReviewText(text == null ? "" : text).build();
    return new ProducerRecord<>(settings.reviews().name(), null, timestamp, user, reviews.encode(e));
  }

  /** A rating event on the ratings topic; stars null for an interaction without a rating. */
  public ProducerRecord<String, byte[]> rating(String id, long timeMillis, Long timestamp, String user, String item,
      Float stars) {
    RatingEvent e = RatingEvent.newBuilder().setEventId(id).setEventTime(Instant.ofEpochMilli(timeMillis))
        .setUserId(user).setItemId(item).setStars(stars).build();
    return new ProducerRecord<>(settings.ratings().name(), null, timestamp, user, ratings.encode(e));
  }

  /** An item's image feature event on the image-features topic. */
  public ProducerRecord<String, byte[]> features(String id, long timeMillis, String item, String modelId,
      String modelVersion, float[] vector) {
    List<Float> v = new ArrayList<>(vector.length);
    for (float x : vector) {
      v.add(x);
    }
    ImageFeatureEvent e = ImageFeatureEvent.newBuilder().setEventId(id).setEventTime(Instant.ofEpochMilli(timeMillis))
        .setItemId(item).setModelId(modelId).setModelVersion(modelVersion).setDimension(vector.length)
        .setFeatures(v).build();
    return new ProducerRecord<>(settings.imageFeatures().name(), null, null, item, features.encode(e));
  }
}
