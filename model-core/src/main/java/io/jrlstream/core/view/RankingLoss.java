package io.jrlstream.core.view;

import io.jrlstream.core.math.Vectors;

/**
 * The form of the per-view ranking term on d = u·v+ − u·v− (paper §4.2). The paper writes σ(d); BPR and
 * the authors' code use log σ(d), which is the default.
 */
public enum RankingLoss {
  /** L = −log σ(d) (BPR). */
  LOG_SIGMOID {
    @Override
    public double loss(double d) {
      return -Vectors.logSigmoid(d);
    }

    @Override
    public double derivative(double d) {
      return -Vectors.sigmoid(-d);
    }
  },
  /** L = −σ(d) (the paper's formula as written). */
  SIGMOID {
    @Override
    public double loss(double d) {
      return -Vectors.sigmoid(d);
    }

    @Override
    public double derivative(double d) {
      double s = Vectors.sigmoid(d);
      return -s * (1 - s);
    }
  };

  /** The loss at d. */
  public abstract double loss(double d);

  /** dL/dd at d. */
  public abstract double derivative(double d);
}
