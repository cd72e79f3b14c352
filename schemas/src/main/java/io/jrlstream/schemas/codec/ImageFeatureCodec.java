package io.jrlstream.schemas.codec;

import io.jrlstream.schemas.ImageFeatureEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Writes {@link ImageFeatureEvent} messages straight from a {@code float[]}: byte for byte what
 * {@code AvroCodec.of(ImageFeatureEvent.class).encode(event)} writes for the same values (single-object header,
 * then the Avro binary body of the current schema), without the boxed {@code List<Float>} the generic writer
 * walks one virtual call and one box at a time. The image path writes 4096 features per image.
 *
 * <p>Decoding stays with {@link AvroCodec}, which resolves every published version. The equivalence is tested
 * against it for random events; a change to the ImageFeatureEvent schema must change this class too (the
 * constructor refuses to run against any other schema).
 *
 * <p>Immutable and thread-safe.
 */
public final class ImageFeatureCodec {
  /** Field names of the schema version this writer implements, in order. */
  private static final String FIELDS = "[eventId, eventTime, itemId, modelId, modelVersion, dimension, features]";

  private final byte[] header;

  private ImageFeatureCodec(AvroCodec<ImageFeatureEvent> codec) {
    AvroBinary.requireFields(codec, FIELDS, "ImageFeatureCodec");
    this.header = AvroBinary.header(codec);
  }

  /** A codec for the current ImageFeatureEvent schema of {@link SchemaHistory#standard()}. */
  public static ImageFeatureCodec create() {
    return new ImageFeatureCodec(AvroCodec.of(ImageFeatureEvent.class));
  }

  /**
   * Encodes one event whose features are {@code features[from … from + n − 1]}.
   *
   * @param eventId         the event id
   * @param eventTimeMillis the event time, epoch milliseconds
   * @param itemId          the item id
   * @param modelId         the model id
   * @param modelVersion    the model version
   * @param dimension       the declared dimension (written as given, as the record's field is)
   * @param features        holds the features; not modified
   * @param from            index of the first feature in {@code features}
   * @param n               number of features
   * @return a new array holding the single-object-encoded message
   * @throws IndexOutOfBoundsException when the range is not within {@code features}
   */
  public byte[] encode(String eventId, long eventTimeMillis, String itemId, String modelId, String modelVersion,
      int dimension, float[] features, int from, int n) {
    Objects.checkFromIndexSize(from, n, features.length);
    byte[] event = AvroBinary.utf8(eventId);
    byte[] item = AvroBinary.utf8(itemId);
    byte[] model = AvroBinary.utf8(modelId);
    byte[] version = AvroBinary.utf8(modelVersion);
    // sized exactly, so that the buffer's array is the message: no copy of the 16 KB a 4096-feature event takes
    ByteBuffer b = ByteBuffer.allocate(header.length + AvroBinary.bytesSize(event)
        + AvroBinary.longSize(eventTimeMillis) + AvroBinary.bytesSize(item) + AvroBinary.bytesSize(model)
        + AvroBinary.bytesSize(version) + AvroBinary.longSize(dimension) + AvroBinary.floatsSize(n))
        .order(ByteOrder.LITTLE_ENDIAN);
    b.put(header);
    AvroBinary.putBytes(b, event);
    AvroBinary.putLong(b, eventTimeMillis);
    AvroBinary.putBytes(b, item);
    AvroBinary.putBytes(b, model);
    AvroBinary.putBytes(b, version);
    AvroBinary.putLong(b, dimension);
    AvroBinary.putFloats(b, features, from, n);
    if (b.hasRemaining()) {
      throw new IllegalStateException("ImageFeatureCodec sized " + b.capacity() + " bytes but wrote " + b.position());
    }
    return b.array();
  }
}
