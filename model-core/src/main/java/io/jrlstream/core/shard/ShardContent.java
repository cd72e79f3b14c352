package io.jrlstream.core.shard;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.Lexicon;
import java.util.Arrays;

/**
 * What one task's view reads: the stream's content, with reviews renumbered in the order the task receives them, as
 * a Kafka task numbers the reviews of its own partition (a review view's window then holds the task's latest
 * reviews, not every N-th row of a window of all of them). Items and texts are the stream's. Not thread-safe.
 */
final class ShardContent implements Content {
  private final Content stream;
  private int[] streamReview = new int[64];
  private int reviews;

  ShardContent(Content stream) {
    this.stream = stream;
  }

  /** x as the task sees it: its review numbered locally (each review must reach this method once, in order). */
  Interaction localise(Interaction x) {
    if (!x.hasReview()) {
      return x;
    }
    if (reviews == streamReview.length) {
      streamReview = Arrays.copyOf(streamReview, reviews * 2);
    }
    streamReview[reviews] = x.review();
    return new Interaction(x.user(), x.item(), x.stars(), reviews++, x.time());
  }

  @Override
  public int[] reviewTokens(int review) {
    return stream.reviewTokens(streamReview[review]);
  }

  @Override
  public float[] itemFeatures(int item) {
    return stream.itemFeatures(item);
  }

  @Override
  public int permanentReviews() {
    return stream.permanentReviews();
  }

  @Override
  public Lexicon lexicon() {
    return stream.lexicon();
  }
}
