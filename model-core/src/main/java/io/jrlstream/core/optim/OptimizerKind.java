package io.jrlstream.core.optim;

/** The optimisers a view can be configured with. */
public enum OptimizerKind {
  /** Plain SGD: θ −= lr·g. */
  SGD,
  /** AdaGrad with per-coordinate accumulators: θ −= lr·g/√(Σg² + ε). */
  ADAGRAD,
  /** Adam with lazy sparse updates: only rows the batch touched move; bias correction by global step. */
  ADAM
}
