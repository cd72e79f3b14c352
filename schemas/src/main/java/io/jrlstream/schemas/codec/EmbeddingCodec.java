package io.jrlstream.schemas.codec;

import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.EntityKind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

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
        String fields = codec.schema().getFields().stream().map(org.apache.avro.Schema.Field::name).toList()
                .toString();
        if (!fields.equals(FIELDS)) {
            throw new SchemaException("EmbeddingCodec writes the fields " + FIELDS + " but EmbeddingRecord has "
                    + fields + "; update the codec with the schema");
        }
        this.header = ByteBuffer.allocate(AvroCodec.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) 0xC3).put((byte) 0x01).putLong(codec.fingerprint()).array();
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
        byte[] view = viewName.getBytes(StandardCharsets.UTF_8);
        byte[] id = entityId.getBytes(StandardCharsets.UTF_8);
        int n = vector.length;
        ByteBuffer b = ByteBuffer.allocate(AvroCodec.HEADER_LENGTH + 5 + view.length + 5 + 5 + id.length + 5 + 4 * n
                + 1 + 10 + 10).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header);
        putLong(b, view.length);
        b.put(view);
        putLong(b, kind.ordinal());
        putLong(b, id.length);
        b.put(id);
        if (n > 0) {
            putLong(b, n); // one block holding every element, then the empty block that ends the array
            for (float f : vector) {
                b.putFloat(f);
            }
        }
        putLong(b, 0);
        putLong(b, updateCount);
        putLong(b, eventTimeMillis);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** Avro's zig-zag variable-length long. */
    private static void putLong(ByteBuffer b, long v) {
        long n = (v << 1) ^ (v >> 63);
        while ((n & ~0x7FL) != 0) {
            b.put((byte) ((n & 0x7F) | 0x80));
            n >>>= 7;
        }
        b.put((byte) n);
    }
}
