package io.jrlstream.streams.train;

import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.RowCodec;
import java.util.function.IntConsumer;

/**
 * One block of rows that a {@link CheckpointStore} writes and loads: a parameter block with its optimiser state
 * ({@link #of(Param)}), or any other state kept as numbered rows that records which of them changed.
 *
 * <p>Owned by one view's training thread; not thread-safe.
 */
public interface CheckpointBlock {
  /** Rows that exist, indices {@code [0, size)}. */
  int size();

  /** Rows changed since the last {@link #drainDirty}. */
  int dirtyCount();

  /** Hands every row changed since the last call to sink, in a deterministic order, and forgets them. */
  void drainDirty(IntConsumer sink);

  /** The bytes of row i (a copy: later changes to the row do not change them). */
  byte[] encode(int row);

  /** Restores row i from {@link #encode}'s bytes, growing the block as needed. */
  void decode(int row, byte[] bytes);

  /** A parameter block: its rows' values and optimiser state in {@link RowCodec}'s format. */
  static CheckpointBlock of(Param p) {
    return new CheckpointBlock() {
      @Override
      public int size() {
        return p.value().size();
      }

      @Override
      public int dirtyCount() {
        return p.value().dirtyCount();
      }

      @Override
      public void drainDirty(IntConsumer sink) {
        p.value().drainDirty(sink);
      }

      @Override
      public byte[] encode(int row) {
        return RowCodec.encode(p, row);
      }

      @Override
      public void decode(int row, byte[] bytes) {
        RowCodec.decode(p, row, bytes);
      }
    };
  }
}
