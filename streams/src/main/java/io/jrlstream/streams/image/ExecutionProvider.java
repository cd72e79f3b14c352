package io.jrlstream.streams.image;

/**
 * Which ONNX Runtime execution provider runs the feature extractor ({@code jrl.image.provider}).
 * {@link OnnxSessions#choose} turns it into a {@link ProviderChoice}.
 */
public enum ExecutionProvider {
  /** CUDA when an NVIDIA driver is present and the CUDA provider loads (CUDA 12, cuDNN 9); otherwise CPU. */
  AUTO,
  /** The CPU provider only. */
  CPU,
  /** The CUDA provider; start-up fails with the loader's message when it does not load. */
  CUDA
}
