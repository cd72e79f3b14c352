package io.jrlstream.core.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one row of structure state: a format version byte, then values big-endian ({@link StateReader} reads them
 * back). Growable; {@link #toBytes()} returns an exact-size copy. Not thread-safe.
 */
public final class StateWriter {
  private ByteBuffer buf;

  /** A row in format {@code version} (the reader refuses any other). */
  public StateWriter(int version) {
    buf = ByteBuffer.allocate(64);
    buf.put((byte) version);
  }

  private void room(int bytes) {
    if (buf.remaining() < bytes) {
      ByteBuffer b = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + bytes));
      buf.flip();
      b.put(buf);
      buf = b;
    }
  }

  public StateWriter putInt(int v) {
    room(4);
    buf.putInt(v);
    return this;
  }

  public StateWriter putLong(long v) {
    room(8);
    buf.putLong(v);
    return this;
  }

  public StateWriter putFloat(float v) {
    room(4);
    buf.putFloat(v);
    return this;
  }

  /** A length, then {@code n} ints of {@code a} from {@code from}. */
  public StateWriter putInts(int[] a, int from, int n) {
    room(4 + 4 * n);
    buf.putInt(n);
    for (int i = 0; i < n; i++) {
      buf.putInt(a[from + i]);
    }
    return this;
  }

  /** A length, then {@code n} longs of {@code a} from {@code from}. */
  public StateWriter putLongs(long[] a, int from, int n) {
    room(4 + 8 * n);
    buf.putInt(n);
    for (int i = 0; i < n; i++) {
      buf.putLong(a[from + i]);
    }
    return this;
  }

  /** A length, then {@code n} floats of {@code a} from {@code from}. */
  public StateWriter putFloats(float[] a, int from, int n) {
    room(4 + 4 * n);
    buf.putInt(n);
    for (int i = 0; i < n; i++) {
      buf.putFloat(a[from + i]);
    }
    return this;
  }

  /** A string as its UTF-8 length and bytes (null as length -1). */
  public StateWriter putString(String s) {
    if (s == null) {
      return putInt(-1);
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    room(4 + b.length);
    buf.putInt(b.length);
    buf.put(b);
    return this;
  }

  /** The row's bytes. */
  public byte[] toBytes() {
    return Arrays.copyOf(buf.array(), buf.position());
  }
}
