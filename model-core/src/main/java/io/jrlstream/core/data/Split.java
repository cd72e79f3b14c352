package io.jrlstream.core.data;

import io.jrlstream.core.math.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * A per-user random split of interactions (paper §5.3: a random 70% of each user's interactions train,
 * 30% test): used for the test split and, applied to the training part, for a validation split.
 *
 * <p>Immutable and thread-safe.
 *
 * @param train the training part, in input order (unmodifiable)
 * @param test the held-out part, in input order (unmodifiable)
 */
public record Split(List<Interaction> train, List<Interaction> test) {
  public Split {
    train = List.copyOf(train);
    test = List.copyOf(test);
  }

  /**
   * Splits each user's interactions at random: a user with n interactions puts
   * {@code round(trainFraction * n)} of them into train, but at least 1, and the rest into test. The draw
   * for user u depends only on {@code seed}, u and that user's interactions (shuffled with an
   * {@link Rng} seeded from {@code Rng.mix(seed, u)}), so adding other users does not change it.
   * Both parts keep the input order.
   *
   * @param trainFraction in (0, 1]
   * @throws IllegalArgumentException when trainFraction is outside (0, 1] or a user index is negative
   */
  public static Split perUser(List<Interaction> xs, double trainFraction, long seed) {
    if (!(trainFraction > 0 && trainFraction <= 1)) {
      throw new IllegalArgumentException("trainFraction must be in (0, 1], got " + trainFraction);
    }
    int n = xs.size();
    ByUser byUser = ByUser.of(xs, 0);
    int users = byUser.users;
    int[] start = byUser.start;
    int[] pos = byUser.positions; // shuffled in place below, per user
    boolean[] inTrain = new boolean[n];
    Rng rng = new Rng(0);
    for (int u = 0; u < users; u++) {
      int from = start[u];
      int m = start[u + 1] - from;
      if (m == 0) {
        continue;
      }
      rng.reseed(Rng.mix(seed, u));
      for (int i = m - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = pos[from + i];
        pos[from + i] = pos[from + j];
        pos[from + j] = t;
      }
      int keep = (int) Math.max(1, Math.min(m, Math.round(trainFraction * m)));
      for (int i = 0; i < keep; i++) {
        inTrain[pos[from + i]] = true;
      }
    }
    List<Interaction> train = new ArrayList<>();
    List<Interaction> test = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      (inTrain[i] ? train : test).add(xs.get(i));
    }
    return new Split(train, test);
  }
}
