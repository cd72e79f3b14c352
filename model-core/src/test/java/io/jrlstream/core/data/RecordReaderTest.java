package io.jrlstream.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordReaderTest {
  @TempDir Path dir;

  /** Every non-blank line, as (position, kind or problem), in file order. */
  private static List<String> all(RecordReader r) {
    List<String> out = new ArrayList<>();
    while (r.next()) {
      out.add(r.position() + " " + (r.problem() != null ? "! " + r.problem() : r.record().kind()));
    }
    return out;
  }

  @Test
  void shouldStreamTheRecordsTheDatasetReaderKeepsWithTheirLinesAndTextAsWritten() throws Exception {
    Path json = AmazonReviewReaderTest.fixture("reviews_small.json");
    Dataset d = DatasetReader.read(json);
    try (RecordReader r = RecordReader.open(json, RecordReader.Options.defaults())) {
      List<String> seen = all(r);
      assertEquals(d.report().records(), seen.stream().filter(s -> !s.contains("!")).count());
      assertEquals(d.report().malformed(), seen.stream().filter(s -> s.contains("!")).count());
      for (ReadReport.Problem p : d.report().problems()) {
        assertTrue(seen.contains(p.line() + " ! " + p.reason()), p + " in " + seen);
      }
      assertEquals(d.report().lines(), r.report().lines());
      assertEquals(r.size(), r.bytesRead());
    }
    try (RecordReader r = RecordReader.open(json, RecordReader.Options.defaults())) {
      assertTrue(r.next());
      SourceRecord first = r.record();
      assertEquals(SourceRecord.Kind.REVIEW, first.kind());
      assertEquals("Great strings", first.summary());
      assertEquals("Bright tone.", first.body());
      assertEquals("Great strings Bright tone.", first.text());
      assertTrue(r.next());
      assertEquals(SourceRecord.Kind.RATING, r.record().kind()); // empty summary and text: a rating
      assertEquals(1363392000000L, r.record().time());
    }
  }

  @Test
  void shouldResumeAfterALineAndReadPairs() throws Exception {
    Path tsv = Files.writeString(dir.resolve("pairs.tsv"), "u1\ti1\n\nu2\ti2\tx\nu3\ti3\n");
    try (RecordReader r = RecordReader.open(tsv, RecordReader.Options.defaults())) {
      assertEquals(DatasetReader.Format.PAIRS_TSV, r.format());
      assertEquals(List.of("1 PAIR", "3 ! expected 2 tab-separated columns, found 3", "4 PAIR"), all(r));
    }
    try (RecordReader r = RecordReader.open(tsv, RecordReader.Options.defaults())) {
      assertEquals(3, r.skipTo(3));
      assertTrue(r.next());
      assertEquals(4, r.position());
      assertEquals("u3", r.record().user());
      assertNull(r.problem());
      assertFalse(r.next());
      assertEquals(100, r.skipTo(100) + 96);
    }
  }
}
