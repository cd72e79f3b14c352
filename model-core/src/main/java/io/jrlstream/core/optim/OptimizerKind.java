package io.jrlstream.core.optim;

/** The optimisers a view can be configured with. */
public enum OptimizerKind {
  /** Plain SGD: θ −= lr·g. */
  SGD,
  /** AdaGrad with per-coordinate accumulators: θ −= lr·g/√(Σg² + ε). */
  ADAGRAD,
  /**
   * AdaGrad whose accumulators forget: acc ← ρ·acc + g² with ρ = {@value io.jrlstream.core.optim.Optimizer#LEAKY_RHO}
   * per update of the row. It starts like AdaGrad (large steps for new rows), but a row's step settles near
   * lr·√(1−ρ) instead of decaying to zero as its updates accumulate: a rate for an unbounded stream (DESIGN.md §1
   * "Optimisation").
   */
  LEAKY_ADAGRAD,
  /** Adam with lazy sparse updates: only rows the batch touched move; bias correction by global step. */
  ADAM
}
