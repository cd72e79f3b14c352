package io.jrlstream.schemas.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes one generated record type to Avro single-object encoding and decodes it back, resolving
 * messages written with any published version of the type (see {@link SchemaHistory}) to the current
 * class.
 *
 * <p>Wire format: {@code 0xC3 0x01}, the writer schema's 8-byte little-endian CRC-64-AVRO fingerprint,
 * then the Avro binary body. It is exactly what Avro's {@code BinaryMessageEncoder} writes, and
 * {@code BinaryMessageDecoder} reads these messages given {@link SchemaHistory} as its store. This
 * codec always writes the current schema of the type.
 *
 * <p>Decoding is strict, because its input comes from other processes: the header, the fingerprint,
 * the body and the absence of trailing bytes are all checked, and every failure is a
 * {@link SchemaException} subtype, never a raw Avro or I/O exception. Nothing needs the
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES} system property; no process-wide Avro setting is
 * changed.
 *
 * <p>Immutable and thread-safe: one instance per record type can serve every thread. The readers for
 * every published writer version are built once at construction.
 *
 * @param <T> the generated record class
 */
public final class AvroCodec<T extends SpecificRecord> {

  /** Length of the header: 2 magic bytes and the 8-byte fingerprint. */
  public static final int HEADER_LENGTH = 10;

  private static final byte MAGIC_0 = (byte) 0xC3;
  private static final byte MAGIC_1 = (byte) 0x01;

  private final Class<T> type;
  private final SchemaHistory history;
  private final Schema schema;
  private final long fingerprint;
  private final byte[] header;
  private final DatumWriter<T> writer;
  private final Map<Long, DatumReader<T>> readersByWriterFingerprint;

  private AvroCodec(Class<T> type, SchemaHistory history) {
    this.type = Objects.requireNonNull(type, "type");
    this.history = history;
    this.schema = SchemaHistory.schemaOf(type);
    String name = schema.getFullName();
    SchemaVersion current = history.latest(name).orElseThrow(() -> new SchemaException(
        "schema history has no version of " + name + "; it holds " + history.recordNames()));
    if (current.fingerprint() != SchemaNormalization.parsingFingerprint64(schema)) {
      throw new SchemaException("the current schema of " + name + " is not its latest published version "
          + current + "; publish it before encoding with it");
    }
    this.fingerprint = current.fingerprint();
    this.header = header(fingerprint);
    KnownClassesSpecificData data = new KnownClassesSpecificData(type);
    this.writer = new SpecificDatumWriter<>(schema, data);
    Map<Long, DatumReader<T>> readers = new HashMap<>();
    for (SchemaVersion version : history.versions(name)) {
      readers.put(version.fingerprint(), new SpecificDatumReader<>(version.schema(), schema, data));
    }
    this.readersByWriterFingerprint = Map.copyOf(readers);
  }

  /**
   * A codec for {@code type} that resolves against {@link SchemaHistory#standard()}.
   *
   * @param type a generated record class of this module
   * @param <T>  the record class
   * @return the codec
   * @throws SchemaException if the standard history does not hold {@code type}'s current schema
   */
  public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
    return of(type, SchemaHistory.standard());
  }

  /**
   * A codec for {@code type} that resolves against {@code history}.
   *
   * @param type    a generated Avro record class
   * @param history the published versions; its latest version of the type must be the class's schema
   * @param <T>     the record class
   * @return the codec
   * @throws SchemaException if {@code history} does not hold {@code type}'s current schema as latest
   */
  public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, SchemaHistory history) {
    return new AvroCodec<>(type, Objects.requireNonNull(history, "history"));
  }

  /** @return the record class this codec encodes and decodes */
  public Class<T> type() {
    return type;
  }

  /** @return the current (writer and reader) schema of the type */
  public Schema schema() {
    return schema;
  }

  /** @return the fingerprint that {@link #encode} writes */
  public long fingerprint() {
    return fingerprint;
  }

  /**
   * Encodes a record with the current schema.
   *
   * @param record the record; not modified
   * @return a new array holding the single-object-encoded message
   * @throws SchemaException if the record does not fit its schema (e.g. null in a non-null field)
   */
  public byte[] encode(T record) {
    Objects.requireNonNull(record, "record");
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(header, 0, HEADER_LENGTH);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    } catch (RuntimeException e) {
      throw new SchemaException("cannot encode " + schema.getFullName() + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes a message written with any published version of the type into the current class;
   * fields the writer's version lacks get their defaults.
   *
   * @param message the message bytes; not modified
   * @return a new record
   * @throws UnknownSchemaException     if the fingerprint is not a published version of the type
   * @throws MalformedMessageException  if the bytes are not a well-formed message
   */
  public T decode(byte[] message) {
    long writerFingerprint = fingerprintOf(message, schema.getFullName());
    DatumReader<T> reader = readersByWriterFingerprint.get(writerFingerprint);
    if (reader == null) {
      throw unknown(writerFingerprint);
    }
    BinaryDecoder decoder = DecoderFactory.get()
        .binaryDecoder(message, HEADER_LENGTH, message.length - HEADER_LENGTH, null);
    T record;
    try {
      record = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new MalformedMessageException(schema.getFullName() + " message of " + message.length
            + " bytes has trailing bytes after the record");
      }
    } catch (MalformedMessageException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Truncated input surfaces as EOFException; corrupt input as various Avro runtime exceptions.
      throw new MalformedMessageException("cannot decode " + schema.getFullName() + " body of "
          + message.length + " bytes written with fingerprint " + SchemaVersion.hex(writerFingerprint)
          + ": " + e, e);
    }
    return record;
  }

  /**
   * Reads the writer-schema fingerprint from a message's header without decoding the body, e.g. for
   * a dead-letter record's headers.
   *
   * @param message the message bytes
   * @return the fingerprint
   * @throws MalformedMessageException if the header is short or its magic bytes are wrong
   */
  public static long fingerprintOf(byte[] message) {
    return fingerprintOf(message, "single-object");
  }

  private static long fingerprintOf(byte[] message, String expected) {
    Objects.requireNonNull(message, "message");
    if (message.length < HEADER_LENGTH) {
      throw new MalformedMessageException(expected + " message too short: " + message.length
          + " bytes, the header alone is " + HEADER_LENGTH);
    }
    if (message[0] != MAGIC_0 || message[1] != MAGIC_1) {
      throw new MalformedMessageException(String.format(
          "%s message does not start with the single-object magic C3 01 but with %02X %02X",
          expected, message[0] & 0xFF, message[1] & 0xFF));
    }
    long fingerprint = 0;
    for (int i = HEADER_LENGTH - 1; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (message[i] & 0xFFL);
    }
    return fingerprint;
  }

  private UnknownSchemaException unknown(long writerFingerprint) {
    String name = schema.getFullName();
    String hex = SchemaVersion.hex(writerFingerprint);
    String detail = history.byFingerprint(writerFingerprint)
        .map(other -> "it is " + other + ", not a version of " + name)
        .orElse("no published schema has it; published versions of " + name + ": "
            + history.versions(name));
    return new UnknownSchemaException(writerFingerprint, name,
        "unknown schema fingerprint " + hex + " for expected type " + name + ": " + detail);
  }

  private static byte[] header(long fingerprint) {
    byte[] bytes = new byte[HEADER_LENGTH];
    bytes[0] = MAGIC_0;
    bytes[1] = MAGIC_1;
    for (int i = 2; i < HEADER_LENGTH; i++) {
      bytes[i] = (byte) (fingerprint >>> (8 * (i - 2)));
    }
    return bytes;
  }

  @Override
  public String toString() {
    return "AvroCodec[" + schema.getFullName() + ", " + SchemaVersion.hex(fingerprint) + "]";
  }
}
