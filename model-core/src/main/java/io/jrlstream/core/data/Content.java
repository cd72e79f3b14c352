package io.jrlstream.core.data;

/**
 * What views read besides the interaction itself: review texts (as token ids of a {@link Lexicon}) and
 * item feature vectors. The offline {@link Dataset} implements it from files; the streaming trainer from
 * its state stores.
 */
public interface Content {
  /** Token ids of review r (summary + text, tokenised); never null. */
  int[] reviewTokens(int review);

  /** Feature vector f_v of item v, or null when the item has no features yet. */
  float[] itemFeatures(int item);

  /**
   * Reviews this content keeps for good: a finite data set's all (an offline trainer revisits them every epoch), 0
   * for a stream, whose reviews come and go. A review view keeps the vectors of at least this many reviews.
   */
  default int permanentReviews() {
    return 0;
  }

  /** The lexicon that token ids refer to. */
  Lexicon lexicon();
}
