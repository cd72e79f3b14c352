package io.jrlstream.core.view;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.Lexicon;

/** Content for view tests: token arrays per review and feature vectors per item (null = none). */
final class FixedContent implements Content {
  private final int[][] reviews;
  private final float[][] features;
  private final Lexicon lexicon = new Lexicon();

  FixedContent(int[][] reviews, float[][] features) {
    this.reviews = reviews;
    this.features = features;
  }

  @Override
  public int[] reviewTokens(int review) {
    return reviews[review];
  }

  @Override
  public float[] itemFeatures(int item) {
    return item < features.length ? features[item] : null;
  }

  @Override
  public Lexicon lexicon() {
    return lexicon;
  }
}
