package io.jrlstream.core.train;

import io.jrlstream.core.math.Rng;
import io.jrlstream.core.state.DirtyRows;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateReader;
import io.jrlstream.core.state.StateWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Draws the negative item v− of the ranking term: uniformly among the items this view has seen, rejecting
 * items the user has interacted with (DESIGN.md §1 ranking term). Grows with the stream. After
 * {@value #MAX_TRIES} rejections (a user who has seen nearly everything) it returns the last draw.
 *
 * <p>Each user's history is bounded ({@code historyCap}, the latest items; an older item the user had may then be
 * drawn as a negative again), so that a stream's memory per user stays bounded. A finite data set's trainers use
 * no bound. The sampler is checkpointable ({@link #state}): a user's history is one row, the seen items rows of
 * {@value #CHUNK}.
 *
 * <p>Not thread-safe for writes; {@link #sample} only reads.
 */
public final class NegativeSampler {
  static final int MAX_TRIES = 64;
  /** Seen items per row of {@link #state}. */
  static final int CHUNK = 512;
  private static final int FORMAT = 1;

  /** A user's items: membership, and (when bounded) their order, oldest first, as a ring. */
  private static final class History {
    final IntSet items = new IntSet();
    int[] order = new int[4];
    int first;
  }

  private final int historyCap;
  private final List<History> userItems = new ArrayList<>();
  private int[] seenItems = new int[256];
  private boolean[] seen = new boolean[256];
  private int seenCount;
  private final DirtyRows dirtyUsers = new DirtyRows();
  /** Seen items a checkpoint has covered. */
  private int persistedSeen;

  /** A sampler that keeps every item of every user (a finite data set). */
  public NegativeSampler() {
    this(Integer.MAX_VALUE);
  }

  /**
   * @param historyCap items kept per user, the latest (≥ 1)
   */
  public NegativeSampler(int historyCap) {
    if (historyCap < 1) {
      throw new IllegalArgumentException("sampler history cap must be ≥ 1 item per user, got " + historyCap);
    }
    this.historyCap = historyCap;
  }

  /** Records that user interacted with item (and that the view has seen the item). */
  public void add(int user, int item) {
    History h = history(user);
    if (h.items.add(item)) {
      int n = h.items.size();
      if (historyCap < Integer.MAX_VALUE) {
        if (n > historyCap) {
          h.items.remove(h.order[h.first]);
          h.order[h.first] = item;
          h.first = (h.first + 1) % historyCap;
        } else {
          if (n > h.order.length) {
            h.order = Arrays.copyOf(h.order, Math.min(historyCap, h.order.length * 2));
          }
          h.order[n - 1] = item;
        }
      }
      dirtyUsers.mark(user);
    }
    addItem(item);
  }

  /**
   * Records that the view has seen item, through no user of its own (a sharded view's task learning of another
   * task's item from a merge): the item joins the pool negatives are drawn from, in the order of these calls.
   */
  public void addItem(int item) {
    if (item >= seen.length) {
      seen = Arrays.copyOf(seen, Math.max(item + 1, seen.length * 2));
    }
    if (!seen[item]) {
      seen[item] = true;
      if (seenCount == seenItems.length) {
        seenItems = Arrays.copyOf(seenItems, seenCount * 2);
      }
      seenItems[seenCount++] = item;
    }
  }

  private History history(int user) {
    while (userItems.size() <= user) {
      userItems.add(null);
    }
    History h = userItems.get(user);
    if (h == null) {
      h = new History();
      userItems.set(user, h);
    }
    return h;
  }

  /** True when user has interacted with item (among the latest {@code historyCap} of the user's items). */
  public boolean interacted(int user, int item) {
    History h = user < userItems.size() ? userItems.get(user) : null;
    return h != null && h.items.contains(item);
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

  /**
   * The sampler as checkpoint blocks: the users' histories (row = user: the items, oldest first) and the seen items
   * in the order they were first seen (draws index that order), {@value #CHUNK} to a row.
   *
   * @param name prefix of the blocks' names, for messages
   */
  public List<StateBlock> state(String name) {
    StateBlock histories = StateBlock.tracked(userItems::size, dirtyUsers, this::encodeHistory,
        (user, bytes) -> decodeHistory(name, user, bytes));
    return List.of(histories, new StateBlock() {
      @Override
      public int size() {
        return (seenCount + CHUNK - 1) / CHUNK;
      }

      @Override
      public int dirtyCount() {
        return seenCount == persistedSeen ? 0 : size() - persistedSeen / CHUNK;
      }

      @Override
      public void drainDirty(IntConsumer sink) {
        for (int c = seenCount == persistedSeen ? size() : persistedSeen / CHUNK; c < size(); c++) {
          sink.accept(c);
        }
        persistedSeen = seenCount;
      }

      @Override
      public byte[] encode(int row) {
        int from = row * CHUNK;
        return new StateWriter(FORMAT).putInts(seenItems, from, Math.min(seenCount, from + CHUNK) - from).toBytes();
      }

      @Override
      public void decode(int row, byte[] bytes) {
        int[] items = new StateReader(bytes, FORMAT, name + ".items row " + row).getInts();
        int from = row * CHUNK;
        if (seenItems.length < from + items.length) {
          seenItems = Arrays.copyOf(seenItems, from + items.length);
        }
        System.arraycopy(items, 0, seenItems, from, items.length);
        seenCount = Math.max(seenCount, from + items.length);
      }

      @Override
      public void loaded() {
        Arrays.fill(seen, false);
        for (int i = 0; i < seenCount; i++) {
          int item = seenItems[i];
          if (item >= seen.length) {
            seen = Arrays.copyOf(seen, Math.max(item + 1, seen.length * 2));
          }
          seen[item] = true;
        }
        persistedSeen = seenCount;
      }
    });
  }

  /** A user's history as a checkpoint row: the items, oldest first. */
  private byte[] encodeHistory(int user) {
    History h = userItems.get(user);
    int n = h.items.size();
    int[] items = new int[n];
    if (historyCap == Integer.MAX_VALUE) {
      items = h.items.toSortedArray();
    } else {
      for (int i = 0; i < n; i++) {
        items[i] = h.order[(h.first + i) % Math.max(1, Math.min(n, historyCap))];
      }
    }
    return new StateWriter(FORMAT).putInts(items, 0, n).toBytes();
  }

  /** Restores a user's history from its row ({@link #encodeHistory}), keeping the latest items under a smaller cap. */
  private void decodeHistory(String name, int user, byte[] bytes) {
    int[] stored = new StateReader(bytes, FORMAT, name + ".users row " + user).getInts();
    while (userItems.size() <= user) {
      userItems.add(null);
    }
    // A history stored under a larger cap keeps its latest items (oldest first in the row).
    int[] items = stored.length <= historyCap ? stored
        : Arrays.copyOfRange(stored, stored.length - historyCap, stored.length);
    History h = new History();
    h.order = new int[Math.max(4, historyCap == Integer.MAX_VALUE ? 0 : items.length)];
    for (int item : items) {
      h.items.add(item);
      if (historyCap < Integer.MAX_VALUE) {
        h.order[h.items.size() - 1] = item;
      }
    }
    userItems.set(user, h);
  }
}
