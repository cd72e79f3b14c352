package io.jrlstream.ops.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The NumPy {@code .npy} format, version 1.0, for 2-d float32 matrices in C (row-major) order: magic
 * {@code \x93NUMPY}, version bytes 1 0, a little-endian uint16 header length, an ASCII Python dict literal
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (rows, cols), }} padded with spaces and ended by a
 * newline so that the data starts at a multiple of 64 bytes, then the values, little-endian. Written by hand to
 * stay free of dependencies; {@link #header} parses it back (for tests and tools).
 *
 * <p>Stateless and thread-safe.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};

  private Npy() {}

  /** The bytes before the data of a {@code rows x cols} float32 matrix. */
  public static byte[] header(long rows, int cols) {
    String dict = String.format(Locale.ROOT, "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", rows,
        cols);
    int unpadded = MAGIC.length + 2 + dict.length() + 1;
    int total = (unpadded + 63) / 64 * 64;
    String padded = dict + " ".repeat(total - unpadded) + "\n";
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putShort((short) padded.length()).put(padded.getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  /** Writes one row's values, little-endian; {@code scratch} must hold 4·row.length bytes. */
  public static void writeRow(OutputStream out, float[] row, ByteBuffer scratch) throws IOException {
    scratch.clear();
    scratch.order(ByteOrder.LITTLE_ENDIAN);
    for (float x : row) {
      scratch.putFloat(x);
    }
    out.write(scratch.array(), 0, row.length * Float.BYTES);
  }

  /**
   * The shape in a float32 C-order {@code .npy} header.
   *
   * @return {rows, cols}
   * @throws IllegalArgumentException when the bytes are not such a header (naming what differs)
   */
  public static long[] shape(byte[] file) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (file.length <= i || file[i] != MAGIC[i]) {
        throw new IllegalArgumentException("not a version 1.0 .npy file (magic/version bytes differ at " + i + ")");
      }
    }
    int len = ByteBuffer.wrap(file, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
    String dict = new String(file, 10, len, StandardCharsets.US_ASCII);
    if ((10 + len) % 64 != 0 || !dict.endsWith("\n")) {
      throw new IllegalArgumentException("header of " + len + " bytes is not padded to 64 or not ended by a newline");
    }
    if (!dict.contains("'descr': '<f4'") || !dict.contains("'fortran_order': False")) {
      throw new IllegalArgumentException("not little-endian float32 in C order: " + dict.strip());
    }
    var m = Pattern.compile("'shape': \\((\\d+), (\\d+)\\)").matcher(dict);
    if (!m.find()) {
      throw new IllegalArgumentException("no 2-d shape in " + dict.strip());
    }
    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
  }
}
