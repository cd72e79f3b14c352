package io.jrlstream.core.data;

import io.jrlstream.core.math.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The order in which a data set's events would have arrived on a stream: what the stream and prequential
 * protocols of {@code jrl evaluate} feed a streaming trainer (DESIGN.md §1 "Evaluation", §2 "Learning from a
 * stream").
 *
 * <ul>
 *   <li>{@link Kind#EVENT_TIME}: when any event carries a time ({@link Interaction#time()} not 0), by time, ties
 *       in input order (a stable sort; events without a time come first).</li>
 *   <li>{@link Kind#INTERLEAVED}: when no event carries a time (the Beauty pairs TSV, whose README says each
 *       user's items are listed in time order), a seeded random interleaving of the users' sequences that keeps
 *       each user's own order: each position of the stream is dealt to a user by a seeded shuffle of the
 *       multiset of user labels (every interleaving equally likely), and takes that user's next event.</li>
 * </ul>
 * Either way each user's events keep their input order whenever their times do not say otherwise. The same input
 * and seed give the same order. Stateless and thread-safe.
 */
public final class StreamOrder {
  /** How an order was made. */
  public enum Kind {
    EVENT_TIME,
    INTERLEAVED
  }

  private StreamOrder() {}

  /** {@link Kind#EVENT_TIME} when any event carries a time, else {@link Kind#INTERLEAVED}. */
  public static Kind kind(List<Interaction> xs) {
    for (Interaction x : xs) {
      if (x.time() != 0) {
        return Kind.EVENT_TIME;
      }
    }
    return Kind.INTERLEAVED;
  }

  /**
   * The positions of {@code xs} in stream order: {@code order[i]} is the input position of the i-th event.
   *
   * @param seed seeds the interleaving of untimed input (unused for timed input)
   * @throws IllegalArgumentException on a negative user index
   */
  public static int[] order(List<Interaction> xs, long seed) {
    return kind(xs) == Kind.EVENT_TIME ? byTime(xs) : interleaved(xs, seed);
  }

  /** The events of {@code xs} in stream order (a new list). */
  public static List<Interaction> ordered(List<Interaction> xs, long seed) {
    int[] order = order(xs, seed);
    List<Interaction> out = new ArrayList<>(order.length);
    for (int i : order) {
      out.add(xs.get(i));
    }
    return out;
  }

  private static int[] byTime(List<Interaction> xs) {
    int n = xs.size();
    long[] times = new long[n];
    for (int i = 0; i < n; i++) {
      times[i] = xs.get(i).time();
    }
    long[] distinct = times.clone();
    Arrays.sort(distinct);
    // Each event's time rank (< n) and input position (< n) fit one long; sorting it is a stable sort by time.
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      long rank = Arrays.binarySearch(distinct, times[i]);
      keys[i] = (rank << 32) | i;
    }
    Arrays.sort(keys);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = (int) keys[i];
    }
    return order;
  }

  private static int[] interleaved(List<Interaction> xs, long seed) {
    int n = xs.size();
    ByUser byUser = ByUser.of(xs, 0);
    // One label per event to deal out over the stream's positions.
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = xs.get(i).user();
    }
    Rng rng = new Rng(Rng.mix(seed, 0x0DE5_7EA3L));
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = labels[i];
      labels[i] = labels[j];
      labels[j] = t;
    }
    int[] next = Arrays.copyOf(byUser.start, byUser.users);
    int[] order = new int[n];
    for (int p = 0; p < n; p++) {
      order[p] = byUser.positions[next[labels[p]]++];
    }
    return order;
  }
}
