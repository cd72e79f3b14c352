package io.jrlstream.ops;

import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.RatingView;
import io.jrlstream.core.view.ReviewView;
import io.jrlstream.core.view.ViewConfig;
import io.jrlstream.streams.config.Catalog;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.Origin;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.SettingGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model's settings in the configuration: {@code jrl.model.VIEW.KEY}, the keys of {@code --set VIEW.KEY=VALUE}
 * ({@link ModelOptions}), one setting per view and key with the model's default, so that they are in the same file,
 * template, environment mapping ({@code JRL_MODEL_REVIEW_LR}) and {@code jrl config --effective} as every other
 * key. The model parses them ({@link ModelOptions#set}, the one parser of model settings); this class only lists
 * them for the configuration and applies the ones a configuration sets.
 *
 * <p>Stateless.
 */
final class ModelKeys {
  /** Prefix of model settings in a configuration. */
  static final String PREFIX = "jrl.model.";

  private ModelKeys() {}

  /** A model key: what its values are and what it sets. */
  private record Key(String expects, String doc) {}

  private static final Map<String, Key> COMMON = keys(
      "dim", "an integer >= 1", "embedding dimension K",
      "lr", "a number > 0", "learning rate",
      "epochs", "an integer >= 1", "epochs of the offline trainer (jrl evaluate)",
      "l2", "a number >= 0", "L2 penalty on the vectors the ranking term touches",
      "optimizer", "sgd, adagrad or adam", "optimiser",
      "schedule", "linear or constant", "learning-rate schedule of the offline trainer",
      "init", "a number > 0", "scale of the random initial vectors",
      "clip", "a number > 0", "global norm each mini-batch's gradient is clipped to",
      "loss", "log_sigmoid or sigmoid", "ranking loss: log_sigmoid (BPR's) or sigmoid (the paper's)");
  private static final Map<String, Key> REVIEW = keys(
      "lambda", "a number >= 0", "weight of the review (word) term",
      "negatives", "an integer >= 1", "noise words per kept word",
      "sample", "a number >= 0", "subsampling threshold of frequent words (word2vec's rule)",
      "minCount", "an integer >= 1", "occurrences before a word trains",
      "vocabCap", "an integer >= 1", "most words the vocabulary keeps",
      "linkNegatives", "an integer >= 0", "noise reviews per user and item link",
      "wordUpdates", "immediate or batch", "when word vectors change: at once, or with the mini-batch",
      "wordLr", "a number > 0", "learning rate of the word term",
      "window", "an integer >= 1", "review vectors a stream keeps");
  private static final Map<String, Key> RATING = keys(
      "lambda", "a number >= 0", "weight of the rating term",
      "hidden", "an integer >= 1", "hidden units of the rating MLP");
  private static final Map<String, Key> IMAGE = keys(
      "lambda", "a number >= 0", "weight of the image term",
      "layers", "1 or 2", "decoder layers");

  /** Every model key with its default, e.g. {@code jrl.model.review.lr}. */
  static final SettingGroup MODEL = new SettingGroup("Model", "Per view: jrl.model.VIEW.KEY, the keys of --set"
      + " VIEW.KEY=VALUE (which overrides them). Views: " + String.join(", ", ModelConfig.VIEW_NAMES) + ".",
      settings(ModelConfig.defaults()));

  /** The group of this class. */
  static final Catalog CATALOG = Catalog.of(MODEL);

  /**
   * @param base the model configuration to start from
   * @param c    a configuration whose catalog holds {@link #MODEL}
   * @return {@code base} with every {@code jrl.model.*} key that {@code c} sets applied, in key order
   */
  static ModelConfig apply(ModelConfig base, Configuration c) {
    ModelConfig out = base;
    for (Setting<?> s : MODEL.settings()) {
      if (c.isSet(s)) {
        Object value = c.get(s); // parsed: an error names the key and where it came from
        out = ModelOptions.set(out, s.key().substring(PREFIX.length()) + "=" + value);
      }
    }
    return out;
  }

  /**
   * Adds the command line's model options to a configuration's command-line layer, so that
   * {@code jrl config --effective} shows them: {@code --dim} and {@code --epochs} as every view's {@code dim} and
   * {@code epochs}, then each {@code --set VIEW.KEY=VALUE} as {@code jrl.model.VIEW.KEY}. A malformed assignment is
   * left to {@link ModelOptions#apply}, which names it.
   */
  static void addTo(Configuration.Builder b, ModelOptions o) {
    for (String view : ModelConfig.VIEW_NAMES) {
      if (o.dim != null) {
        b.set(PREFIX + view + ".dim", Integer.toString(o.dim), Origin.commandLine("--dim"));
      }
      if (o.epochs != null) {
        b.set(PREFIX + view + ".epochs", Integer.toString(o.epochs), Origin.commandLine("--epochs"));
      }
    }
    for (String assignment : o.sets) {
      int eq = assignment.indexOf('=');
      if (eq > 0) {
        b.set(PREFIX + assignment.substring(0, eq).strip(), assignment.substring(eq + 1).strip(),
            Origin.commandLine("--set"));
      }
    }
  }

  private static List<Setting<?>> settings(ModelConfig d) {
    List<Setting<?>> out = new ArrayList<>();
    for (String view : ModelConfig.VIEW_NAMES) {
      Map<String, String> defaults = defaults(d, view);
      Map<String, Key> own = switch (view) {
        case ReviewView.NAME -> REVIEW;
        case RatingView.NAME -> RATING;
        case ImageView.NAME -> IMAGE;
        default -> Map.of();
      };
      Map<String, Key> all = new LinkedHashMap<>(COMMON);
      all.putAll(own);
      all.forEach((key, k) -> out.add(setting(view, key, k, defaults.get(key))));
    }
    return out;
  }

  private static Setting<String> setting(String view, String key, Key k, String dflt) {
    String name = view + "." + key;
    return Setting.of(PREFIX + name, dflt, k.expects(), text -> {
      try {
        ModelOptions.set(ModelConfig.defaults(), name + "=" + text); // the model's parser checks the value
      } catch (IllegalArgumentException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        throw new IllegalArgumentException(m.startsWith("--set ") || m.contains("No enum constant") ? null : m, e);
      }
      return text;
    }, t -> t, "the " + view + " view's " + k.doc());
  }

  /** The defaults of one view's keys, as text. */
  private static Map<String, String> defaults(ModelConfig c, String view) {
    ViewConfig v = c.view(view);
    Map<String, String> m = new LinkedHashMap<>();
    m.put("dim", Integer.toString(v.dim()));
    m.put("lr", Double.toString(v.learningRate()));
    m.put("epochs", Integer.toString(v.epochs()));
    m.put("l2", Double.toString(v.l2()));
    m.put("optimizer", lower(v.optimizer()));
    m.put("schedule", lower(v.schedule()));
    m.put("init", Double.toString(v.initScale()));
    m.put("clip", Double.toString(v.clipNorm()));
    m.put("loss", lower(v.rankingLoss()));
    switch (view) {
      case ReviewView.NAME -> {
        ReviewView.Settings r = c.review();
        m.put("lambda", Double.toString(r.lambda()));
        m.put("negatives", Integer.toString(r.negatives()));
        m.put("sample", Double.toString(r.sample()));
        m.put("minCount", Integer.toString(r.minCount()));
        m.put("vocabCap", Integer.toString(r.vocabCap()));
        m.put("linkNegatives", Integer.toString(r.linkNegatives()));
        m.put("wordUpdates", lower(r.wordUpdates()));
        m.put("wordLr", Double.toString(r.wordLearningRate()));
        m.put("window", Integer.toString(r.window()));
      }
      case RatingView.NAME -> {
        m.put("lambda", Double.toString(c.rating().lambda()));
        m.put("hidden", Integer.toString(c.rating().hidden()));
      }
      case ImageView.NAME -> {
        m.put("lambda", Double.toString(c.image().lambda()));
        m.put("layers", Integer.toString(c.image().layers()));
      }
      default -> { }
    }
    return m;
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  private static Map<String, Key> keys(String... triples) {
    Map<String, Key> m = new LinkedHashMap<>();
    for (int i = 0; i < triples.length; i += 3) {
      m.put(triples[i], new Key(triples[i + 1], triples[i + 2]));
    }
    return m;
  }
}
