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

  /** The lexicon that token ids refer to. */
  Lexicon lexicon();
}
