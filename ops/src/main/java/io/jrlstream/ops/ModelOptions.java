package io.jrlstream.ops;

import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.ModelSettings;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Model options shared by the commands that train: {@code --dim}, {@code --epochs} and
 * {@code --set VIEW.KEY=VALUE} overrides of the documented defaults ({@link ModelConfig#defaults()}), parsed by
 * {@link ModelSettings} — the same parser that reads {@code jrl.model.VIEW.KEY} from a configuration
 * ({@link ModelKeys#apply}, applied before these options, which override it).
 */
public final class ModelOptions {
  @Option(names = "--dim", description = "Embedding dimension K for every view (default: each view's own).")
  Integer dim;

  @Option(names = "--epochs", description = "Epochs for every view (default: each view's own).")
  Integer epochs;

  @Option(names = "--set", paramLabel = "VIEW.KEY=VALUE", split = ",",
      description = "Override one setting, e.g. collaborative.l2=0.02, review.lr=0.01, rating.optimizer=adagrad, "
          + "collaborative.replay=32, review.minCount=5, image.layers=2. Keys of every view: dim, lr, epochs, l2, "
          + "optimizer (sgd|adagrad|adam), schedule (linear|constant), init, clip, loss (log_sigmoid|sigmoid), bias "
          + "(true|false: a learned per-item bias); on a stream: streamLr, streamOptimizer, streamL2, replay (past "
          + "interactions replayed per new one), reservoir (interactions kept for replay), passes (steps over each "
          + "new batch), replayContent (true|false), samplerHistory (items per user the negative sampler keeps); "
          + "review: lambda, negatives, sample, minCount, vocabCap, linkNegatives, wordUpdates (immediate|batch), "
          + "wordLr, window (review vectors a stream keeps); rating: lambda, hidden; image: lambda, layers. A "
          + "configuration file may hold the same as jrl.model.VIEW.KEY=VALUE; --set overrides it.")
  List<String> sets = List.of();

  /** {@code base} with {@code --dim}, {@code --epochs} and every {@code --set} applied, in that order. */
  public ModelConfig apply(ModelConfig base) {
    ModelConfig c = base;
    if (dim != null) {
      c = c.mapViews(v -> v.withDim(dim));
    }
    if (epochs != null) {
      c = c.mapViews(v -> v.withEpochs(epochs));
    }
    for (String s : sets) {
      c = set(c, s);
    }
    return c;
  }

  public static ModelConfig set(ModelConfig c, String assignment) {
    try {
      return ModelSettings.apply(c, assignment);
    } catch (IllegalArgumentException e) {
      String m = e.getMessage();
      throw new IllegalArgumentException("--set " + (m.startsWith("setting ") ? m.substring(8) : m), e);
    }
  }
}
