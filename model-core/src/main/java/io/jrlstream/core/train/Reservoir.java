package io.jrlstream.core.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import java.util.Arrays;

/**
 * A bounded uniform sample of every interaction a view has seen (reservoir sampling, Vitter's Algorithm R), from
 * which the streaming trainer replays past interactions (DESIGN.md §2 "Learning from a stream").
 *
 * <p>The n-th interaction offered (n from 0) fills slot n while the reservoir is not full; after that it replaces
 * slot j, for j drawn uniformly from [0, n], when j is below the capacity. The draw is seeded from (seed, n) only,
 * so the content is a pure function of the sequence of offered interactions: a restart that re-offers the same
 * events (the trainer's {@code replay}) rebuilds it exactly, and nothing of it needs a checkpoint. Each interaction
 * is in the sample with probability capacity / (n + 1).
 *
 * <p>Memory: one reference per slot to the interaction it keeps, about 44 bytes per slot with compressed references
 * ({@link io.jrlstream.core.view.StreamSettings#BYTES_PER_SLOT}); slots are allocated as the reservoir fills (by
 * doubling), not up front. Not thread-safe: owned by one trainer.
 */
public final class Reservoir {
  private final int capacity;
  private final long seed;
  private final Rng rng = new Rng(0);
  private Interaction[] slots = new Interaction[0];
  private int size;
  private long offered;

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
      slots[size++] = x;
      return;
    }
    // Uniform in [0, n]: the modulo bias, at most (n + 1) / 2^63, is far below anything measurable.
    long j = Math.floorMod(rng.reseed(Rng.mix(seed, n)).nextLong(), n + 1);
    if (j < capacity) {
      slots[(int) j] = x;
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
}
