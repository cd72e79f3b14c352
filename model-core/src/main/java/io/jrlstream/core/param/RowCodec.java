package io.jrlstream.core.param;

import java.nio.ByteBuffer;

/**
 * Encodes one row of a {@link Param} — its values and whatever optimiser state it has — as bytes, and
 * back. The streaming trainer writes changed rows to its state store with it. Format, version 1:
 * {@code [version byte][flags byte: 1 = state1, 2 = state2][dim int][values][state1?][state2?]}, floats
 * big-endian; other versions are refused with a clear message.
 */
public final class RowCodec {
  private static final byte VERSION = 1;

  private RowCodec() {}

  /** The bytes of row i of p. */
  public static byte[] encode(Param p, int i) {
    int dim = p.value().dim();
    float[] s1 = p.state1OrNull(i);
    float[] s2 = p.state2OrNull(i);
    int n = 1 + (s1 != null ? 1 : 0) + (s2 != null ? 1 : 0);
    ByteBuffer b = ByteBuffer.allocate(6 + 4 * dim * n);
    b.put(VERSION).put((byte) ((s1 != null ? 1 : 0) | (s2 != null ? 2 : 0))).putInt(dim);
    put(b, p.value().row(i));
    if (s1 != null) {
      put(b, s1);
    }
    if (s2 != null) {
      put(b, s2);
    }
    return b.array();
  }

  /**
   * Restores row i of p from {@link #encode}'s bytes (the table grows to hold it).
   *
   * @throws IllegalArgumentException on an unknown version or a dimension that does not match
   */
  public static void decode(Param p, int i, byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    byte version = b.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("row " + i + " of " + p.value().name() + ": unknown row format version "
          + version + " (this build reads version " + VERSION + ")");
    }
    int flags = b.get();
    int dim = b.getInt();
    if (dim != p.value().dim()) {
      throw new IllegalArgumentException("row " + i + " of " + p.value().name() + " has " + dim
          + " floats, the table has rows of " + p.value().dim());
    }
    float[] v = new float[dim];
    get(b, v);
    p.value().set(i, v);
    p.resetState(i); // the row's state is what the bytes hold: none, when they hold none
    if ((flags & 1) != 0) {
      get(b, p.state1(i));
    }
    if ((flags & 2) != 0) {
      get(b, p.state2(i));
    }
  }

  private static void put(ByteBuffer b, float[] x) {
    for (float f : x) {
      b.putFloat(f);
    }
  }

  private static void get(ByteBuffer b, float[] x) {
    for (int j = 0; j < x.length; j++) {
      x[j] = b.getFloat();
    }
  }
}
