package io.jrlstream.schemas.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;

/**
 * The pieces of Avro's binary encoding that the hand-written writers ({@link EmbeddingCodec},
 * {@link ImageFeatureCodec}) share: the single-object header, zig-zag variable-length longs, strings and
 * a float array written as one block. Buffers are little-endian, as Avro's floats are.
 *
 * <p>Stateless static methods; each writes at the buffer's position and advances it.
 */
final class AvroBinary {
  private AvroBinary() {}

  /**
   * @param codec the codec whose current schema's fingerprint the header names
   * @return the {@link AvroCodec#HEADER_LENGTH}-byte single-object header {@code codec} writes
   */
  static byte[] header(AvroCodec<?> codec) {
    return ByteBuffer.allocate(AvroCodec.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
        .put((byte) 0xC3).put((byte) 0x01).putLong(codec.fingerprint()).array();
  }

  /** Checks that the codec's schema has exactly the fields a writer implements, in order. */
  static void requireFields(AvroCodec<?> codec, String fields, String writer) {
    String actual = codec.schema().getFields().stream().map(Schema.Field::name).toList()
        .toString();
    if (!actual.equals(fields)) {
      throw new SchemaException(writer + " writes the fields " + fields + " but " + codec.schema().getName()
          + " has " + actual + "; update the writer with the schema");
    }
  }

  /** Avro's zig-zag variable-length long (ints are written the same way). */
  static void putLong(ByteBuffer b, long v) {
    long n = (v << 1) ^ (v >> 63);
    while ((n & ~0x7FL) != 0) {
      b.put((byte) ((n & 0x7F) | 0x80));
      n >>>= 7;
    }
    b.put((byte) n);
  }

  /** @return how many bytes {@link #putLong} writes for {@code v} */
  static int longSize(long v) {
    long n = (v << 1) ^ (v >> 63);
    int size = 1;
    while ((n & ~0x7FL) != 0) {
      size++;
      n >>>= 7;
    }
    return size;
  }

  /** @return how many bytes {@link #putBytes} writes for {@code bytes} */
  static int bytesSize(byte[] bytes) {
    return longSize(bytes.length) + bytes.length;
  }

  /** A string's UTF-8 bytes, for {@link #putBytes} after sizing the buffer. */
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Avro bytes or string: the length, then the bytes. */
  static void putBytes(ByteBuffer b, byte[] bytes) {
    putLong(b, bytes.length);
    b.put(bytes);
  }

  /**
   * An array of floats: one block holding every element, then the empty block that ends the array (an empty
   * array is the end block alone), as Avro's writer writes it.
   */
  static void putFloats(ByteBuffer b, float[] values, int from, int n) {
    if (n > 0) {
      putLong(b, n);
      for (int i = from, end = from + n; i < end; i++) {
        b.putFloat(values[i]);
      }
    }
    putLong(b, 0);
  }

  /** @return how many bytes {@link #putFloats} writes for {@code n} floats */
  static int floatsSize(int n) {
    return n > 0 ? longSize(n) + 4 * n + 1 : 1;
  }
}
