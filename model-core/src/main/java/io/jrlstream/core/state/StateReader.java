package io.jrlstream.core.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads one row written by {@link StateWriter}, checking its format version first. Not thread-safe.
 */
public final class StateReader {
  private final ByteBuffer buf;

  /**
   * @param what the block and row, for the message
   * @throws IllegalArgumentException naming {@code what} when the row is in another format version
   */
  public StateReader(byte[] bytes, int version, String what) {
    buf = ByteBuffer.wrap(bytes);
    int v = buf.get();
    if (v != version) {
      throw new IllegalArgumentException(what + ": unknown state format version " + v + " (this build reads version "
          + version + "); reset the application's state");
    }
  }

  public int getInt() {
    return buf.getInt();
  }

  public long getLong() {
    return buf.getLong();
  }

  public float getFloat() {
    return buf.getFloat();
  }

  /** The ints written by {@link StateWriter#putInts}. */
  public int[] getInts() {
    int[] a = new int[buf.getInt()];
    for (int i = 0; i < a.length; i++) {
      a[i] = buf.getInt();
    }
    return a;
  }

  /** The longs written by {@link StateWriter#putLongs}. */
  public long[] getLongs() {
    long[] a = new long[buf.getInt()];
    for (int i = 0; i < a.length; i++) {
      a[i] = buf.getLong();
    }
    return a;
  }

  /** The floats written by {@link StateWriter#putFloats}. */
  public float[] getFloats() {
    float[] a = new float[buf.getInt()];
    for (int i = 0; i < a.length; i++) {
      a[i] = buf.getFloat();
    }
    return a;
  }

  /** The string written by {@link StateWriter#putString} (null for null). */
  public String getString() {
    int n = buf.getInt();
    if (n < 0) {
      return null;
    }
    String s = new String(buf.array(), buf.position(), n, StandardCharsets.UTF_8);
    buf.position(buf.position() + n);
    return s;
  }
}
