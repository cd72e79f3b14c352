/**
 * Kafka Streams side of the JRL/eJRL streaming trainer (DESIGN.md §2): topologies built by pure
 * functions from {@link io.jrlstream.streams.config.StreamsSettings}, using the Processor API.
 *
 * <p>Subpackages: {@code config} (the typed settings layer of every module: setting declarations, the configuration
 * reader, the template, the one topic type; {@link io.jrlstream.streams.StreamsCatalog} lists this module's keys),
 * {@code serde} (Kafka serdes over the Avro codecs of
 * the schemas module), {@code ingest} (decoding and validation of the input topics, dead letters),
 * {@code train} (per-view training), {@code image} (image feature extraction with ONNX Runtime) and
 * {@code serve} (the serving topology feeding model-core's Kafka-free serving core {@code io.jrlstream.core.serve},
 * and the interactive queries across instances). Nothing here creates a {@code KafkaStreams} instance; the ops
 * module wires topologies, settings and clients together.
 */
package io.jrlstream.streams;
