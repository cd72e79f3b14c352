package io.jrlstream.core.data;

/**
 * The shape of a {@link SyntheticData} dataset. Validated on construction; {@code withX} methods return
 * a modified copy.
 *
 * @param users number of users, at least 1
 * @param items number of items, at least {@code clusters}
 * @param clusters number of latent clusters (topics) users and items belong to, at least 1
 * @param interactionsPerUser distinct items each user interacts with, 1 to {@code items}
 * @param featureDim dimension F of the item image features, 0 for none
 * @param wordsPerReview words in each review text (besides one sentiment word), 0 for interactions
 *     without text
 */
public record SyntheticSpec(
    int users, int items, int clusters, int interactionsPerUser, int featureDim, int wordsPerReview) {

  /** Most interactions one spec may ask for (users x interactionsPerUser). */
  public static final long MAX_INTERACTIONS = 50_000_000L;

  public SyntheticSpec {
    if (users < 1) {
      throw new IllegalArgumentException("users must be at least 1, got " + users);
    }
    if (clusters < 1) {
      throw new IllegalArgumentException("clusters must be at least 1, got " + clusters);
    }
    if (items < clusters) {
      throw new IllegalArgumentException("items (" + items + ") must be at least clusters (" + clusters
          + ") so that every cluster has an item");
    }
    if (interactionsPerUser < 1 || interactionsPerUser > items) {
      throw new IllegalArgumentException("interactionsPerUser must be in 1.." + items + " (items), got "
          + interactionsPerUser);
    }
    if ((long) users * interactionsPerUser > MAX_INTERACTIONS) {
      throw new IllegalArgumentException("users x interactionsPerUser = " + (long) users * interactionsPerUser
          + " exceeds " + MAX_INTERACTIONS);
    }
    if (featureDim < 0) {
      throw new IllegalArgumentException("featureDim must be 0 (none) or positive, got " + featureDim);
    }
    if (wordsPerReview < 0) {
      throw new IllegalArgumentException("wordsPerReview must be 0 (no text) or positive, got "
          + wordsPerReview);
    }
  }

  /** 500 users, 300 items, 10 clusters, 20 interactions per user, no features, 30 words per review. */
  public static SyntheticSpec defaults() {
    return new SyntheticSpec(500, 300, 10, 20, 0, 30);
  }

  public SyntheticSpec withUsers(int n) {
    return new SyntheticSpec(n, items, clusters, interactionsPerUser, featureDim, wordsPerReview);
  }

  public SyntheticSpec withItems(int n) {
    return new SyntheticSpec(users, n, clusters, interactionsPerUser, featureDim, wordsPerReview);
  }

  public SyntheticSpec withClusters(int n) {
    return new SyntheticSpec(users, items, n, interactionsPerUser, featureDim, wordsPerReview);
  }

  public SyntheticSpec withInteractionsPerUser(int n) {
    return new SyntheticSpec(users, items, clusters, n, featureDim, wordsPerReview);
  }

  public SyntheticSpec withFeatureDim(int f) {
    return new SyntheticSpec(users, items, clusters, interactionsPerUser, f, wordsPerReview);
  }

  public SyntheticSpec withWordsPerReview(int n) {
    return new SyntheticSpec(users, items, clusters, interactionsPerUser, featureDim, n);
  }
}
