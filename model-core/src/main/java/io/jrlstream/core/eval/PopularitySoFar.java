package io.jrlstream.core.eval;

import java.util.Arrays;

/**
 * The popularity baselines of a prequential measurement (DESIGN.md §1 "Evaluation"): every user gets the same
 * scores, the events of each item so far, either counted plainly or, with a half-life of h events, each event
 * weighted 2^(−age / h) where age is the number of events since it (recency-weighted popularity, an exponential
 * decay by event count, so it needs no clock and is deterministic on untimed data).
 *
 * <p>Like a view it has nothing for a user it has not seen ({@link #prepare} is false), so that every model of a
 * prequential run ranks the same events. Items are those {@link #add}ed: indices {@code [0, itemLimit())}.
 *
 * <p>Decay without touching every item per event: the n-th event adds g^n (g = 2^(1/h)) to its item, which ranks
 * items exactly as the decayed sums do (a common factor g^−n); when g^n passes 2^64 every weight is scaled down
 * by it. Amortised O(1) per event; allocates only when the user or item index space grows. Not thread-safe.
 */
public final class PopularitySoFar implements RankSource {
  private static final double RESCALE_AT = 0x1p64;

  private final double halfLife;
  private final double growth;
  private double[] weights = new double[256];
  private boolean[] users = new boolean[256];
  private int items;
  private double next = 1;

  /**
   * @param halfLife the half-life in events of the recency weighting, or 0 for plain counts
   * @throws IllegalArgumentException for a negative or non-finite half-life
   */
  public PopularitySoFar(double halfLife) {
    if (!(halfLife >= 0) || Double.isInfinite(halfLife)) {
      throw new IllegalArgumentException("halfLife must be 0 (plain counts) or a positive number of events, got "
          + halfLife);
    }
    this.halfLife = halfLife;
    this.growth = halfLife == 0 ? 1 : Math.pow(2, 1 / halfLife);
  }

  /** The half-life in events, 0 for plain counts. */
  public double halfLife() {
    return halfLife;
  }

  /** Counts one event (after it has been measured). */
  public void add(int user, int item) {
    if (user < 0 || item < 0) {
      throw new IllegalArgumentException("negative index: user " + user + ", item " + item);
    }
    if (user >= users.length) {
      users = Arrays.copyOf(users, Math.max(user + 1, users.length * 2));
    }
    users[user] = true;
    if (item >= weights.length) {
      weights = Arrays.copyOf(weights, Math.max(item + 1, weights.length * 2));
    }
    items = Math.max(items, item + 1);
    weights[item] += next;
    next *= growth;
    if (next > RESCALE_AT) {
      for (int v = 0; v < items; v++) {
        weights[v] /= next;
      }
      next = 1;
    }
  }

  @Override
  public boolean prepare(int user) {
    return user >= 0 && user < users.length && users[user];
  }

  @Override
  public int itemLimit() {
    return items;
  }

  @Override
  public float score(int item) {
    return (float) weights[item];
  }
}
