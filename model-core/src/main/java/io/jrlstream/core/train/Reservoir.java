package io.jrlstream.core.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.state.DirtyRows;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateReader;
import io.jrlstream.core.state.StateWriter;
import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * A bounded uniform sample of every interaction a view has seen (reservoir sampling, Vitter's Algorithm R), from
 * which the streaming trainer replays past interactions (DESIGN.md §2 "Learning from a stream").
 *
 * <p>The n-th interaction offered (n from 0) fills slot n while the reservoir is not full; after that it replaces
 * slot j, for j drawn uniformly from [0, n], when j is below the capacity. The draw is seeded from (seed, n) only,
 * so the content is a pure function of the sequence of offered interactions. Each interaction is in the sample with
 * probability capacity / (n + 1). A restart restores it from a checkpoint ({@link #state}: the slots, 64 to a row,
 * and the count offered) and goes on drawing exactly as an uninterrupted reservoir; a slot keeps the interaction as
 * it was, review index included: the review view replays a review's own terms only while the review is still in
 * its window, so a slot whose review left the window stays valid and trains the ranking term alone.
 *
 * <p>Memory: one reference per slot to the interaction it keeps, about 44 bytes per slot with compressed references
 * ({@link io.jrlstream.core.view.StreamSettings#BYTES_PER_SLOT}); slots are allocated as the reservoir fills (by
 * doubling), not up front. Not thread-safe: owned by one trainer.
 */
public final class Reservoir {
  /** Slots per row of {@link #state}: a restore reads 4,096 rows for a full default reservoir, not 262,144. */
  static final int CHUNK = 64;
  private static final int FORMAT = 1;

  private final int capacity;
  private final long seed;
  private final Rng rng = new Rng(0);
  private Interaction[] slots = new Interaction[0];
  private int size;
  private long offered;
  /** Chunks of slots written since the last checkpoint. */
  private final DirtyRows dirtyChunks = new DirtyRows();
  /** {@link #offered} as of the last checkpoint. */
  private long persistedOffered;

  /**
   * @param capacity most interactions kept (0: keeps none)
   * @param seed seed of the replacement draws
   */
  public Reservoir(int capacity, long seed) {
    if (capacity < 0) {
      throw new IllegalArgumentException("reservoir capacity must be ≥ 0, got " + capacity);
    }
    this.capacity = capacity;
    this.seed = seed;
  }

  /** Offers the next interaction of the stream. */
  public void offer(Interaction x) {
    long n = offered++;
    if (capacity == 0) {
      return;
    }
    if (n < capacity) {
      if (size == slots.length) {
        slots = Arrays.copyOf(slots, (int) Math.min(capacity, Math.max(16L, 2L * size)));
      }
      dirtyChunks.mark(size / CHUNK);
      slots[size++] = x;
      return;
    }
    // Uniform in [0, n]: the modulo bias, at most (n + 1) / 2^63, is far below anything measurable.
    long j = Math.floorMod(rng.reseed(Rng.mix(seed, n)).nextLong(), n + 1);
    if (j < capacity) {
      slots[(int) j] = x;
      dirtyChunks.mark((int) j / CHUNK);
    }
  }

  /** The interaction in slot i, for i in [0, {@link #size()}). */
  public Interaction get(int i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("reservoir slot " + i + " of " + size);
    }
    return slots[i];
  }

  /** Interactions held: min(offered, capacity). */
  public int size() {
    return size;
  }

  public int capacity() {
    return capacity;
  }

  /** Interactions offered so far. */
  public long offered() {
    return offered;
  }

  /**
   * The reservoir as one checkpoint block: row 0 holds the count offered and the capacity, row 1 + c the slots
   * [64c, 64c + 64) (user, item, stars, review, time each). A checkpoint writes the chunks whose slots changed.
   *
   * @param name the block's name, for messages
   * @throws IllegalStateException on {@link StateBlock#loaded()} when the stored reservoir was kept at another
   *     capacity (the setting changed: set it back, or reset the view's state)
   */
  public StateBlock state(String name) {
    return new StateBlock() {
      @Override
      public int size() {
        return 1 + (size + CHUNK - 1) / CHUNK;
      }

      @Override
      public int dirtyCount() {
        return (offered == persistedOffered ? 0 : 1) + dirtyChunks.count();
      }

      @Override
      public void drainDirty(IntConsumer sink) {
        if (offered != persistedOffered) {
          sink.accept(0);
          persistedOffered = offered;
        }
        dirtyChunks.drain(c -> sink.accept(1 + c));
      }

      @Override
      public byte[] encode(int row) {
        StateWriter w = new StateWriter(FORMAT);
        if (row == 0) {
          return w.putLong(offered).putInt(capacity).toBytes();
        }
        int from = (row - 1) * CHUNK;
        int n = Math.min(size, from + CHUNK) - from;
        w.putInt(n);
        for (int i = from; i < from + n; i++) {
          Interaction x = slots[i];
          w.putInt(x.user()).putInt(x.item()).putFloat(x.stars()).putInt(x.review()).putLong(x.time());
        }
        return w.toBytes();
      }

      @Override
      public void decode(int row, byte[] bytes) {
        StateReader r = new StateReader(bytes, FORMAT, name + " row " + row);
        if (row == 0) {
          offered = r.getLong();
          int stored = r.getInt();
          if (stored != capacity) {
            throw new IllegalStateException(name + ": the checkpoint kept a reservoir of " + stored
                + " interactions, the settings ask for " + capacity + " (set the view's 'reservoir' back to " + stored
                + ", or reset the application's state to start over)");
          }
          return;
        }
        int from = (row - 1) * CHUNK;
        int n = r.getInt();
        if (from + n > slots.length) {
          slots = Arrays.copyOf(slots, Math.min(capacity, Math.max(from + n, 2 * slots.length)));
        }
        for (int i = from; i < from + n; i++) {
          slots[i] = new Interaction(r.getInt(), r.getInt(), r.getFloat(), r.getInt(), r.getLong());
        }
        size = Math.max(size, from + n);
      }

      @Override
      public void loaded() {
        if (size != Math.min(offered, capacity)) {
          throw new IllegalStateException(name + ": the checkpoint holds " + size + " slots for " + offered
              + " interactions offered to a reservoir of " + capacity + " (an incomplete checkpoint)");
        }
        persistedOffered = offered;
        dirtyChunks.clear();
      }
    };
  }
}
