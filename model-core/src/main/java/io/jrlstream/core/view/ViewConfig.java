package io.jrlstream.core.view;

import io.jrlstream.core.optim.OptimizerKind;
import java.util.Objects;

/**
 * Settings every view has. Validated on construction; defaults (chosen on validation splits carved from
 * training data, see the README) come from {@link #defaults(String)}.
 *
 * @param dim embedding dimension K (default 300 for content views as in the paper, tuned for collaborative)
 * @param optimizer update rule
 * @param learningRate initial learning rate lr0
 * @param schedule offline learning-rate schedule
 * @param epochs offline passes over the view's training interactions
 * @param l2 L2 penalty λ on the vectors the ranking term touches (u, v+, v−)
 * @param initScale standard deviation of the initial user and item vectors
 * @param clipNorm global gradient norm per batch above which the gradient is scaled down (paper: 5)
 * @param rankingLoss form of the ranking term
 * @param bias per-item bias: user and item rows get one more component, the user's a constant 1 (never updated, no
 *     L2) and the item's a learned bias b_v, so u·v = u_K·v_K + b_v (popularity learned in the score itself; serving
 *     needs nothing new); user vectors then start at zero, so a user without history is ranked by popularity
 * @param stream how the view learns from a stream (used by the streaming trainer only)
 */
public record ViewConfig(int dim, OptimizerKind optimizer, double learningRate, Schedule schedule, int epochs,
    double l2, double initScale, double clipNorm, RankingLoss rankingLoss, boolean bias, StreamSettings stream) {

  /** Offline learning-rate schedules (streaming always uses a constant rate). */
  public enum Schedule {
    /** lr0 · max(1e-4, 1 − seen/total): the paper's linear decay. */
    LINEAR,
    /** lr0 throughout. */
    CONSTANT
  }

  public ViewConfig {
    if (dim <= 0) {
      throw new IllegalArgumentException("dim must be positive, got " + dim);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be positive, got " + learningRate);
    }
    if (epochs < 0) {
      throw new IllegalArgumentException("epochs must be ≥ 0, got " + epochs);
    }
    if (!(l2 >= 0)) {
      throw new IllegalArgumentException("l2 must be ≥ 0, got " + l2);
    }
    if (!(initScale >= 0)) {
      throw new IllegalArgumentException("initScale must be ≥ 0, got " + initScale);
    }
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(rankingLoss, "rankingLoss");
    Objects.requireNonNull(stream, "stream");
  }

  /** Settings without a bias, streamed with the offline settings once per event (no replay). */
  public ViewConfig(int dim, OptimizerKind optimizer, double learningRate, Schedule schedule, int epochs, double l2,
      double initScale, double clipNorm, RankingLoss rankingLoss) {
    this(dim, optimizer, learningRate, schedule, epochs, l2, initScale, clipNorm, rankingLoss, false,
        new StreamSettings(optimizer, learningRate, l2, 0, 0, 1, false));
  }

  /**
   * The documented defaults for a view name ({@link ViewKind#defaults()}).
   *
   * @throws IllegalArgumentException naming an unknown view
   */
  public static ViewConfig defaults(String view) {
    return ViewKind.of(view).defaults();
  }

  /** Width of the view's user and item rows: K, plus the bias component when there is one. */
  public int width() {
    return dim + (bias ? 1 : 0);
  }

  public ViewConfig withDim(int d) {
    return new ViewConfig(d, optimizer, learningRate, schedule, epochs, l2, initScale, clipNorm, rankingLoss, bias,
        stream);
  }

  public ViewConfig withEpochs(int e) {
    return new ViewConfig(dim, optimizer, learningRate, schedule, e, l2, initScale, clipNorm, rankingLoss, bias,
        stream);
  }

  public ViewConfig withLearningRate(double lr) {
    return new ViewConfig(dim, optimizer, lr, schedule, epochs, l2, initScale, clipNorm, rankingLoss, bias, stream);
  }

  public ViewConfig withL2(double l) {
    return new ViewConfig(dim, optimizer, learningRate, schedule, epochs, l, initScale, clipNorm, rankingLoss, bias,
        stream);
  }

  public ViewConfig withOptimizer(OptimizerKind o) {
    return new ViewConfig(dim, o, learningRate, schedule, epochs, l2, initScale, clipNorm, rankingLoss, bias, stream);
  }

  public ViewConfig withSchedule(Schedule s) {
    return new ViewConfig(dim, optimizer, learningRate, s, epochs, l2, initScale, clipNorm, rankingLoss, bias,
        stream);
  }

  public ViewConfig withRankingLoss(RankingLoss r) {
    return new ViewConfig(dim, optimizer, learningRate, schedule, epochs, l2, initScale, clipNorm, r, bias, stream);
  }

  public ViewConfig withInitScale(double s) {
    return new ViewConfig(dim, optimizer, learningRate, schedule, epochs, l2, s, clipNorm, rankingLoss, bias, stream);
  }

  public ViewConfig withClipNorm(double c) {
    return new ViewConfig(dim, optimizer, learningRate, schedule, epochs, l2, initScale, c, rankingLoss, bias,
        stream);
  }

  public ViewConfig withBias(boolean b) {
    return new ViewConfig(dim, optimizer, learningRate, schedule, epochs, l2, initScale, clipNorm, rankingLoss, b,
        stream);
  }

  public ViewConfig withStream(StreamSettings s) {
    return new ViewConfig(dim, optimizer, learningRate, schedule, epochs, l2, initScale, clipNorm, rankingLoss, bias,
        s);
  }
}
