package io.jrlstream.schemas.codec;

import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.EntityKind;
import io.jrlstream.schemas.ImageEvent;
import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/** One valid record of each type, with values that exercise every field. */
final class Samples {

  static final Instant TIME = Instant.ofEpochMilli(1_388_534_400_123L);

  private Samples() {
  }

  static ReviewEvent review() {
    return ReviewEvent.newBuilder()
        .setEventId("ev-1").setEventTime(TIME).setUserId("A2SUAM1J3GNN3B").setItemId("0000013714")
        .setStars(5).setSummary("Heavenly Highway Hymns")
        .setReviewText("I bought this for my husband who plays the piano. \u00e9\u00e8 \u2603")
        .setHelpfulVotes(3)
        .build();
  }

  static RatingEvent rating() {
    return RatingEvent.newBuilder()
        .setEventId("ev-2").setEventTime(TIME).setUserId("u1").setItemId("i1").setStars(4.0f).build();
  }

  static ImageEvent image() {
    return ImageEvent.newBuilder()
        .setEventId("ev-3").setEventTime(TIME).setItemId("i1")
        .setImageBytes(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, 0, 1, 2, (byte) 0xFF, (byte) 0xD9}))
        .setContentType("image/jpeg").build();
  }

  static ImageFeatureEvent imageFeatures() {
    return ImageFeatureEvent.newBuilder()
        .setEventId("ev-4").setEventTime(TIME).setItemId("i1").setModelId("resnet50")
        .setModelVersion("1.0").setDimension(4).setFeatures(List.of(0.5f, -1.25f, 0f, Float.MIN_VALUE))
        .build();
  }

  static EmbeddingRecord embedding() {
    return EmbeddingRecord.newBuilder()
        .setViewName("review").setKind(EntityKind.ITEM).setEntityId("i1")
        .setVector(List.of(1f, 2f, 3f)).setUpdateCount(42L).setEventTime(TIME).build();
  }

  static TrainingEvent training() {
    return TrainingEvent.newBuilder()
        .setEventId("ev-5").setEventTime(TIME).setKind(TrainingEventKind.FEATURES).setUserId(null)
        .setItemId("i1").setStars(null).setText(null).setFeatures(List.of(0.5f, -1.25f))
        .setModelId("resnet50").setModelVersion("1.0")
        .setSourceTopic("jrl.image-features").setSourcePartition(3).setSourceOffset(1L << 40).build();
  }

  static List<SpecificRecord> all() {
    return List.of(review(), rating(), image(), imageFeatures(), embedding(), training());
  }
}
