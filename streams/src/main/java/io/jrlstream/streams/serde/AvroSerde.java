package io.jrlstream.streams.serde;

import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.schemas.codec.SchemaException;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serde} for one generated Avro record type, in Avro single-object encoding (see
 * {@link AvroCodec}): no schema registry, and messages written with any published version of the type
 * are read into the current class.
 *
 * <p>Null maps to null both ways (Kafka's tombstone convention). Deserializing bytes that are not a
 * published version's message throws the codec's {@link SchemaException} subtype
 * ({@code UnknownSchemaException} or {@code MalformedMessageException}), whose message names the
 * expected type and, for an unknown schema, the fingerprint. Input topics from other processes should
 * therefore be read as bytes and decoded by a validating processor, which dead-letters such records;
 * this serde is meant for topics this application writes itself.
 *
 * <p>Lifecycle: {@code configure} and {@code close} do nothing; the instance needs no configuration
 * (a no-argument constructor is deliberately absent, since the record type must be known). Immutable
 * and thread-safe: one instance, and its serializer and deserializer, may serve every stream thread.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  private final AvroCodec<T> codec;
  private final Serializer<T> serializer;
  private final Deserializer<T> deserializer;

  /**
   * @param codec the codec to wrap
   */
  public AvroSerde(AvroCodec<T> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.serializer = (topic, record) -> record == null ? null : codec.encode(record);
    this.deserializer = (topic, bytes) -> bytes == null ? null : codec.decode(bytes);
  }

  /**
   * A serde over the standard schema history.
   *
   * @param type a generated record class of the schemas module
   * @param <T>  the record class
   * @return the serde
   * @throws SchemaException if the standard history does not hold {@code type}'s current schema
   */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(AvroCodec.of(type));
  }

  /** @return the wrapped codec */
  public AvroCodec<T> codec() {
    return codec;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The serializer returns null for a null record and otherwise throws {@link SchemaException} when
   * the record does not fit its schema (e.g. null in a non-null field).
   */
  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The deserializer returns null for null bytes and otherwise throws the codec's
   * {@link SchemaException} subtypes for bytes that are not a message of a published version.
   */
  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }

  @Override
  public String toString() {
    return "AvroSerde[" + codec + "]";
  }
}
