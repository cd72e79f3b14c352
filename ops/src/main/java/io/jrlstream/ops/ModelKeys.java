package io.jrlstream.ops;

import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.ModelSettings;
import io.jrlstream.core.view.RatingView;
import io.jrlstream.core.view.review.ReviewView;
import io.jrlstream.streams.config.Catalog;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.Origin;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.SettingGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The model's settings in the configuration: {@code jrl.model.VIEW.KEY}, the keys of {@code --set VIEW.KEY=VALUE}
 * ({@link ModelOptions}), one setting per view and key with the model's default, so that they are in the same file,
 * template, environment mapping ({@code JRL_MODEL_REVIEW_LR}) and {@code jrl config --effective} as every other
 * key. The keys, their defaults and their parsing are the model's ({@link ModelSettings}, the one parser of model
 * settings: {@link ModelSettings#keysOf}, {@link ModelSettings#toProperties}, {@link ModelSettings#set}); this class
 * adds what each means and applies the ones a configuration sets. A key the model gains without a meaning here
 * fails the class's initialisation (and so every test that reads a configuration).
 *
 * <p>Stateless.
 */
final class ModelKeys {
  /** Prefix of model settings in a configuration. */
  static final String PREFIX = ModelSettings.PREFIX;

  private ModelKeys() {}

  /** A model key: what its values are and what it sets. */
  private record Key(String expects, String doc) {}

  private static final Map<String, Key> COMMON = keys(
      "dim", "an integer >= 1", "embedding dimension K",
      "lr", "a number > 0", "learning rate of the offline trainer (jrl evaluate)",
      "epochs", "an integer >= 1", "epochs of the offline trainer (jrl evaluate)",
      "l2", "a number >= 0", "L2 penalty on the vectors the ranking term touches, offline",
      "optimizer", "sgd, adagrad, adam or leaky_adagrad", "optimiser of the offline trainer",
      "schedule", "linear or constant", "learning-rate schedule of the offline trainer",
      "init", "a number > 0", "scale of the random initial vectors",
      "clip", "a number > 0", "global norm each mini-batch's gradient is clipped to",
      "loss", "log_sigmoid or sigmoid", "ranking loss: log_sigmoid (BPR's) or sigmoid (the paper's)",
      "bias", "true or false", "per-item bias: a learned bias added to each item's score",
      "streamLr", "a number > 0", "constant learning rate on the stream (jrl run, local, replay)",
      "streamOptimizer", "sgd, adagrad, adam or leaky_adagrad", "optimiser on the stream",
      "streamL2", "a number >= 0", "L2 penalty of the ranking term on the stream",
      "replay", "a number from 0 to 10000", "past interactions replayed per new one on the stream (0: no replay)",
      "reservoir", "an integer >= 0", "most interactions the replay reservoir keeps (44 bytes each; 0: no replay)",
      "passes", "an integer from 1 to 100", "steps over each new mini-batch before the replay",
      "replayContent", "true or false", "content replay: whether replayed interactions also train the view's own"
          + " terms that need no review text (the rating loss, the review's links in the window, the image decoder)",
      "samplerHistory", "an integer >= 1", "most items of a user the negative sampler remembers on the stream (the"
          + " oldest are forgotten, and may then be drawn as negatives)");
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

  /** The keys only one view has, by view. */
  private static final Map<String, Map<String, Key>> OWN = Map.of(ReviewView.NAME, REVIEW, RatingView.NAME, RATING,
      ImageView.NAME, IMAGE);

  /** Every model key with its default, e.g. {@code jrl.model.review.lr}. */
  static final SettingGroup MODEL = new SettingGroup("Model", "Per view: jrl.model.VIEW.KEY, the keys of --set"
      + " VIEW.KEY=VALUE (which overrides them). Views: " + String.join(", ", ModelConfig.VIEW_NAMES) + ". The"
      + " offline keys (lr, l2, optimizer, schedule, epochs) are jrl evaluate's; a stream trains with the stream"
      + " keys (streamLr, streamL2, streamOptimizer, replay, reservoir, passes, replayContent).",
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
        String value = (String) c.get(s); // parsed: an error names the key and where it came from
        out = ModelSettings.set(out, s.key().substring(PREFIX.length()), value);
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
    Properties defaults = ModelSettings.toProperties(d);
    List<Setting<?>> out = new ArrayList<>();
    for (String view : ModelConfig.VIEW_NAMES) {
      for (String key : ModelSettings.keysOf(view)) {
        Key k = COMMON.containsKey(key) ? COMMON.get(key) : OWN.getOrDefault(view, Map.of()).get(key);
        if (k == null) {
          throw new IllegalStateException("model key " + view + "." + key + " has no meaning in ModelKeys");
        }
        String dflt = defaults.getProperty(PREFIX + view + "." + key);
        if (dflt == null) {
          throw new IllegalStateException("model key " + view + "." + key + " has no default in the model");
        }
        out.add(setting(view, key, k, dflt));
      }
    }
    return out;
  }

  private static Setting<String> setting(String view, String key, Key k, String dflt) {
    String name = view + "." + key;
    return Setting.of(PREFIX + name, dflt, k.expects(), text -> {
      try {
        ModelSettings.set(ModelConfig.defaults(), name, text); // the model's parser checks the value
      } catch (IllegalArgumentException e) {
        // "setting VIEW.KEY=VALUE: why": Setting names key and value itself; keep the model's reason
        String m = e.getMessage() == null ? "" : e.getMessage();
        int colon = m.indexOf(": ");
        throw new IllegalArgumentException(colon >= 0 ? m.substring(colon + 2) : m, e);
      }
      return text;
    }, t -> t, "the " + view + " view's " + k.doc());
  }

  private static Map<String, Key> keys(String... triples) {
    Map<String, Key> m = new LinkedHashMap<>();
    for (int i = 0; i < triples.length; i += 3) {
      m.put(triples[i], new Key(triples[i + 1], triples[i + 2]));
    }
    return m;
  }
}
