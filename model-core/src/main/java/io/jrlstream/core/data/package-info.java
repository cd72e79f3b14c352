/**
 * Interaction data for offline training, evaluation and benchmarks: dense id indices
 * ({@link io.jrlstream.core.data.IdIndex}), tokenisation ({@link io.jrlstream.core.data.Lexicon}), the
 * in-memory {@link io.jrlstream.core.data.Dataset}, readers for the Amazon 2014 review JSON and
 * user-item pair files and McAuley's binary image feature files
 * ({@link io.jrlstream.core.data.ImageFeatureReader}; plain or gzip, detected by content; malformed lines and
 * records reported in a {@link io.jrlstream.core.data.ReadReport}, never dropped silently), a streaming
 * {@link io.jrlstream.core.data.RecordReader} over all three that yields each record as written with its
 * position (for imports), the per-user random
 * {@link io.jrlstream.core.data.Split} of the paper's §5.3 protocol and a
 * {@link io.jrlstream.core.data.SyntheticData} generator with planted structure.
 */
package io.jrlstream.core.data;
