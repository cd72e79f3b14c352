package io.jrlstream.streams.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.schemas.codec.SchemaException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageFeatureSerializerTest {
  private final ImageFeatureSerializer serializer = new ImageFeatureSerializer();
  private final AvroCodec<ImageFeatureEvent> generic = AvroCodec.of(ImageFeatureEvent.class);

  @Test
  void shouldWriteTheGenericBytesForTheProcessorsEventsAndAnyOther() {
    SplittableRandom r = new SplittableRandom(3);
    for (int dim : new int[] {1, 16, 4096}) {
      float[] f = new float[dim];
      List<Float> boxed = new ArrayList<>();
      for (int i = 0; i < dim; i++) {
        f[i] = (float) (r.nextDouble() * 20 - 10);
        boxed.add(f[i]);
      }
      ImageFeatureEvent fast = new ImageFeatureEvent("ev-" + dim + "/features",
          Instant.ofEpochMilli(1_700_000_000_123L),
          "item-é", "alexnet-fc7", "1", dim, new FeatureList(f));
      ImageFeatureEvent other = new ImageFeatureEvent(fast.getEventId(), fast.getEventTime(), fast.getItemId(),
          fast.getModelId(), fast.getModelVersion(), dim, boxed);
      byte[] expected = generic.encode(other);
      assertArrayEquals(expected, serializer.serialize("t", fast), "FeatureList, " + dim);
      assertArrayEquals(expected, serializer.serialize("t", other), "boxed list, " + dim);
    }
    assertNull(serializer.serialize("t", null));
  }

  @Test
  void shouldReportAMissingFieldAsTheGenericWriterDoes() {
    ImageFeatureEvent e = new ImageFeatureEvent("ev", Instant.EPOCH, null, "m", "1", 1, new FeatureList(new float[1]));
    assertThrows(SchemaException.class, () -> serializer.serialize("t", e));
  }
}
