package io.jrlstream.ops;

import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.RankingLoss;
import io.jrlstream.core.view.RatingView;
import io.jrlstream.core.view.ReviewView;
import io.jrlstream.core.view.ViewConfig;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * Model options shared by the commands that train: {@code --dim}, {@code --epochs} and
 * {@code --set VIEW.KEY=VALUE} overrides of the documented defaults ({@link ModelConfig#defaults()}).
 */
public final class ModelOptions {
  @Option(names = "--dim", description = "Embedding dimension K for every view (default: each view's own).")
  Integer dim;

  @Option(names = "--epochs", description = "Epochs for every view (default: each view's own).")
  Integer epochs;

  @Option(names = "--set", paramLabel = "VIEW.KEY=VALUE", split = ",",
      description = "Override one setting, e.g. collaborative.l2=0.02, review.lr=0.01, rating.optimizer=adagrad, "
          + "review.minCount=5, image.layers=2. Keys: dim, lr, epochs, l2, optimizer (sgd|adagrad|adam), schedule "
          + "(linear|constant), init, clip, loss (log_sigmoid|sigmoid); review: lambda, negatives, sample, minCount, "
          + "vocabCap, linkNegatives, wordUpdates (immediate|batch), wordLr, window (review vectors a stream keeps); rating: lambda, hidden; image: lambda, layers.")
  List<String> sets = List.of();

  /** The defaults with every option applied. */
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
    int eq = assignment.indexOf('=');
    int dot = assignment.indexOf('.');
    if (eq < 0 || dot < 0 || dot > eq) {
      throw new IllegalArgumentException("--set expects VIEW.KEY=VALUE, got '" + assignment + "'");
    }
    String view = assignment.substring(0, dot).trim();
    String key = assignment.substring(dot + 1, eq).trim();
    String value = assignment.substring(eq + 1).trim();
    try {
      ReviewView.Settings r = c.review();
      RatingView.Settings ra = c.rating();
      ImageView.Settings im = c.image();
      switch (view + "." + key) {
        case "review.lambda" -> {
          return c.withReview(r.withLambda(Double.parseDouble(value)));
        }
        case "review.negatives" -> {
          return c.withReview(r.withNegatives(Integer.parseInt(value)));
        }
        case "review.sample" -> {
          return c.withReview(r.withSample(Double.parseDouble(value)));
        }
        case "review.minCount" -> {
          return c.withReview(r.withMinCount(Integer.parseInt(value)));
        }
        case "review.vocabCap" -> {
          return c.withReview(r.withVocabCap(Integer.parseInt(value)));
        }
        case "review.linkNegatives" -> {
          return c.withReview(r.withLinkNegatives(Integer.parseInt(value)));
        }
        case "review.wordUpdates" -> {
          return c.withReview(r.withWordUpdates(ReviewView.WordUpdates.valueOf(value.toUpperCase(Locale.ROOT))));
        }
        case "review.window" -> {
          return c.withReview(r.withWindow(Integer.parseInt(value)));
        }
        case "review.wordLr" -> {
          return c.withReview(r.withWordLearningRate(Double.parseDouble(value)));
        }
        case "rating.lambda" -> {
          return c.withRating(new RatingView.Settings(Double.parseDouble(value), ra.hidden()));
        }
        case "rating.hidden" -> {
          return c.withRating(new RatingView.Settings(ra.lambda(), Integer.parseInt(value)));
        }
        case "image.lambda" -> {
          return c.withImage(new ImageView.Settings(Double.parseDouble(value), im.featureDim(), im.layers()));
        }
        case "image.layers" -> {
          return c.withImage(new ImageView.Settings(im.lambda(), im.featureDim(), Integer.parseInt(value)));
        }
        default -> {
          return c.withView(view, common(c.view(view), key, value));
        }
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--set " + assignment + ": '" + value + "' is not a number");
    }
  }

  private static ViewConfig common(ViewConfig v, String key, String value) {
    String lower = value.toUpperCase(Locale.ROOT);
    return switch (key) {
      case "dim" -> v.withDim(Integer.parseInt(value));
      case "lr" -> v.withLearningRate(Double.parseDouble(value));
      case "epochs" -> v.withEpochs(Integer.parseInt(value));
      case "l2" -> v.withL2(Double.parseDouble(value));
      case "optimizer" -> v.withOptimizer(OptimizerKind.valueOf(lower));
      case "schedule" -> v.withSchedule(ViewConfig.Schedule.valueOf(lower));
      case "loss" -> v.withRankingLoss(RankingLoss.valueOf(lower));
      case "init" -> new ViewConfig(v.dim(), v.optimizer(), v.learningRate(), v.schedule(), v.epochs(), v.l2(),
          Double.parseDouble(value), v.clipNorm(), v.rankingLoss());
      case "clip" -> new ViewConfig(v.dim(), v.optimizer(), v.learningRate(), v.schedule(), v.epochs(), v.l2(),
          v.initScale(), Double.parseDouble(value), v.rankingLoss());
      default -> throw new IllegalArgumentException("unknown setting '" + key + "' (see jrl evaluate --help)");
    };
  }
}
