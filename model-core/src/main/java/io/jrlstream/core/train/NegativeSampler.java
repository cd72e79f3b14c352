package io.jrlstream.core.train;

import io.jrlstream.core.math.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws the negative item v− of the ranking term: uniformly among the items this view has seen, rejecting
 * items the user has interacted with (DESIGN.md §1 ranking term). Grows with the stream. After
 * {@value #MAX_TRIES} rejections (a user who has seen nearly everything) it returns the last draw.
 * Not thread-safe for writes; {@link #sample} only reads.
 */
public final class NegativeSampler {
  static final int MAX_TRIES = 64;

  private final List<IntSet> userItems = new ArrayList<>();
  private int[] seenItems = new int[256];
  private boolean[] seen = new boolean[256];
  private int seenCount;

  /** Records that user interacted with item (and that the view has seen the item). */
  public void add(int user, int item) {
    while (userItems.size() <= user) {
      userItems.add(null);
    }
    IntSet s = userItems.get(user);
    if (s == null) {
      s = new IntSet();
      userItems.set(user, s);
    }
    s.add(item);
    if (item >= seen.length) {
      seen = java.util.Arrays.copyOf(seen, Math.max(item + 1, seen.length * 2));
    }
    if (!seen[item]) {
      seen[item] = true;
      if (seenCount == seenItems.length) {
        seenItems = java.util.Arrays.copyOf(seenItems, seenCount * 2);
      }
      seenItems[seenCount++] = item;
    }
  }

  /** True when user has interacted with item. */
  public boolean interacted(int user, int item) {
    IntSet s = user < userItems.size() ? userItems.get(user) : null;
    return s != null && s.contains(item);
  }

  /** Number of items seen. */
  public int itemCount() {
    return seenCount;
  }

  /** A negative item for user, or -1 when no item has been seen yet. */
  public int sample(int user, Rng rng) {
    if (seenCount == 0) {
      return -1;
    }
    int v = -1;
    for (int t = 0; t < MAX_TRIES; t++) {
      v = seenItems[rng.nextInt(seenCount)];
      if (!interacted(user, v)) {
        return v;
      }
    }
    return v;
  }
}
