package io.jrlstream.core.view.review;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.DatasetReader;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.Lexicon;
import io.jrlstream.core.data.Split;
import io.jrlstream.core.eval.Evaluator;
import io.jrlstream.core.eval.Metrics;
import io.jrlstream.core.rank.EjrlModel;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.ViewConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The review window on real data: the Musical Instruments training interactions streamed several times, each time
 * as new reviews (as a stream brings them), with a window far smaller than the stream against one that keeps every
 * review. Ranking quality (NDCG@10 of the review view on the held-out interactions) must stay close.
 */
class ReviewWindowQualityTest {
  private static final Path DATA = Path.of("..", "..", "shared", "data", "reviews_Musical_Instruments_5.json.gz");
  private static final int PASSES = 4;

  /** The data set's reviews as a stream's: review i of the stream is data set review origin[i]; none permanent. */
  private static final class Restreamed implements Content {
    private final Dataset data;
    private final List<Integer> origin = new ArrayList<>();

    Restreamed(Dataset data) {
      this.data = data;
    }

    Interaction next(Interaction x) {
      origin.add(x.review());
      return new Interaction(x.user(), x.item(), x.stars(), origin.size() - 1, x.time());
    }

    @Override
    public int[] reviewTokens(int review) {
      return data.reviewTokens(origin.get(review));
    }

    @Override
    public float[] itemFeatures(int item) {
      return null;
    }

    @Override
    public Lexicon lexicon() {
      return data.lexicon();
    }
  }

  private static Metrics streamed(Dataset data, Split split, int window) {
    ModelConfig c = ModelConfig.defaults().withSeed(1);
    // The window's effect on the review terms alone: one pass per event, no replay (replayed interactions train
    // only the ranking term, which does not read review vectors).
    ViewConfig v = c.view(ReviewView.NAME);
    c = c.withView(ReviewView.NAME, v.withStream(v.stream().withReplayRatio(0)));
    c = c.withReview(c.review().withWindow(window));
    Restreamed content = new Restreamed(data);
    ReviewView view = new ReviewView(c.view(ReviewView.NAME), c.review(), content, c.seed());
    view.reserve(data.userCount(), data.itemCount());
    StreamingTrainer trainer = new StreamingTrainer(view, c.seed(), 64);
    for (int pass = 0; pass < PASSES; pass++) {
      for (Interaction x : split.train()) {
        if (x.hasReview()) {
          trainer.accept(content.next(x));
        }
      }
    }
    trainer.flush();
    EjrlModel model = new EjrlModel(List.of(view), new double[] {1}, data.itemCount());
    return Evaluator.evaluate(model, split.train(), split.test(), data.itemCount(), 10, 2);
  }

  @Test
  void shouldRankAsWellWithAWindowFarSmallerThanTheStream() {
    String p = ReviewWindowQualityTest.class.getName();
    assumeTrue(Files.isReadable(DATA),
        p + ": skipped, " + DATA + " is absent (the shared data folder beside the checkout)");
    Dataset data = DatasetReader.read(DATA);
    Split split = Split.perUser(data.interactions(), 0.7, 1);
    Metrics all = streamed(data, split, Integer.MAX_VALUE);
    Metrics small = streamed(data, split, 1024);
    System.out.printf("review window on %d streamed reviews: every review NDCG@10 %.4f HR@10 %.4f; window 1,024: "
        + "NDCG@10 %.4f HR@10 %.4f%n", PASSES * split.train().size(), all.ndcg(), all.hit(), small.ndcg(),
        small.hit());
    assertTrue(small.ndcg() >= 0.9 * all.ndcg(), small + " against " + all);
  }
}
