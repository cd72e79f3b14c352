/**
 * {@code jrl import}: loads history from data files (Amazon review JSON lines, the pairs TSV, McAuley image
 * feature files) into the input topics as events with their original event times and deterministic ids,
 * exactly once per source line across re-runs and interruptions ({@link io.jrlstream.ops.importer.Importer}:
 * each chunk of events commits in one Kafka transaction with an {@link io.jrlstream.ops.importer.ImportProgress}
 * marker), with a progress display ({@link io.jrlstream.ops.importer.ProgressMeter}). Its keys:
 * {@link io.jrlstream.ops.importer.ImportKeys}.
 */
package io.jrlstream.ops.importer;
