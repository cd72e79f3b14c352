package io.jrlstream.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFeatureReaderTest {
  @TempDir Path dir;

  /** Writes records as McAuley's files hold them: a 10-byte id, then dim float32 in {@code order}. */
  static byte[] features(ByteOrder order, List<String> ids, List<float[]> vectors) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int r = 0; r < ids.size(); r++) {
      byte[] id = ids.get(r).getBytes(StandardCharsets.ISO_8859_1);
      ByteBuffer b = ByteBuffer.allocate(ImageFeatureReader.ID_BYTES + 4 * vectors.get(r).length).order(order);
      b.put(id, 0, Math.min(id.length, ImageFeatureReader.ID_BYTES));
      b.position(ImageFeatureReader.ID_BYTES);
      for (float x : vectors.get(r)) {
        b.putFloat(x);
      }
      out.writeBytes(b.array());
    }
    return out.toByteArray();
  }

  static List<float[]> randomVectors(int n, int dim, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = new float[dim];
      for (int j = 0; j < dim; j++) {
        v[j] = rnd.nextInt(3) == 0 ? 0f : (float) rnd.nextDouble(0, 20); // fc7 after ReLU: many exact zeros
      }
      out.add(v);
    }
    return out;
  }

  @Test
  void shouldReadLittleEndianRecordsByDefaultAndBigEndianWhenAsked() throws IOException {
    List<String> ids = List.of("B000068NW5", "0006428320", "B00004Y2UT");
    List<float[]> vectors = randomVectors(3, 16, 7L);
    Path le = Files.write(dir.resolve("image_features_Test.b"), features(ByteOrder.LITTLE_ENDIAN, ids, vectors));
    Path be = Files.write(dir.resolve("big.b"), features(ByteOrder.BIG_ENDIAN, ids, vectors));
    for (Path p : List.of(le, be)) {
      ByteOrder order = p == le ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
      try (ImageFeatureReader r = ImageFeatureReader.open(p, 16, order)) {
        for (int i = 0; i < 3; i++) {
          assertTrue(r.next());
          assertNull(r.problem());
          assertEquals(i + 1, r.position());
          assertEquals(ids.get(i), r.item());
          assertArrayEquals(vectors.get(i), r.features(), "record " + (i + 1) + " in " + order);
        }
        assertFalse(r.next());
        assertEquals(new ReadReport(p.getFileName().toString(), 3, 3, 0, List.of()), r.report());
      }
    }
    // Read with the wrong byte order, the values differ: the order matters and is not guessed.
    try (ImageFeatureReader r = ImageFeatureReader.open(le, 16, ByteOrder.BIG_ENDIAN)) {
      assertTrue(r.next());
      assertFalse(r.problem() == null && Arrays.equals(vectors.get(0), r.features()));
    }
  }

  @Test
  void shouldReportATruncatedTrailingRecordInsteadOfDroppingIt() throws IOException {
    List<float[]> vectors = randomVectors(2, 8, 3L);
    byte[] whole = features(ByteOrder.LITTLE_ENDIAN, List.of("I1", "I2"), vectors);
    byte[] cut = Arrays.copyOf(whole, whole.length + 17);
    Path p = Files.write(dir.resolve("cut.b"), cut);
    Dataset d = ImageFeatureReader.read(p, 8, ByteOrder.LITTLE_ENDIAN);
    assertEquals(2, d.itemCount());
    assertArrayEquals(vectors.get(1), d.itemFeatures(d.items().indexOf("I2")));
    ReadReport report = d.report();
    assertEquals(3, report.lines());
    assertEquals(2, report.records());
    assertEquals(1, report.malformed());
    assertEquals(3, report.problems().get(0).line());
    assertEquals("truncated: 17 of 42 bytes (the file ends inside the record)", report.problems().get(0).reason());
  }

  @Test
  void shouldReportBadRecordsAndReadTheRest() throws IOException {
    List<float[]> vectors = randomVectors(4, 4, 5L);
    vectors.get(1)[2] = Float.NaN;
    byte[] bytes = features(ByteOrder.LITTLE_ENDIAN, List.of("GOOD1", "NAN", "BAD\u0001ID", "GOOD4     "), vectors);
    Path p = Files.write(dir.resolve("bad.b"), bytes);
    Dataset d = ImageFeatureReader.read(p, 4, ByteOrder.LITTLE_ENDIAN);
    assertEquals(List.of("GOOD1", "GOOD4"), List.of(d.items().id(0), d.items().id(1)));
    assertArrayEquals(vectors.get(3), d.itemFeatures(1));
    List<ReadReport.Problem> problems = d.report().problems();
    assertEquals(2, problems.size());
    assertEquals(new ReadReport.Problem(2, "item NAN: feature 2 of 4 is NaN"), problems.get(0));
    assertEquals(3, problems.get(1).line());
    assertTrue(problems.get(1).reason().startsWith("item id is not printable ASCII"), problems.get(1).reason());
  }

  @Test
  void shouldBeDetectedByContentPlainOrGzipAndSkipToResume() throws IOException {
    List<String> ids = List.of("A", "B", "C", "D");
    List<float[]> vectors = randomVectors(4, ImageFeatureReader.DEFAULT_DIM, 11L);
    byte[] plain = features(ByteOrder.LITTLE_ENDIAN, ids, vectors);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(gz)) {
      out.write(plain);
    }
    Path gzipped = Files.write(dir.resolve("features.json"), gz.toByteArray());
    assertEquals(DatasetReader.Format.IMAGE_FEATURES, DatasetReader.detect(gzipped));
    Dataset d = DatasetReader.read(gzipped);
    assertEquals(ImageFeatureReader.DEFAULT_DIM, d.featureDim());
    assertArrayEquals(vectors.get(2), d.itemFeatures(d.items().indexOf("C")));

    try (RecordReader r = RecordReader.open(gzipped, RecordReader.Options.defaults())) {
      assertEquals(2, r.skipTo(2));
      assertTrue(r.next());
      assertEquals(3, r.position());
      assertEquals(SourceRecord.Kind.FEATURES, r.record().kind());
      assertEquals("C", r.record().item());
      assertArrayEquals(vectors.get(2), r.record().features());
      assertTrue(r.next());
      assertFalse(r.next());
      assertEquals(r.size(), r.bytesRead());
    }
  }
}
