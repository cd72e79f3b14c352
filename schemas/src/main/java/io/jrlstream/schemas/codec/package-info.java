/**
 * Avro single-object encoding of the JRL records without a schema registry.
 *
 * <p>A message is {@code 0xC3 0x01}, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer
 * schema's parsing canonical form, then the Avro binary body (Avro specification, "Single-object
 * encoding"). {@link io.jrlstream.schemas.codec.SchemaHistory} holds every published version of every
 * schema, so a message written with any published version decodes into the current generated class
 * by Avro schema resolution. {@link io.jrlstream.schemas.codec.AvroCodec} does the encoding and
 * decoding; it has no Kafka dependency (the streams module wraps it in Kafka serdes).
 *
 * <p>All failures are unchecked and share the root {@link io.jrlstream.schemas.codec.SchemaException}:
 * {@link io.jrlstream.schemas.codec.UnknownSchemaException} for a fingerprint that is not a published
 * version of the expected type, and {@link io.jrlstream.schemas.codec.MalformedMessageException} for
 * bytes that are not a well-formed message. Both are meant to route a record to the dead-letter topic.
 */
package io.jrlstream.schemas.codec;
