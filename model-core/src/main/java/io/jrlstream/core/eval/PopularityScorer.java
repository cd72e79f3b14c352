package io.jrlstream.core.eval;

import io.jrlstream.core.data.Interaction;
import java.util.Arrays;
import java.util.List;

/**
 * The popularity baseline: every user gets the same scores, s(u, v) = number of training interactions
 * with item v. A model that does not beat it has not learnt anything personal (DESIGN.md §1).
 *
 * <p>Immutable after construction; {@link #scoreAll} is thread-safe.
 */
public final class PopularityScorer implements Scorer {
  private final float[] counts;

  /**
   * Counts the training interactions of each item in {@code [0, itemCount)}.
   *
   * @throws IllegalArgumentException when an interaction's item is outside {@code [0, itemCount)}
   */
  public PopularityScorer(List<Interaction> train, int itemCount) {
    counts = new float[itemCount];
    for (Interaction x : train) {
      if (x.item() < 0 || x.item() >= itemCount) {
        throw new IllegalArgumentException("item " + x.item() + " outside [0, " + itemCount + ") in " + x);
      }
      counts[x.item()]++;
    }
  }

  /** The training count of {@code item}. */
  public float count(int item) {
    return counts[item];
  }

  /** Writes each item's training count; slots beyond the known items get 0. */
  @Override
  public void scoreAll(int user, float[] out) {
    int n = Math.min(out.length, counts.length);
    System.arraycopy(counts, 0, out, 0, n);
    Arrays.fill(out, n, out.length, 0f);
  }
}
