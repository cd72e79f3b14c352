package io.jrlstream.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PairsTsvReaderTest {
  @Test
  void shouldKeepEveryGoodPairAndReportMalformedLines() {
    Dataset ds = PairsTsvReader.read(AmazonReviewReaderTest.fixture("pairs_small.tsv"));
    ReadReport r = ds.report();
    assertEquals(9, r.lines());
    assertEquals(4, r.records());
    assertEquals(4, r.malformed());
    assertEquals(List.of(
            new ReadReport.Problem(3, "expected 2 tab-separated columns, found 3"),
            new ReadReport.Problem(4, "expected 2 tab-separated columns, found 1"),
            new ReadReport.Problem(7, "empty reviewerID"),
            new ReadReport.Problem(8, "empty asin")),
        r.problems());

    List<String> pairs = ds.interactions().stream()
        .map(x -> ds.users().id(x.user()) + "/" + ds.items().id(x.item())).toList();
    assertEquals(List.of("U1/I1", "U1/I2", "U2/I3", "U3/I2"), pairs);
    for (Interaction x : ds.interactions()) {
      assertFalse(x.hasStars());
      assertFalse(x.hasReview());
      assertEquals(0L, x.time());
    }
    assertEquals(3, ds.userCount());
    assertEquals(3, ds.itemCount());
    assertFalse(ds.hasReviews());
    assertTrue(r.summary().startsWith("pairs_small.tsv: 9 lines, 4 records, 4 malformed"), r.summary());
  }

  @Test
  void shouldStopAfterMaxLines() {
    Dataset ds = PairsTsvReader.read(AmazonReviewReaderTest.fixture("pairs_small.tsv"), 2);
    assertEquals(2, ds.report().lines());
    assertEquals(2, ds.interactions().size());
  }
}
