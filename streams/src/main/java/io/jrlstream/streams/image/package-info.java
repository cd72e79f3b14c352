/**
 * Image feature extraction (DESIGN.md §1 image view, §2 diagram: {@code images ─► ONNX CNN ─► image-features}).
 *
 * <p>{@link io.jrlstream.streams.image.ImageFeatureTopology} reads {@code ImageEvent}s (encoded image bytes)
 * from the images topic; an {@link io.jrlstream.streams.image.ImageFeatureProcessor} decodes each with
 * {@link io.jrlstream.streams.image.ImageDecoder} (limits checked before the pixels are decoded), turns it into
 * the model's input with {@link io.jrlstream.streams.image.ImagePreprocessor}, collects micro-batches (a batch
 * size or a wall-clock limit, whichever comes first; the pending batch lives in a state store, so exactly-once
 * holds) and runs them through an {@link io.jrlstream.streams.image.OnnxFeatureExtractor}; the features go to
 * the image-features topic that ingestion validates and the image view learns from, bad images to the
 * dead-letter topic. {@link io.jrlstream.streams.image.ImageSettings} holds the configuration (its keys:
 * {@link io.jrlstream.streams.image.ImageKeys});
 * {@link io.jrlstream.streams.image.OnnxSessions} picks the execution provider (CUDA or CPU) once per
 * application and opens one session per processor.
 */
package io.jrlstream.streams.image;
