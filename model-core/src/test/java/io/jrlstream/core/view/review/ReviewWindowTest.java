package io.jrlstream.core.view.review;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.Lexicon;
import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.RankingLoss;
import io.jrlstream.core.view.ViewConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A review view on a stream keeps the vectors of its latest reviews only (ReviewView's "review window"). */
class ReviewWindowTest {
  private static final int K = 4;

  /** n reviews of 3 tokens each out of 12 words; permanent reviews as given (0 = a stream). */
  private static Content content(int n, int permanent) {
    int[][] texts = new int[n][];
    for (int r = 0; r < n; r++) {
      texts[r] = new int[] {r % 12, (r * 5 + 1) % 12, (r * 7 + 3) % 12};
    }
    Lexicon lexicon = new Lexicon();
    return new Content() {
      @Override
      public int[] reviewTokens(int review) {
        return texts[review];
      }

      @Override
      public float[] itemFeatures(int item) {
        return null;
      }

      @Override
      public int permanentReviews() {
        return permanent;
      }

      @Override
      public Lexicon lexicon() {
        return lexicon;
      }
    };
  }

  private static ReviewView view(int window, Content content) {
    ViewConfig c = new ViewConfig(K, OptimizerKind.ADAM, 0.01, ViewConfig.Schedule.CONSTANT, 1, 0, 0.5, 5,
        RankingLoss.LOG_SIGMOID);
    return new ReviewView(c, ReviewView.Settings.defaults().withSample(0).withWindow(window), content, 7);
  }

  /** Review r by user r mod 5 on item r mod 7. */
  private static Interaction review(int r) {
    return new Interaction(r % 5, r % 7, 4f, r, r);
  }

  @Test
  void shouldKeepTheLatestWindowOfReviewVectorsEachStartingAsInItsOwnRow() {
    int n = 10;
    ReviewView windowed = view(4, content(n, 0));
    ReviewView unbounded = view(1_000, content(n, 0));
    for (int r = 0; r < n; r++) {
      windowed.observe(review(r));
      unbounded.observe(review(r));
    }
    assertEquals(4, windowed.window());
    assertEquals(4, windowed.docs().size(), "rows beyond the window");
    assertEquals(n, unbounded.docs().size());
    for (int r = n - 4; r < n; r++) {
      assertEquals(r % 4, windowed.docRow(r));
      assertArrayEquals(unbounded.docs().row(r), windowed.docs().row(windowed.docRow(r)),
          "review " + r + " starts from its own initial value, not its row's");
    }
  }

  @Test
  void shouldGiveARowTakenOverFreshOptimiserStateAndTrainWithinBoundedRows() {
    int n = 200;
    ReviewView v = view(16, content(n, 0));
    StreamingTrainer t = new StreamingTrainer(v, 3, 4);
    for (int r = 0; r < 20; r++) {
      t.accept(review(r));
    }
    int row = v.docRow(19);
    Param docs = v.params().stream().filter(p -> p.value() == v.docs()).findFirst().orElseThrow();
    assertNotNull(docs.state1OrNull(row), "review 19 trained with Adam");
    float[] trained = v.docs().row(row).clone();
    v.observe(review(35)); // takes review 19's row
    assertArrayEquals(new float[K], docs.state1OrNull(row), "Adam moments of review 19 left with it");
    assertArrayEquals(new float[K], docs.state2OrNull(row));
    assertNotEquals(Arrays.toString(trained), Arrays.toString(v.docs().row(row)));
    ReviewView fresh = view(1_000, content(n, 0));
    for (int r = 0; r <= 35; r++) {
      fresh.observe(review(r));
    }
    assertArrayEquals(fresh.docs().row(35), v.docs().row(row));
    for (int r = 36; r < n; r++) {
      t.accept(review(r));
    }
    assertEquals(16, v.docs().size());
    assertTrue(t.batches() >= 45, "trained " + t.batches() + " batches");
    for (int i = 0; i < 16; i++) {
      for (float x : v.docs().row(i)) {
        assertTrue(Float.isFinite(x));
      }
    }
  }

  @Test
  void shouldTrainTheFirstReviewAlone() {
    ReviewView v = view(4, content(1, 0));
    StreamingTrainer t = new StreamingTrainer(v, 3, 1);
    assertTrue(t.accept(review(0)), "a batch of one trains at once");
    assertEquals(1, v.docs().size());
    assertNotNull(v.params().stream().filter(p -> p.value() == v.docs()).findFirst().orElseThrow().state1OrNull(0));
  }

  @Test
  void shouldFailClearlyWhenAMiniBatchOutgrowsTheWindow() {
    ReviewView v = view(2, content(10, 0));
    StreamingTrainer t = new StreamingTrainer(v, 3, 4);
    t.accept(review(0));
    t.accept(review(1));
    t.accept(review(2));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.accept(review(3)));
    assertTrue(e.getMessage().contains("window of 2 reviews") && e.getMessage().contains("larger than a mini-batch"),
        e.getMessage());
  }

  @Test
  void shouldKeepEveryReviewOfAFiniteDataSet() {
    ReviewView v = view(4, content(10, 10));
    assertEquals(10, v.window());
    for (int r = 0; r < 10; r++) {
      v.observe(review(r));
    }
    assertEquals(10, v.docs().size());
    assertEquals(9, v.docRow(9));
  }
}
