package io.jrlstream.streams.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A stream's content keeps the texts of its latest reviews only, numbered in order of arrival. */
class StreamContentTest {
  private static TrainingEvent review(int i, String text) {
    return TrainingEvent.newBuilder().setEventId("e" + i).setEventTime(Instant.ofEpochMilli(i))
        .setKind(TrainingEventKind.REVIEW).setUserId("u" + (i % 2)).setItemId("i" + (i % 3)).setStars(5f)
        .setText(text).setSourceTopic("t").setSourcePartition(0).setSourceOffset(i).build();
  }

  @Test
  void shouldKeepTheTextsOfTheLatestReviewsOfItsWindow() {
    StreamContent c = new StreamContent(true, 3);
    for (int i = 0; i < 5; i++) {
      Interaction x = c.apply(review(i, "word" + "abcde".charAt(i) + " shared"));
      assertEquals(i, x.review());
    }
    assertEquals(5, c.reviewCount());
    assertEquals(0, c.permanentReviews(), "a stream's reviews come and go");
    for (int r = 2; r < 5; r++) {
      assertArrayEquals(new int[] {c.lexicon().intern("word" + "abcde".charAt(r)), c.lexicon().intern("shared")},
          c.reviewTokens(r));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.reviewTokens(1));
    assertTrue(e.getMessage().contains("not among the latest 3 of 5 reviews"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> c.reviewTokens(5));
  }

  @Test
  void shouldNotTokeniseForAViewWithoutTexts() {
    StreamContent c = new StreamContent(false, 3);
    assertEquals(-1, c.apply(review(0, "some words")).review());
    assertEquals(0, c.reviewCount());
  }
}
