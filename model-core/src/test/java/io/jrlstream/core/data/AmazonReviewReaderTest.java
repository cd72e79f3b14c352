package io.jrlstream.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AmazonReviewReaderTest {
  static Path fixture(String name) {
    try {
      return Path.of(AmazonReviewReaderTest.class.getResource("/data/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void shouldKeepEveryGoodLineAndReportEveryMalformedOne() {
    Dataset ds = AmazonReviewReader.read(fixture("reviews_small.json"));
    ReadReport r = ds.report();

    assertEquals("reviews_small.json", r.source());
    assertEquals(12, r.lines());
    assertEquals(4, r.records());
    assertEquals(7, r.malformed());
    List<Long> lines = r.problems().stream().map(ReadReport.Problem::line).toList();
    assertEquals(List.of(3L, 4L, 5L, 8L, 9L, 11L, 12L), lines);
    assertTrue(r.problems().get(0).reason().startsWith("invalid JSON"), r.problems().get(0).reason());
    assertEquals("missing or empty asin", r.problems().get(1).reason());
    assertEquals("overall 7.0 outside 1-5", r.problems().get(2).reason());
    assertEquals("overall is not a number", r.problems().get(3).reason());
    assertEquals("missing or empty reviewerID", r.problems().get(4).reason());
    assertEquals("not a JSON object", r.problems().get(5).reason());
    assertEquals("missing overall", r.problems().get(6).reason());
    assertTrue(r.summary().contains("7 malformed"), r.summary());

    assertEquals(3, ds.userCount());
    assertEquals(3, ds.itemCount());
    assertEquals(3, ds.reviewCount());
  }

  @Test
  void shouldReadFieldsOfGoodLines() {
    Dataset ds = AmazonReviewReader.read(fixture("reviews_small.json"));
    List<Interaction> xs = ds.interactions();
    assertEquals(4, xs.size());

    Interaction first = xs.get(0);
    assertEquals("A1", ds.users().id(first.user()));
    assertEquals("I1", ds.items().id(first.item()));
    assertEquals(5f, first.stars());
    assertEquals(1393545600_000L, first.time());
    assertEquals(List.of("great", "strings", "bright", "tone"), words(ds, first.review()));

    // Empty summary and text: still a rating, without text.
    Interaction noText = xs.get(1);
    assertEquals("A2", ds.users().id(noText.user()));
    assertEquals(3f, noText.stars());
    assertFalse(noText.hasReview());
    assertEquals(1363392000_000L, noText.time());

    // Nested unknown fields skipped; integer stars; no time means 0.
    Interaction nested = xs.get(2);
    assertEquals("A3", ds.users().id(nested.user()));
    assertEquals("I2", ds.items().id(nested.item()));
    assertEquals(4f, nested.stars());
    assertEquals(0L, nested.time());
    assertEquals(List.of("works", "fine"), words(ds, nested.review()));

    // Null summary: the text alone.
    Interaction nullSummary = xs.get(3);
    assertEquals("I3", ds.items().id(nullSummary.item()));
    assertEquals(1f, nullSummary.stars());
    assertEquals(List.of("broke", "after", "a", "week"), words(ds, nullSummary.review()));
  }

  @Test
  void shouldStopAfterMaxLines() {
    Dataset ds = AmazonReviewReader.read(fixture("reviews_small.json"), 5);
    assertEquals(5, ds.report().lines());
    assertEquals(2, ds.report().records());
    assertEquals(3, ds.report().malformed());
    assertThrows(IllegalArgumentException.class, () -> AmazonReviewReader.read(fixture("reviews_small.json"), 0));
  }

  @Test
  void shouldTreatTextWithoutWordsAsNoReviewAndReportWrongTypes() {
    String in = String.join("\n",
        "{\"reviewerID\":\"a\",\"asin\":\"b\",\"overall\":2,\"summary\":\"!!!\",\"reviewText\":\"42 :-)\"}",
        "{\"reviewerID\":\"a\",\"asin\":\"b\",\"overall\":2,\"reviewText\":5}",
        "{\"reviewerID\":7,\"asin\":\"b\",\"overall\":2}",
        "{\"reviewerID\":\"a\",\"asin\":\"b\",\"overall\":2,\"unixReviewTime\":1.5}",
        "{\"reviewerID\":\"a\",\"asin\":\"b\",\"overall\":0.5}",
        "{\"reviewerID\":\"a\",\"asin\":\"b\",\"overall\":2} trailing",
        "\uFEFF{\"reviewerID\":\"a\",\"asin\":\"b\",\"overall\":2}");
    Dataset ds = AmazonReviewReader.read(new StringReader("\uFEFF" + in), "inline", Long.MAX_VALUE);
    ReadReport r = ds.report();
    assertEquals(1, ds.interactions().size(), r.problems().toString());
    assertFalse(ds.interactions().get(0).hasReview());
    assertEquals(List.of("reviewText is not a string", "reviewerID is not a string",
            "unixReviewTime is not an integer", "overall 0.5 outside 1-5"),
        r.problems().subList(0, 4).stream().map(ReadReport.Problem::reason).toList());
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L), r.problems().stream().map(ReadReport.Problem::line).toList());
    // Trailing content; a byte order mark anywhere but at the start of the file.
    assertTrue(r.problems().get(4).reason().startsWith("invalid JSON"), r.problems().get(4).reason());
    assertTrue(r.problems().get(5).reason().startsWith("invalid JSON"), r.problems().get(5).reason());
  }

  @Test
  void shouldCapKeptProblemsButCountAll() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ReadReport.MAX_KEPT + 50; i++) {
      sb.append("not json\n");
    }
    sb.append("{\"reviewerID\":\"a\",\"asin\":\"b\",\"overall\":5}\n");
    Dataset ds = AmazonReviewReader.read(new StringReader(sb.toString()), "many", Long.MAX_VALUE);
    assertEquals(ReadReport.MAX_KEPT + 50, ds.report().malformed());
    assertEquals(ReadReport.MAX_KEPT, ds.report().problems().size());
    assertEquals(1, ds.report().records());
  }

  @Test
  void shouldTokeniseLikeTheLexicon() {
    assertArrayEquals(new int[0], new Lexicon().tokenize("12 !!"));
    assertFalse(AmazonReviewReader.hasWord("12 !!"));
    assertTrue(AmazonReviewReader.hasWord("12 A"));
  }

  static List<String> words(Dataset ds, int review) {
    int[] tokens = ds.reviewTokens(review);
    return Arrays.stream(tokens).mapToObj(t -> ds.lexicon().word(t)).toList();
  }
}
