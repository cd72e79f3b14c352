package io.jrlstream.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jrlstream.schemas.ImageFeatureEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImageFeatureCodecTest {
  private final AvroCodec<ImageFeatureEvent> avro = AvroCodec.of(ImageFeatureEvent.class);
  private final ImageFeatureCodec fast = ImageFeatureCodec.create();

  @Test
  void shouldWriteExactlyTheBytesOfTheGenericCodec() {
    Random r = new Random(11);
    String[] ids = {"", "ev-1/features", "ünïcødé-アイテム", "x".repeat(300)};
    int[] dims = {0, 1, 8, 63, 64, 4096};
    long[] longs = {0, 1, -1, 63, 64, -65, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
    int[] declared = {0, 1, -1, 63, 64, -65, Integer.MAX_VALUE, Integer.MIN_VALUE};
    for (int trial = 0; trial < 200; trial++) {
      int n = dims[trial % dims.length];
      int from = trial % 4; // features taken from the middle of a larger array
      float[] all = new float[from + n + 3];
      for (int i = 0; i < all.length; i++) {
        all[i] = trial % 7 == 0 && i == from ? -0.0f : (float) r.nextGaussian() * (i % 5 == 0 ? 1e30f : 1f);
      }
      if (trial % 11 == 0 && n > 1) {
        all[from + 1] = Float.intBitsToFloat(0x7fc00001); // a NaN with a payload: raw bits, as Avro writes them
      }
      String eventId = ids[trial % ids.length];
      String itemId = ids[(trial / 2) % ids.length];
      String modelId = trial % 3 == 0 ? "alexnet-fc7" : "";
      String version = trial % 2 == 0 ? "1" : "2026-11-26 ü";
      long time = longs[trial % longs.length] / 1000; // within Instant's range
      int dimension = trial % 3 == 0 ? declared[trial % declared.length] : n;
      List<Float> boxed = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        boxed.add(all[from + i]);
      }
      ImageFeatureEvent e = new ImageFeatureEvent(eventId, Instant.ofEpochMilli(time), itemId, modelId, version,
          dimension, boxed);
      byte[] expected = avro.encode(e);
      byte[] actual = fast.encode(eventId, time, itemId, modelId, version, dimension, all, from, n);
      assertArrayEquals(expected, actual, "trial " + trial + ": " + e);
      ImageFeatureEvent back = avro.decode(actual);
      assertEquals(e.getEventId(), back.getEventId());
      assertEquals(e.getDimension(), back.getDimension());
      for (int i = 0; i < n; i++) {
        assertEquals(Float.floatToRawIntBits(all[from + i]), Float.floatToRawIntBits(back.getFeatures().get(i)),
            "trial " + trial + " feature " + i);
      }
    }
  }

  @Test
  void shouldRefuseARangeOutsideTheArray() {
    assertThrows(IndexOutOfBoundsException.class, () -> fast.encode("e", 0, "i", "m", "1", 4, new float[5], 2, 4));
  }
}
