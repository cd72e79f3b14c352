package io.jrlstream.core.view;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.view.review.ReviewView;
import io.jrlstream.core.view.review.Vocabulary;
import org.junit.jupiter.api.Test;

/** The review view's word table follows its growing, capped vocabulary (DESIGN.md §1 review view). */
class ReviewViewVocabularyTest {
  private static ReviewView view(int cap, int[][] texts) {
    ReviewView.Settings s = new ReviewView.Settings(1.0, 2, 0, 1, cap, 2, ReviewView.WordUpdates.BATCH, 0.025,
        ReviewView.Settings.WINDOW);
    return new ReviewView(ViewGradientTest.config(4, 0, RankingLoss.LOG_SIGMOID), s,
        new FixedContent(texts, new float[0][]), 3);
  }

  @Test
  void shouldGrowTheWordTableWithTheVocabulary() {
    ReviewView v = view(100, new int[][] {{0, 1}, {1, 2, 3}});
    v.observe(new Interaction(0, 0, 5f, 0, 0));
    assertEquals(2, v.vocabulary().size());
    assertTrue(v.words().size() >= 2);
    v.observe(new Interaction(1, 0, 5f, 1, 0));
    assertEquals(4, v.vocabulary().size());
    assertTrue(v.words().size() >= 4);
    assertEquals(2, v.docs().size());
  }

  /**
   * With the cap reached in the middle of one review, a later word of the same review evicts a row admitted
   * earlier in that review: the view must re-initialise that row (word2vec zero) without failing.
   */
  @Test
  void shouldEvictARowAdmittedEarlierInTheSameReview() {
    ReviewView v = view(2, new int[][] {{0, 1, 2, 2}});
    assertDoesNotThrow(() -> v.observe(new Interaction(0, 0, 5f, 0, 0)));
    Vocabulary vocab = v.vocabulary();
    assertEquals(2, vocab.size());
    assertTrue(vocab.row(2) >= 0, "token 2 (count 2) displaces a count-1 token");
    assertArrayEquals(new float[4], v.words().row(vocab.row(2)), "a reused row starts at zero");
  }

  /** After an eviction in a later review the reused row starts from zero again. */
  @Test
  void shouldResetAReusedWordRow() {
    ReviewView v = view(2, new int[][] {{0, 1}, {2, 2}});
    v.observe(new Interaction(0, 0, 5f, 0, 0));
    v.words().set(0, new float[] {1, 2, 3, 4}); // as if trained
    v.words().set(1, new float[] {5, 6, 7, 8});
    v.observe(new Interaction(0, 1, 5f, 1, 0));
    int row2 = v.vocabulary().row(2);
    assertTrue(row2 >= 0);
    assertArrayEquals(new float[4], v.words().row(row2), "reused row re-initialised");
    // And it trains without touching rows outside the vocabulary.
    v.reserve(1, 2);
    v.addContentGradient(new Interaction(0, 1, 5f, 1, 0), new Rng(1), 1f);
  }
}
