package io.jrlstream.streams.shard;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * An event as the router hands it to a sharded view's task: the user's and the item's view-wide indices (assigned by
 * the router in the validated topic's order, so that every task keys shared rows alike and a row starts at the same
 * initial value everywhere), the stars and time the view trains on, the ids (for publication), and whether this is
 * the item's first event in the view (its task then publishes the item's row: one publisher per row).
 *
 * <p>Layout (big-endian): version (1 byte), flags (1 byte: bit 0, the item's first event), user index (int), item
 * index (int), stars (float, NaN: none), event time (long, epoch ms), user id and item id (each a 2-byte length and
 * UTF-8 bytes).
 *
 * @param user the user's index
 * @param item the item's index
 * @param stars the rating, NaN when none
 * @param time the event time, epoch ms
 * @param firstOfItem whether this is the item's first event in the view
 * @param userId the user's id
 * @param itemId the item's id
 */
record RoutedEvent(int user, int item, float stars, long time, boolean firstOfItem, String userId, String itemId) {
  private static final int VERSION = 1;
  /** Longest id, in UTF-8 bytes, the layout holds (its 2-byte length). */
  static final int MAX_ID_BYTES = 0xFFFF;

  /** Whether both ids fit the layout ({@link #MAX_ID_BYTES} each). */
  static boolean fits(String userId, String itemId) {
    return fits(userId) && fits(itemId);
  }

  private static boolean fits(String id) {
    // UTF-8 takes at most 3 bytes per UTF-16 char: only a long id is encoded to be measured.
    return id.length() <= MAX_ID_BYTES / 3 || id.getBytes(StandardCharsets.UTF_8).length <= MAX_ID_BYTES;
  }

  byte[] encode() {
    byte[] u = userId.getBytes(StandardCharsets.UTF_8);
    byte[] i = itemId.getBytes(StandardCharsets.UTF_8);
    if (u.length > MAX_ID_BYTES || i.length > MAX_ID_BYTES) {
      throw new IllegalArgumentException("an id of more than 65,535 bytes: user " + u.length + ", item " + i.length);
    }
    return ByteBuffer.allocate(2 + 4 + 4 + 4 + 8 + 2 + u.length + 2 + i.length).put((byte) VERSION)
        .put((byte) (firstOfItem ? 1 : 0)).putInt(user).putInt(item).putFloat(stars).putLong(time)
        .putShort((short) u.length).put(u).putShort((short) i.length).put(i).array();
  }

  /** @throws IllegalArgumentException when the bytes are not a routed event of this version */
  static RoutedEvent decode(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      int version = b.get();
      if (version != VERSION) {
        throw new IllegalArgumentException("routed event of version " + version + ", this build reads " + VERSION);
      }
      boolean first = (b.get() & 1) != 0;
      int user = b.getInt();
      int item = b.getInt();
      float stars = b.getFloat();
      long time = b.getLong();
      String u = text(b);
      String i = text(b);
      if (user < 0 || item < 0 || b.hasRemaining()) {
        throw new IllegalArgumentException("not a routed event: negative index or trailing bytes");
      }
      return new RoutedEvent(user, item, stars, time, first, u, i);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated routed event (" + bytes.length + " bytes)", e);
    }
  }

  private static String text(ByteBuffer b) {
    byte[] t = new byte[b.getShort() & 0xFFFF];
    b.get(t);
    return new String(t, StandardCharsets.UTF_8);
  }
}
