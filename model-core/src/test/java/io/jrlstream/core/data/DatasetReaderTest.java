package io.jrlstream.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetReaderTest {
  @TempDir Path dir;

  private static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(plain);
    }
    return bytes.toByteArray();
  }

  @Test
  void shouldDetectGzipByMagicBytesNotByName() throws IOException {
    byte[] plain = Files.readAllBytes(AmazonReviewReaderTest.fixture("reviews_small.json"));
    Path gzipNamedJson = Files.write(dir.resolve("reviews.json"), gzip(plain));
    Path plainNamedGz = Files.write(dir.resolve("reviews.json.gz"), plain);

    Dataset fromGzip = AmazonReviewReader.read(gzipNamedJson);
    Dataset fromPlain = AmazonReviewReader.read(plainNamedGz);
    assertEquals(4, fromGzip.interactions().size());
    assertEquals(fromPlain.interactions(), fromGzip.interactions());
    assertEquals(fromPlain.report().problems(), fromGzip.report().problems());

    byte[] pairs = Files.readAllBytes(AmazonReviewReaderTest.fixture("pairs_small.tsv"));
    Path gzipPairs = Files.write(dir.resolve("pairs.tsv"), gzip(pairs));
    assertEquals(4, PairsTsvReader.read(gzipPairs).interactions().size());
  }

  @Test
  void shouldPickTheReaderByContent() throws IOException {
    byte[] json = Files.readAllBytes(AmazonReviewReaderTest.fixture("reviews_small.json"));
    byte[] pairs = Files.readAllBytes(AmazonReviewReaderTest.fixture("pairs_small.tsv"));
    // Misleading names and leading blank lines: only the content counts.
    byte[] jsonWithBlankLines = concat("\n  \n".getBytes(), json);
    Path jsonFile = Files.write(dir.resolve("looks_like_pairs.tsv.gz"), gzip(jsonWithBlankLines));
    Path pairsFile = Files.write(dir.resolve("looks_like_reviews.json"), pairs);

    assertEquals(DatasetReader.Format.AMAZON_JSON, DatasetReader.detect(jsonFile));
    assertEquals(DatasetReader.Format.PAIRS_TSV, DatasetReader.detect(pairsFile));
    Dataset fromJson = DatasetReader.read(jsonFile);
    assertEquals(4, fromJson.interactions().size());
    assertEquals(3, fromJson.reviewCount());
    assertEquals(14, fromJson.report().lines());
    Dataset fromPairs = DatasetReader.read(pairsFile);
    assertEquals(4, fromPairs.interactions().size());
    assertEquals(0, fromPairs.reviewCount());
    assertEquals(3, DatasetReader.read(pairsFile, 3).report().lines());
  }

  @Test
  void shouldRejectMissingOrEmptyFilesNamingThem() throws IOException {
    Path missing = dir.resolve("nope.json.gz");
    IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class, () -> DatasetReader.read(missing));
    assertTrue(e1.getMessage().contains(missing.toString()), e1.getMessage());
    assertTrue(e1.getMessage().contains("does not exist"), e1.getMessage());

    Path empty = Files.write(dir.resolve("empty.tsv"), new byte[0]);
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> DatasetReader.read(empty));
    assertTrue(e2.getMessage().contains(empty.toString()) && e2.getMessage().contains("empty"), e2.getMessage());

    Path blank = Files.write(dir.resolve("blank.json.gz"), gzip(" \n\n \n".getBytes()));
    IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class, () -> DatasetReader.read(blank));
    assertTrue(e3.getMessage().contains(blank.toString()), e3.getMessage());

    IllegalArgumentException e4 = assertThrows(IllegalArgumentException.class, () -> DatasetReader.read(dir));
    assertTrue(e4.getMessage().contains("directory"), e4.getMessage());
  }

  @Test
  void shouldNameTheFileWhenGzipIsTruncated() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      sb.append("user").append(i).append('\t').append("item").append(i * 7919 % 10_007).append('\n');
    }
    byte[] full = gzip(sb.toString().getBytes());
    Path truncated = Files.write(dir.resolve("truncated.tsv.gz"), Arrays.copyOf(full, full.length / 2));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> PairsTsvReader.read(truncated));
    assertTrue(e.getMessage().contains("truncated.tsv.gz"), e.getMessage());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
