/**
 * Kafka serdes over the Avro single-object codecs of the schemas module
 * ({@link io.jrlstream.schemas.codec.AvroCodec}). Serdes are immutable and thread-safe; there are no
 * shared static serde holders: each topology builder creates the serdes it uses.
 */
package io.jrlstream.streams.serde;
