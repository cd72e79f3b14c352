package io.jrlstream.core.state;

import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.RowCodec;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * One block of a trainer's state kept as numbered rows: a parameter block with its optimiser state
 * ({@link #of(Param)}), or structure (id indices, vocabulary counts, sampler, windows, counters) that records
 * which rows changed. A checkpoint writes the rows changed since the previous one; a restore decodes every stored
 * row of the block, in ascending row order (a row may be decoded twice, an older version first: decoding
 * replaces), then calls {@link #loaded()} once.
 *
 * <p>Owned by one view's training thread; not thread-safe.
 */
public interface StateBlock {
  /** Rows that exist, indices {@code [0, size)}. */
  int size();

  /** Rows changed since the last {@link #drainDirty}. */
  int dirtyCount();

  /** Hands every row changed since the last call to sink, in a deterministic order, and forgets them. */
  void drainDirty(IntConsumer sink);

  /** The bytes of row i (a copy: later changes to the row do not change them). */
  byte[] encode(int row);

  /** Restores row i from {@link #encode}'s bytes, growing the block as needed; replaces what row i held. */
  void decode(int row, byte[] bytes);

  /**
   * Called once after a restore decoded every stored row: derived structure (hash tables, heaps) is rebuilt here,
   * and nothing counts as changed afterwards.
   */
  default void loaded() {}

  /**
   * A block of one row that every checkpoint writes (counters): {@code encode} gives its bytes, {@code decode}
   * restores from them.
   */
  static StateBlock single(Supplier<byte[]> encode, Consumer<byte[]> decode) {
    return new StateBlock() {
      @Override
      public int size() {
        return 1;
      }

      @Override
      public int dirtyCount() {
        return 1;
      }

      @Override
      public void drainDirty(IntConsumer sink) {
        sink.accept(0);
      }

      @Override
      public byte[] encode(int row) {
        return encode.get();
      }

      @Override
      public void decode(int row, byte[] bytes) {
        decode.accept(bytes);
      }
    };
  }

  /** A parameter block: its rows' values and optimiser state in {@link RowCodec}'s format. */
  static StateBlock of(Param p) {
    return new StateBlock() {
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

      @Override
      public void loaded() {
        p.value().drainDirty(r -> { });
      }
    };
  }

  /** Restores row {@code row} of a {@link #tracked} block from its bytes. */
  @FunctionalInterface
  interface RowDecoder {
    void decode(int row, byte[] bytes);
  }

  /**
   * A block of {@code size} rows whose changes {@code dirty} records (and forgets once a restore has loaded the
   * block): row i's bytes are {@code encode.apply(i)}, and {@code decode} restores a row from them.
   */
  static StateBlock tracked(IntSupplier size, DirtyRows dirty, IntFunction<byte[]> encode, RowDecoder decode) {
    return new StateBlock() {
      @Override
      public int size() {
        return size.getAsInt();
      }

      @Override
      public int dirtyCount() {
        return dirty.count();
      }

      @Override
      public void drainDirty(IntConsumer sink) {
        dirty.drain(sink);
      }

      @Override
      public byte[] encode(int row) {
        return encode.apply(row);
      }

      @Override
      public void decode(int row, byte[] bytes) {
        decode.decode(row, bytes);
      }

      @Override
      public void loaded() {
        dirty.clear();
      }
    };
  }
}
