package io.jrlstream.streams.serve;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The value format of the interactions store: a user's interacted item ids, oldest first, as a count
 * followed by length-prefixed UTF-8 ids. Versioned by its first byte so that a later format is recognised.
 * Stateless and thread-safe.
 */
final class ItemIdList {
  private static final byte VERSION = 1;

  private ItemIdList() {}

  static byte[] encode(List<String> ids) {
    List<byte[]> bytes = new ArrayList<>(ids.size());
    int total = 1 + 4;
    for (String id : ids) {
      byte[] b = id.getBytes(StandardCharsets.UTF_8);
      bytes.add(b);
      total += 4 + b.length;
    }
    ByteBuffer out = ByteBuffer.allocate(total).put(VERSION).putInt(ids.size());
    for (byte[] b : bytes) {
      out.putInt(b.length).put(b);
    }
    return out.array();
  }

  /** @throws IllegalStateException for bytes of an unknown format version */
  static List<String> decode(byte[] value) {
    if (value == null) {
      return List.of();
    }
    ByteBuffer in = ByteBuffer.wrap(value);
    byte version = in.get();
    if (version != VERSION) {
      throw new IllegalStateException("interaction list of unknown format version " + version + " (known: "
          + VERSION + ")");
    }
    int n = in.getInt();
    List<String> ids = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[in.getInt()];
      in.get(b);
      ids.add(new String(b, StandardCharsets.UTF_8));
    }
    return ids;
  }
}
