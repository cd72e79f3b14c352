package io.jrlstream.schemas.codec;

import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.EntityKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Writes {@link EmbeddingRecord} messages straight from a {@code float[]}: byte for byte what
 * {@code AvroCodec.of(EmbeddingRecord.class).encode(record)} writes for the same values (single-object
 * header, then the Avro binary body of the current schema), without building the record and its boxed
 * {@code List<Float>}. Trainers publish hundreds of 300-float vectors per mini-batch, where the generic
 * writer (one boxed float and one virtual call per element) costs more than the training step.
 *
 * <p>Decoding stays with {@link AvroCodec}, which resolves every published version. The equivalence is
 * tested against it for random records; a change to the EmbeddingRecord schema must change this class
 * too (the constructor refuses to run against any other schema).
 *
 * <p>Immutable and thread-safe.
 */
public final class EmbeddingCodec {

  /** Field names of the schema version this writer implements, in order. */
  private static final String FIELDS = "[viewName, kind, entityId, vector, updateCount, eventTime]";

  private final byte[] header;

  private EmbeddingCodec(AvroCodec<EmbeddingRecord> codec) {
    AvroBinary.requireFields(codec, FIELDS, "EmbeddingCodec");
    this.header = AvroBinary.header(codec);
  }

  /** A codec for the current EmbeddingRecord schema of {@link SchemaHistory#standard()}. */
  public static EmbeddingCodec create() {
    return new EmbeddingCodec(AvroCodec.of(EmbeddingRecord.class));
  }

  /**
   * Encodes one record.
   *
   * @param viewName    the view's name
   * @param kind        user or item
   * @param entityId    the external id
   * @param vector      the embedding; not modified
   * @param updateCount the update count field
   * @param eventTimeMillis the event time field, epoch milliseconds
   * @return a new array holding the single-object-encoded message
   */
  public byte[] encode(String viewName, EntityKind kind, String entityId, float[] vector, long updateCount,
      long eventTimeMillis) {
    byte[] view = AvroBinary.utf8(viewName);
    byte[] id = AvroBinary.utf8(entityId);
    int n = vector.length;
    byte[] out = new byte[header.length + AvroBinary.bytesSize(view) + AvroBinary.longSize(kind.ordinal())
        + AvroBinary.bytesSize(id) + AvroBinary.floatsSize(n) + AvroBinary.longSize(updateCount)
        + AvroBinary.longSize(eventTimeMillis)]; // exact: one allocation per record
    ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    b.put(header);
    AvroBinary.putBytes(b, view);
    AvroBinary.putLong(b, kind.ordinal());
    AvroBinary.putBytes(b, id);
    AvroBinary.putFloats(b, vector, 0, n);
    AvroBinary.putLong(b, updateCount);
    AvroBinary.putLong(b, eventTimeMillis);
    return out;
  }
}
