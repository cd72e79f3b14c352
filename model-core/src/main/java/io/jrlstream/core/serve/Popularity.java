package io.jrlstream.core.serve;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interaction counts per item over the users an instance holds (the partitions of the serving user stores
 * assigned to it), kept per partition so that a partition that moves to another instance takes its counts
 * along. The answer for unknown users (DESIGN.md §2 "Serving"): the most popular items, flagged as such.
 * With one serving instance the counts cover every user; with several, each instance's counts cover its
 * partitions, a uniform sample of the users.
 *
 * <p>Thread-safe (synchronised: updated per interaction by stream threads, read by unknown-user queries).
 */
public final class Popularity {
  private final Map<Integer, Map<String, Long>> byPartition = new HashMap<>();

  /** Adds one interaction with {@code item} held in {@code partition}. */
  public synchronized void add(int partition, String item) {
    byPartition.computeIfAbsent(partition, p -> new HashMap<>()).merge(item, 1L, Long::sum);
  }

  /** Forgets a partition's counts (its task closed: it was revoked, or is about to be rebuilt). */
  public synchronized void clear(int partition) {
    byPartition.remove(partition);
  }

  /** An item and its interaction count. */
  public record Count(String item, long count) {}

  /** The n items with most interactions, more first, ties by id; excluded items skipped. */
  public synchronized List<Count> top(int n, Collection<String> excluded) {
    Map<String, Long> total = new HashMap<>();
    for (Map<String, Long> m : byPartition.values()) {
      m.forEach((item, c) -> total.merge(item, c, Long::sum));
    }
    List<Count> all = new ArrayList<>();
    total.forEach((item, c) -> {
      if (!excluded.contains(item)) {
        all.add(new Count(item, c));
      }
    });
    all.sort((a, b) -> a.count != b.count ? Long.compare(b.count, a.count) : a.item.compareTo(b.item));
    return all.subList(0, Math.min(n, all.size()));
  }
}
