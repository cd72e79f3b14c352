/**
 * {@code jrl export}: a view's embeddings from its compacted topic as files a data scientist opens directly
 * (NumPy {@code .npy} matrices, id lists, a JSON manifest; layout in {@link io.jrlstream.ops.export.EmbeddingExport}).
 */
package io.jrlstream.ops.export;
