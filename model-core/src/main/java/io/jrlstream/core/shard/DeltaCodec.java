package io.jrlstream.core.shard;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The wire format of the messages a sharded view's tasks send each other through the update topic
 * (docs/scaling.md "Transport"): a round's {@link Delta}, or the end of a task's epoch. Compact and exact: keys as
 * 4-byte ints, floats as their raw IEEE 754 bits (or, for a table whose values the sender rounded to bfloat16, their
 * high 16 bits), so a decoded delta adds exactly what the sender captured.
 *
 * <p>Layout (big-endian): magic {@code 'J' 'D'}, format version (1 byte), kind (1 byte: 0 delta, 1 epoch end),
 * source task (int), then for a delta: round (int), tables (int), and per table: floats per row (int), bytes per
 * value (1 byte: 4 or 2), rows (int), held keys (int), the row keys, the held keys, the rows' values; for an epoch
 * end: epoch (int), the last round the task closed in it (int). Version 1 (before bfloat16: no bytes-per-value byte,
 * every value 4 bytes) is not read: a task of an older build is refused, as one of other settings is.
 *
 * <p>Stateless and thread-safe.
 */
public final class DeltaCodec {
  /** Format version written and the only one read. */
  public static final int VERSION = 2;
  private static final byte MAGIC0 = 'J';
  private static final byte MAGIC1 = 'D';
  private static final int HEADER = 2 + 1 + 1 + 4;

  private DeltaCodec() {}

  /** What a message carries. */
  public enum Kind {
    /** A round's delta. */
    DELTA,
    /** The end of the source task's epoch, with the last round it closed in it. */
    END
  }

  /**
   * A decoded message.
   *
   * @param kind delta or epoch end
   * @param source the task that sent it
   * @param round a delta's round; for an epoch end, the last round the source closed in it
   * @param epoch an epoch end's epoch (−1 for a delta)
   * @param delta a delta's rows (null for an epoch end)
   */
  public record Message(Kind kind, int source, int round, int epoch, Delta delta) {}

  /** Encodes task {@code source}'s round-{@code round} delta. */
  public static byte[] encodeDelta(int source, int round, Delta d) {
    int tables = d.tables();
    long size = HEADER + 8L;
    for (int t = 0; t < tables; t++) {
      size += 13L + 4L * d.count(t) + 4L * d.heldCount(t) + (long) d.valueBytes(t) * d.count(t) * d.dim(t);
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("task " + source + ": round " + round + "'s delta takes " + size
          + " bytes, more than one message holds");
    }
    ByteBuffer b = header((int) size, Kind.DELTA, source).putInt(round).putInt(tables);
    for (int t = 0; t < tables; t++) {
      int n = d.count(t);
      int h = d.heldCount(t);
      int w = d.dim(t);
      int vb = d.valueBytes(t);
      b.putInt(w).put((byte) vb).putInt(n).putInt(h);
      for (int i = 0; i < n; i++) {
        b.putInt(d.key(t, i));
      }
      for (int i = 0; i < h; i++) {
        b.putInt(d.heldKey(t, i));
      }
      float[] v = d.values(t);
      if (vb == 2) {
        for (int i = 0; i < n * w; i++) {
          b.putShort((short) (Float.floatToRawIntBits(v[i]) >>> 16)); // rounded at capture: the low half is 0
        }
      } else {
        for (int i = 0; i < n * w; i++) {
          b.putInt(Float.floatToRawIntBits(v[i]));
        }
      }
    }
    return b.array();
  }

  /** Encodes the end of task {@code source}'s epoch {@code epoch}, whose last round it closed was {@code lastRound}. */
  public static byte[] encodeEnd(int source, int epoch, int lastRound) {
    return header(HEADER + 8, Kind.END, source).putInt(epoch).putInt(lastRound).array();
  }

  private static ByteBuffer header(int size, Kind kind, int source) {
    return ByteBuffer.allocate(size).put(MAGIC0).put(MAGIC1).put((byte) VERSION).put((byte) kind.ordinal())
        .putInt(source);
  }

  /**
   * Whether {@code bytes} start as a shard message does (its magic bytes, a whole header): what is not is foreign
   * input that a task may skip; what is, and still does not decode, was sent by a task of another configuration or
   * build, which a task must not skip.
   */
  public static boolean isShardMessage(byte[] bytes) {
    return bytes != null && bytes.length >= HEADER && bytes[0] == MAGIC0 && bytes[1] == MAGIC1;
  }

  /**
   * Decodes a message for a task whose shared tables have {@code widths} floats per row.
   *
   * @throws IllegalArgumentException naming what is wrong when the bytes are not such a message (another format or
   *     version, a truncated or over-long message, tables that do not match {@code widths}, negative counts)
   */
  public static Message decode(byte[] bytes, int[] widths) {
    if (bytes == null || bytes.length < HEADER) {
      throw new IllegalArgumentException("not a shard message: " + (bytes == null ? "null" : bytes.length + " bytes")
          + ", fewer than the " + HEADER + "-byte header");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (b.get() != MAGIC0 || b.get() != MAGIC1) {
      throw new IllegalArgumentException("not a shard message: bad magic bytes " + Arrays.toString(
          Arrays.copyOf(bytes, 2)));
    }
    int version = b.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("shard message of format version " + version + ", this build reads "
          + VERSION);
    }
    int kind = b.get();
    if (kind < 0 || kind >= Kind.values().length) {
      throw new IllegalArgumentException("shard message of unknown kind " + kind);
    }
    try {
      int source = b.getInt();
      Message m;
      if (kind == Kind.END.ordinal()) {
        int epoch = b.getInt();
        m = new Message(Kind.END, source, b.getInt(), epoch, null);
      } else {
        int round = b.getInt();
        m = new Message(Kind.DELTA, source, round, -1, readDelta(b, widths, source, round));
      }
      if (b.hasRemaining()) {
        throw new IllegalArgumentException("shard message from task " + source + " has " + b.remaining()
            + " bytes after its end");
      }
      if (source < 0 || m.round() < 0 || m.kind() == Kind.END && m.epoch() < 0) {
        throw new IllegalArgumentException("shard message with a negative task, round or epoch: " + m);
      }
      return m;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated shard message (" + bytes.length + " bytes)", e);
    }
  }

  private static Delta readDelta(ByteBuffer b, int[] widths, int source, int round) {
    int tables = b.getInt();
    if (tables != widths.length) {
      throw new IllegalArgumentException("delta of task " + source + ", round " + round + ": " + tables
          + " shared tables, this view has " + widths.length);
    }
    Delta d = new Delta(widths);
    for (int t = 0; t < tables; t++) {
      int w = b.getInt();
      int vb = b.get();
      int n = b.getInt();
      int h = b.getInt();
      if (w != widths[t]) {
        throw new IllegalArgumentException("delta of task " + source + ", round " + round + ": table " + t + " has "
            + w + " floats per row, this view " + widths[t]);
      }
      if (vb != 2 && vb != 4) {
        throw new IllegalArgumentException("delta of task " + source + ", round " + round + ": table " + t
            + " claims " + vb + " bytes per value (2 or 4)");
      }
      d.valueBytes(t, vb);
      if (n < 0 || h < 0 || (long) n * (4 + (long) vb * w) + 4L * h > b.remaining()) {
        throw new IllegalArgumentException("delta of task " + source + ", round " + round + ": table " + t
            + " claims " + n + " rows and " + h + " held keys, more than the " + b.remaining() + " bytes left");
      }
      for (int i = 0; i < n + h; i++) {
        int key = b.getInt();
        if (key < 0) {
          throw new IllegalArgumentException("delta of task " + source + ", round " + round + ": table " + t
              + " holds the negative key " + key);
        }
        if (i < n) {
          d.append(t, key);
        } else {
          d.hold(t, key);
        }
      }
      float[] v = d.values(t);
      for (int i = 0; i < n * w; i++) {
        v[i] = Float.intBitsToFloat(vb == 2 ? b.getShort() << 16 : b.getInt());
      }
    }
    return d;
  }
}
