package io.jrlstream.core.eval;

import java.util.Locale;

/**
 * Top-k quality averaged over test users (paper §5.3): NDCG, recall, hit ratio and precision, each a
 * fraction in [0, 1] (the paper's tables show percentages).
 *
 * <p>Immutable and thread-safe.
 *
 * @param ndcg mean NDCG@k, binary relevance, log2 discount, ideal DCG over min(|test items|, k)
 * @param recall mean hits / |distinct test items|
 * @param hit fraction of users with at least one hit (the paper's HT)
 * @param precision mean hits / k
 * @param users number of test users averaged over
 */
public record Metrics(double ndcg, double recall, double hit, double precision, int users) {
  /** No test user: every metric 0. */
  public static final Metrics EMPTY = new Metrics(0, 0, 0, 0, 0);

  /** One line for humans, in percent as the paper reports, e.g. "NDCG 4.396% Recall 6.949% …". */
  public String summary() {
    return String.format(Locale.ROOT, "NDCG %.3f%% Recall %.3f%% HT %.3f%% Precision %.3f%% (%d users)",
        100 * ndcg, 100 * recall, 100 * hit, 100 * precision, users);
  }
}
