/**
 * Ingestion: decoding and validation of the input topics (DESIGN.md §2, "Bad input").
 *
 * <p>{@link io.jrlstream.streams.ingest.IngestionTopology} wires a
 * {@link io.jrlstream.streams.ingest.ValidatingProcessor} behind one byte-array source over the review,
 * rating and image-feature topics. The processor uses an
 * {@link io.jrlstream.streams.ingest.EventValidator} to turn each record into a normalised
 * {@link io.jrlstream.schemas.TrainingEvent}, or sends the original record to the dead-letter topic
 * with the {@link io.jrlstream.streams.ingest.DeadLetterHeaders} and a
 * {@link io.jrlstream.streams.ingest.RejectReason} code, counted by a
 * {@link io.jrlstream.streams.ingest.DeadLetterCounter}. Bad input never stops the pipeline and never
 * delays or drops a good record.
 */
package io.jrlstream.streams.ingest;
