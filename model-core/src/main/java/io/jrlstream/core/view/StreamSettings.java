package io.jrlstream.core.view;

import io.jrlstream.core.optim.OptimizerKind;
import java.util.Objects;

/**
 * How a view learns from a stream (DESIGN.md §2 "Learning from a stream"): each event trains once when it
 * arrives, so the offline settings (30–150 epochs) do not carry over. The streaming trainer
 * ({@code io.jrlstream.core.train.StreamingTrainer}) switches the view to these settings and adds experience replay:
 * after each new mini-batch it trains {@code replayRatio} past interactions per new one, drawn from a bounded
 * reservoir of the view's interactions, in mini-batches of the same size. The learning rate is constant: an
 * unbounded stream has no end to decay towards (DESIGN.md §1 "Optimisation").
 *
 * <p>Defaults per view ({@link #defaults(String)}) and how they were chosen: README "Defaults and how they were
 * chosen". Immutable; validated on construction, errors name the setting.
 *
 * @param optimizer update rule on the stream
 * @param learningRate constant learning rate on the stream
 * @param l2 L2 penalty λ of the ranking term on the stream
 * @param replayRatio past interactions replayed per new one (0: no replay)
 * @param reservoir most interactions the replay reservoir holds ({@value #BYTES_PER_SLOT} bytes each; 0: no replay)
 * @param passes steps over each new mini-batch before the replay (1: each event trains once)
 * @param replayContent whether replayed interactions also train the view's own terms that need no review text (the
 *     rating loss, the review's entity links while the review is in the window, the image decoder), or only
 *     the ranking term
 */
public record StreamSettings(OptimizerKind optimizer, double learningRate, double l2, double replayRatio,
    int reservoir, int passes, boolean replayContent) {

  /**
   * Heap bytes per reservoir slot with compressed references: a 4-byte reference and the 40-byte interaction it
   * keeps (the event's own object, so replay allocates nothing).
   */
  public static final int BYTES_PER_SLOT = 44;

  /**
   * Default reservoir capacity: 262,144 interactions, 11 MiB per view. A uniform sample of the whole history once the
   * stream is longer; the data sets here (10,261 and 198,502 interactions) fit entirely.
   */
  public static final int RESERVOIR = 262_144;

  public StreamSettings {
    Objects.requireNonNull(optimizer, "streamOptimizer");
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("streamLr must be positive, got " + learningRate);
    }
    if (!(l2 >= 0) || !Double.isFinite(l2)) {
      throw new IllegalArgumentException("streamL2 must be ≥ 0, got " + l2);
    }
    if (!(replayRatio >= 0) || !Double.isFinite(replayRatio) || replayRatio > 10_000) {
      throw new IllegalArgumentException("replay must be in [0, 10000] past interactions per new one, got "
          + replayRatio);
    }
    if (reservoir < 0) {
      throw new IllegalArgumentException("reservoir must be ≥ 0 interactions, got " + reservoir);
    }
    if (passes < 1 || passes > 100) {
      throw new IllegalArgumentException("passes must be in [1, 100], got " + passes);
    }
  }

  /** The offline settings applied once per event, without replay: the trainer's behaviour before replay existed. */
  public static StreamSettings onePass(ViewConfig offline) {
    return new StreamSettings(offline.optimizer(), offline.learningRate(), offline.l2(), 0, 0, 1, false);
  }

  /**
   * The documented stream defaults of a view ({@link ViewKind#streamDefaults()}).
   *
   * @throws IllegalArgumentException naming an unknown view
   */
  public static StreamSettings defaults(String view) {
    return ViewKind.of(view).streamDefaults();
  }

  /** True when the trainer replays past interactions. */
  public boolean replays() {
    return replayRatio > 0 && reservoir > 0;
  }

  public StreamSettings withOptimizer(OptimizerKind o) {
    return new StreamSettings(o, learningRate, l2, replayRatio, reservoir, passes, replayContent);
  }

  public StreamSettings withLearningRate(double v) {
    return new StreamSettings(optimizer, v, l2, replayRatio, reservoir, passes, replayContent);
  }

  public StreamSettings withL2(double v) {
    return new StreamSettings(optimizer, learningRate, v, replayRatio, reservoir, passes, replayContent);
  }

  public StreamSettings withReplayRatio(double v) {
    return new StreamSettings(optimizer, learningRate, l2, v, reservoir, passes, replayContent);
  }

  public StreamSettings withReservoir(int v) {
    return new StreamSettings(optimizer, learningRate, l2, replayRatio, v, passes, replayContent);
  }

  public StreamSettings withPasses(int v) {
    return new StreamSettings(optimizer, learningRate, l2, replayRatio, reservoir, v, replayContent);
  }

  public StreamSettings withReplayContent(boolean v) {
    return new StreamSettings(optimizer, learningRate, l2, replayRatio, reservoir, passes, v);
  }
}
