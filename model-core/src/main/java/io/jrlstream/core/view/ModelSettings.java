package io.jrlstream.core.view;

import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.view.review.ReviewView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The one parser of model settings by name: {@code VIEW.KEY=VALUE} as {@code jrl evaluate --set} and the other
 * commands take it, and {@code jrl.model.VIEW.KEY=VALUE} in a properties file ({@code jrl run --config}), so that a
 * trainer restarted from its configuration file trains with the same settings. Every error names the key and the
 * value; values outside a setting's range are refused by the records' own validation, named the same way.
 *
 * <p>Keys of every view: {@link #COMMON_KEYS}; the review, rating and image views add their own
 * ({@link #REVIEW_KEYS}, {@link #RATING_KEYS}, {@link #IMAGE_KEYS}). Stateless.
 */
public final class ModelSettings {
  /** Prefix of model settings in a properties file. */
  public static final String PREFIX = "jrl.model.";

  /** Keys every view has (offline, then stream settings). */
  public static final List<String> COMMON_KEYS = List.of("dim", "lr", "epochs", "l2", "optimizer", "schedule", "init",
      "clip", "loss", "bias", "streamLr", "streamOptimizer", "streamL2", "replay", "reservoir", "passes",
      "replayContent", "samplerHistory");
  /** Keys of the review view only. */
  public static final List<String> REVIEW_KEYS = List.of("lambda", "negatives", "sample", "minCount", "vocabCap",
      "linkNegatives", "wordUpdates", "wordLr", "window");
  /** Keys of the rating view only. */
  public static final List<String> RATING_KEYS = List.of("lambda", "hidden");
  /** Keys of the image view only (its feature dimension comes from the data or the extractor). */
  public static final List<String> IMAGE_KEYS = List.of("lambda", "layers");

  private ModelSettings() {}

  /**
   * Applies one {@code VIEW.KEY=VALUE} assignment.
   *
   * @throws IllegalArgumentException naming the assignment when it is malformed, the view or key unknown, or the
   *     value not valid for the key
   */
  public static ModelConfig apply(ModelConfig c, String assignment) {
    int eq = assignment.indexOf('=');
    int dot = assignment.indexOf('.');
    if (eq < 0 || dot < 0 || dot > eq) {
      throw new IllegalArgumentException("expected VIEW.KEY=VALUE, got '" + assignment + "'");
    }
    return set(c, assignment.substring(0, eq).strip(), assignment.substring(eq + 1).strip());
  }

  /**
   * Sets {@code name} (VIEW.KEY) to {@code value}.
   *
   * @throws IllegalArgumentException naming {@code name} and the value when either is not valid
   */
  public static ModelConfig set(ModelConfig c, String name, String value) {
    int dot = name.indexOf('.');
    if (dot <= 0 || dot == name.length() - 1) {
      throw new IllegalArgumentException("setting " + name + "=" + value
          + ": expected VIEW.KEY (e.g. collaborative.l2)");
    }
    String view = name.substring(0, dot);
    String key = name.substring(dot + 1);
    if (!ModelConfig.VIEW_NAMES.contains(view)) {
      throw new IllegalArgumentException("setting " + name + "=" + value + ": unknown view '" + view + "' (known: "
          + String.join(", ", ModelConfig.VIEW_NAMES) + ")");
    }
    try {
      return switch (view + "." + key) {
        case "review.lambda", "review.negatives", "review.sample", "review.minCount", "review.vocabCap",
            "review.linkNegatives", "review.wordUpdates", "review.wordLr", "review.window" ->
            c.withReview(review(c.review(), key, value));
        case "rating.lambda" -> c.withRating(new RatingView.Settings(number(value), c.rating().hidden()));
        case "rating.hidden" -> c.withRating(new RatingView.Settings(c.rating().lambda(), integer(value)));
        case "image.lambda" -> c.withImage(new ImageView.Settings(number(value), c.image().featureDim(),
            c.image().layers()));
        case "image.layers" -> c.withImage(new ImageView.Settings(c.image().lambda(), c.image().featureDim(),
            integer(value)));
        default -> c.withView(view, common(c.view(view), view, key, value));
      };
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("setting " + name + "=" + value + ": " + e.getMessage(), e);
    }
  }

  /**
   * The defaults in {@code base} with every {@code jrl.model.VIEW.KEY} of {@code p} applied (other keys are
   * ignored), in key order so that the result does not depend on the file's order.
   *
   * @throws IllegalArgumentException naming the property when a key or value is not valid
   */
  public static ModelConfig fromProperties(ModelConfig base, Properties p) {
    Map<String, String> sorted = new TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      if (k.startsWith(PREFIX)) {
        sorted.put(k, p.getProperty(k));
      }
    }
    ModelConfig c = base;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      try {
        c = set(c, e.getKey().substring(PREFIX.length()), e.getValue().strip());
      } catch (IllegalArgumentException ex) {
        String m = ex.getMessage();
        throw new IllegalArgumentException(PREFIX + (m.startsWith("setting ") ? m.substring(8) : m), ex);
      }
    }
    return c;
  }

  /**
   * Every model setting of c as {@code jrl.model.VIEW.KEY} properties: {@link #fromProperties} of them over any
   * base gives c back (but its seed and the image view's feature dimension, which are not model keys).
   */
  public static Properties toProperties(ModelConfig c) {
    Properties p = new Properties();
    for (Map.Entry<String, ViewConfig> e : c.views().entrySet()) {
      String prefix = PREFIX + e.getKey() + ".";
      for (Map.Entry<String, String> kv : common(e.getValue()).entrySet()) {
        p.setProperty(prefix + kv.getKey(), kv.getValue());
      }
    }
    ReviewView.Settings r = c.review();
    String review = PREFIX + ReviewView.NAME + ".";
    p.setProperty(review + "lambda", Double.toString(r.lambda()));
    p.setProperty(review + "negatives", Integer.toString(r.negatives()));
    p.setProperty(review + "sample", Double.toString(r.sample()));
    p.setProperty(review + "minCount", Integer.toString(r.minCount()));
    p.setProperty(review + "vocabCap", Integer.toString(r.vocabCap()));
    p.setProperty(review + "linkNegatives", Integer.toString(r.linkNegatives()));
    p.setProperty(review + "wordUpdates", lower(r.wordUpdates()));
    p.setProperty(review + "wordLr", Double.toString(r.wordLearningRate()));
    p.setProperty(review + "window", Integer.toString(r.window()));
    p.setProperty(PREFIX + RatingView.NAME + ".lambda", Double.toString(c.rating().lambda()));
    p.setProperty(PREFIX + RatingView.NAME + ".hidden", Integer.toString(c.rating().hidden()));
    p.setProperty(PREFIX + ImageView.NAME + ".lambda", Double.toString(c.image().lambda()));
    p.setProperty(PREFIX + ImageView.NAME + ".layers", Integer.toString(c.image().layers()));
    return p;
  }

  /** One line per key for help texts: every view's keys, then the view-specific ones. */
  public static String describeKeys() {
    return "every view: " + String.join(", ", COMMON_KEYS) + "; review: " + String.join(", ", REVIEW_KEYS)
        + "; rating: " + String.join(", ", RATING_KEYS) + "; image: " + String.join(", ", IMAGE_KEYS);
  }

  private static Map<String, String> common(ViewConfig v) {
    Map<String, String> m = new TreeMap<>();
    StreamSettings s = v.stream();
    m.put("dim", Integer.toString(v.dim()));
    m.put("lr", Double.toString(v.learningRate()));
    m.put("epochs", Integer.toString(v.epochs()));
    m.put("l2", Double.toString(v.l2()));
    m.put("optimizer", lower(v.optimizer()));
    m.put("schedule", lower(v.schedule()));
    m.put("init", Double.toString(v.initScale()));
    m.put("clip", Double.toString(v.clipNorm()));
    m.put("loss", lower(v.rankingLoss()));
    m.put("bias", Boolean.toString(v.bias()));
    m.put("streamLr", Double.toString(s.learningRate()));
    m.put("streamOptimizer", lower(s.optimizer()));
    m.put("streamL2", Double.toString(s.l2()));
    m.put("replay", Double.toString(s.replayRatio()));
    m.put("reservoir", Integer.toString(s.reservoir()));
    m.put("passes", Integer.toString(s.passes()));
    m.put("replayContent", Boolean.toString(s.replayContent()));
    m.put("samplerHistory", Integer.toString(s.samplerHistory()));
    return m;
  }

  private static ViewConfig common(ViewConfig v, String view, String key, String value) {
    StreamSettings s = v.stream();
    return switch (key) {
      case "dim" -> v.withDim(integer(value));
      case "lr" -> v.withLearningRate(number(value));
      case "epochs" -> v.withEpochs(integer(value));
      case "l2" -> v.withL2(number(value));
      case "optimizer" -> v.withOptimizer(choice(OptimizerKind.class, value));
      case "schedule" -> v.withSchedule(choice(ViewConfig.Schedule.class, value));
      case "init" -> v.withInitScale(number(value));
      case "clip" -> v.withClipNorm(number(value));
      case "loss" -> v.withRankingLoss(choice(RankingLoss.class, value));
      case "bias" -> v.withBias(bool(value));
      case "streamLr" -> v.withStream(s.withLearningRate(number(value)));
      case "streamOptimizer" -> v.withStream(s.withOptimizer(choice(OptimizerKind.class, value)));
      case "streamL2" -> v.withStream(s.withL2(number(value)));
      case "replay" -> v.withStream(s.withReplayRatio(number(value)));
      case "reservoir" -> v.withStream(s.withReservoir(integer(value)));
      case "passes" -> v.withStream(s.withPasses(integer(value)));
      case "replayContent" -> v.withStream(s.withReplayContent(bool(value)));
      case "samplerHistory" -> v.withStream(s.withSamplerHistory(integer(value)));
      default -> throw new IllegalArgumentException("unknown setting '" + key + "' for view " + view + " (keys: "
          + String.join(", ", keysOf(view)) + ")");
    };
  }

  private static ReviewView.Settings review(ReviewView.Settings r, String key, String value) {
    return switch (key) {
      case "lambda" -> r.withLambda(number(value));
      case "negatives" -> r.withNegatives(integer(value));
      case "sample" -> r.withSample(number(value));
      case "minCount" -> r.withMinCount(integer(value));
      case "vocabCap" -> r.withVocabCap(integer(value));
      case "linkNegatives" -> r.withLinkNegatives(integer(value));
      case "wordUpdates" -> r.withWordUpdates(choice(ReviewView.WordUpdates.class, value));
      case "wordLr" -> r.withWordLearningRate(number(value));
      case "window" -> r.withWindow(integer(value));
      default -> throw new IllegalStateException("review key " + key);
    };
  }

  /** The keys a view accepts. */
  public static List<String> keysOf(String view) {
    List<String> keys = new ArrayList<>(COMMON_KEYS);
    switch (view) {
      case ReviewView.NAME -> keys.addAll(REVIEW_KEYS);
      case RatingView.NAME -> keys.addAll(RATING_KEYS);
      case ImageView.NAME -> keys.addAll(IMAGE_KEYS);
      default -> { }
    }
    return keys;
  }

  private static double number(String value) {
    try {
      double d = Double.parseDouble(value);
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("'" + value + "' is not a finite number");
      }
      return d;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a number");
    }
  }

  private static int integer(String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not an integer");
    }
  }

  private static boolean bool(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("'" + value + "' is not true or false");
    };
  }

  private static <E extends Enum<E>> E choice(Class<E> type, String value) {
    try {
      return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      List<String> names = new ArrayList<>();
      for (E c : type.getEnumConstants()) {
        names.add(lower(c));
      }
      throw new IllegalArgumentException("'" + value + "' is not one of " + String.join(", ", names));
    }
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }
}
