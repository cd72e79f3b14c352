/**
 * Avro record classes for every event and embedding record of the JRL/eJRL streaming trainer.
 *
 * <p>The classes in this package ({@code ReviewEvent}, {@code RatingEvent}, {@code ImageEvent},
 * {@code ImageFeatureEvent}, {@code EmbeddingRecord}, {@code TrainingEvent} and the enums
 * {@code EntityKind} and {@code TrainingEventKind}) are generated at
 * build time by the avro-maven-plugin from {@code src/main/avro/*.avsc}; edit the schema files, never
 * the generated code. Every published version of each schema is kept under
 * {@code io/jrlstream/schemas/history/} (see {@link io.jrlstream.schemas.codec.SchemaHistory}).
 *
 * <p>Generated records are mutable and not thread-safe; do not share an instance between threads
 * while any of them modifies it. Event times are {@link java.time.Instant}s with millisecond
 * precision (Avro {@code timestamp-millis}); sub-millisecond parts are dropped on encoding.
 *
 * <p>To turn records into bytes and back, use {@link io.jrlstream.schemas.codec.AvroCodec}.
 */
package io.jrlstream.schemas;
