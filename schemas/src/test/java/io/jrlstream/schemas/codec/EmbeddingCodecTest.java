package io.jrlstream.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.EntityKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EmbeddingCodecTest {

  private final AvroCodec<EmbeddingRecord> avro = AvroCodec.of(EmbeddingRecord.class);
  private final EmbeddingCodec fast = EmbeddingCodec.create();

  @Test
  void shouldWriteExactlyTheBytesOfTheGenericCodec() {
    Random r = new Random(7);
    String[] ids = {"", "A1B2C3", "ünïcødé-ユーザー", "x".repeat(300)};
    int[] dims = {0, 1, 8, 63, 64, 300};
    long[] longs = {0, 1, -1, 63, 64, -65, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE};
    for (int trial = 0; trial < 200; trial++) {
      float[] v = new float[dims[trial % dims.length]];
      for (int i = 0; i < v.length; i++) {
        v[i] = trial % 7 == 0 && i == 0 ? -0.0f : (float) r.nextGaussian() * (i % 5 == 0 ? 1e30f : 1f);
      }
      String view = trial % 3 == 0 ? "review" : "image@2";
      EntityKind kind = trial % 2 == 0 ? EntityKind.USER : EntityKind.ITEM;
      String id = ids[trial % ids.length];
      long count = longs[trial % longs.length];
      long time = longs[(trial / 3) % longs.length] / 1000; // within Instant's range
      List<Float> boxed = new ArrayList<>();
      for (float f : v) {
        boxed.add(f);
      }
      EmbeddingRecord rec = EmbeddingRecord.newBuilder().setViewName(view).setKind(kind).setEntityId(id)
          .setVector(boxed).setUpdateCount(count).setEventTime(Instant.ofEpochMilli(time)).build();
      byte[] expected = avro.encode(rec);
      byte[] actual = fast.encode(view, kind, id, v, count, time);
      assertArrayEquals(expected, actual, "trial " + trial + ": " + rec);
      assertEquals(rec, avro.decode(actual));
    }
  }
}
