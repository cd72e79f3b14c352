package io.jrlstream.core.state;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The rows of a {@link StateBlock} changed since the last checkpoint, each once, in order of first change. Marking
 * is O(1) and allocates only when the block grows past what it has seen. Not thread-safe.
 */
public final class DirtyRows {
  private boolean[] marked = new boolean[16];
  private int[] rows = new int[16];
  private int count;

  /** Records that row changed. */
  public void mark(int row) {
    if (row >= marked.length) {
      marked = Arrays.copyOf(marked, Math.max(row + 1, marked.length * 2));
    }
    if (!marked[row]) {
      marked[row] = true;
      if (count == rows.length) {
        rows = Arrays.copyOf(rows, count * 2);
      }
      rows[count++] = row;
    }
  }

  /** Records that rows [from, to) changed. */
  public void markRange(int from, int to) {
    for (int r = from; r < to; r++) {
      mark(r);
    }
  }

  /** Rows changed since the last {@link #drain}. */
  public int count() {
    return count;
  }

  /** Hands every changed row to sink, in order of first change, and forgets them. */
  public void drain(IntConsumer sink) {
    for (int k = 0; k < count; k++) {
      marked[rows[k]] = false;
      sink.accept(rows[k]);
    }
    count = 0;
  }

  /** Forgets every changed row. */
  public void clear() {
    drain(r -> { });
  }
}
