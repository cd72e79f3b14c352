package io.jrlstream.streams.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration key, declared once: its name, the type its text parses to, its default, the values it allows
 * and a one-line meaning. Each module declares the keys it uses as constants of a keys class ({@link StreamsKeys},
 * {@link TrainingKeys}, {@link ImageKeys}, {@link ServeKeys}; ops has its own); {@link Configuration#get} reads a
 * value, the template and {@code jrl config --effective} are generated from the declarations, and typed records
 * check their components with {@link #require}, so that a range is written once.
 *
 * <p>Text is stripped of surrounding white space before it is parsed. A setting without a default is required.
 * Errors from {@link #parse} and {@link #require} are {@link IllegalArgumentException}s that name the key and the
 * value; {@link Configuration} adds where the value came from.
 *
 * <p>Immutable and thread-safe; the {@code withX} methods return copies.
 *
 * @param <T> the type of the value
 */
public final class Setting<T> {
  /** Parses stripped text into a value; throws an {@link IllegalArgumentException} saying what is expected. */
  @FunctionalInterface
  public interface Parser<T> {
    T parse(String text);
  }

  private final String key;
  private final String doc;
  private final T defaultValue;
  private final Parser<T> parser;
  private final Function<? super T, String> formatter;
  private final Predicate<? super T> allowed;
  private final String expects;
  private final boolean secret;
  private final List<String> legacyEnvironment;
  private final String example;

  private Setting(String key, String doc, T defaultValue, Parser<T> parser, Function<? super T, String> formatter,
      Predicate<? super T> allowed, String expects, boolean secret, List<String> legacyEnvironment, String example) {
    this.key = requireKey(key);
    this.doc = Objects.requireNonNull(doc, "doc");
    this.parser = Objects.requireNonNull(parser, "parser");
    this.formatter = Objects.requireNonNull(formatter, "formatter");
    this.allowed = Objects.requireNonNull(allowed, "allowed");
    this.expects = Objects.requireNonNull(expects, "expects");
    this.secret = secret;
    this.legacyEnvironment = List.copyOf(legacyEnvironment);
    this.example = example;
    if (doc.isBlank()) {
      throw new IllegalArgumentException("setting " + key + " has no description");
    }
    this.defaultValue = defaultValue;
    if (defaultValue != null) {
      require(defaultValue); // a default outside the allowed values is a programming error
    }
  }

  private static String requireKey(String key) {
    Objects.requireNonNull(key, "key");
    if (!key.matches("[a-z][a-zA-Z0-9]*([.-][a-zA-Z0-9]+)*")) {
      throw new IllegalArgumentException("setting key '" + key + "' is not of the form a.b.c");
    }
    return key;
  }

  /**
   * A setting of any type.
   *
   * @param key          the property name, e.g. {@code jrl.batch.size}
   * @param defaultValue the default, or null when the key is required
   * @param expects      what a valid value is, for messages and the template, e.g. "an integer >= 1"
   * @param parser       text to value; its exceptions' messages are replaced by {@code expects}
   * @param formatter    value to text, the inverse of {@code parser}
   * @param doc          what the key sets, one line
   */
  public static <T> Setting<T> of(String key, T defaultValue, String expects, Parser<T> parser,
      Function<? super T, String> formatter, String doc) {
    return new Setting<>(key, doc, defaultValue, parser, formatter, v -> true, expects, false, List.of(), null);
  }

  /** Free text; empty allowed. */
  public static Setting<String> text(String key, String defaultValue, String doc) {
    return of(key, Objects.requireNonNull(defaultValue, "defaultValue"), "text", t -> t, t -> t, doc);
  }

  /**
   * Text that must be given (no default) and must not be blank.
   *
   * @param example a value for the configuration template, e.g. {@code localhost:9092}
   */
  public static Setting<String> required(String key, String example, String doc) {
    return new Setting<String>(key, doc, null, t -> t, t -> t, t -> !t.isBlank(), "non-blank text", false,
        List.of(), Objects.requireNonNull(example, "example"));
  }

  /** Non-blank text with a default. */
  public static Setting<String> name(String key, String defaultValue, String doc) {
    return new Setting<String>(key, doc, defaultValue, t -> t, t -> t, t -> !t.isBlank(), "non-blank text", false,
        List.of(), null);
  }

  /** A legal Kafka topic name (or prefix of one). */
  public static Setting<String> topic(String key, String defaultValue, String doc) {
    return new Setting<String>(key, doc, defaultValue, t -> t, t -> t, TopicSpec::isLegalName,
        "a topic name of 1 to " + TopicSpec.MAX_NAME_LENGTH + " characters from [a-zA-Z0-9._-]", false, List.of(),
        null);
  }

  /** An integer in [min, max]. */
  public static Setting<Integer> integer(String key, int defaultValue, int min, int max, String doc) {
    return new Setting<Integer>(key, doc, defaultValue, Integer::parseInt, i -> Integer.toString(i),
        i -> i >= min && i <= max, "an integer" + range(min, max, Integer.MIN_VALUE, Integer.MAX_VALUE), false,
        List.of(), null);
  }

  /** A long in [min, max]. */
  public static Setting<Long> longValue(String key, long defaultValue, long min, long max, String doc) {
    return new Setting<Long>(key, doc, defaultValue, Long::parseLong, l -> Long.toString(l),
        l -> l >= min && l <= max, "an integer" + range(min, max, Long.MIN_VALUE, Long.MAX_VALUE), false, List.of(),
        null);
  }

  /** A finite number in [min, max]. */
  public static Setting<Double> number(String key, double defaultValue, double min, double max, String doc) {
    return new Setting<Double>(key, doc, defaultValue, Double::parseDouble, d -> Double.toString(d),
        d -> Double.isFinite(d) && d >= min && d <= max, "a number" + range(min, max), false, List.of(), null);
  }

  /** {@code true} or {@code false} (any case), nothing else. */
  public static Setting<Boolean> bool(String key, boolean defaultValue, String doc) {
    return of(key, defaultValue, "true or false", t -> switch (t.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException();
    }, b -> Boolean.toString(b), doc);
  }

  /** A constant of {@code type}, named in any case; written in lower case. */
  public static <E extends Enum<E>> Setting<E> choice(String key, Class<E> type, E defaultValue, String doc) {
    List<String> names = Arrays.stream(type.getEnumConstants()).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
    return of(key, defaultValue, "one of " + String.join(", ", names),
        t -> constant(type, t), e -> e.name().toLowerCase(Locale.ROOT), doc);
  }

  private static <E extends Enum<E>> E constant(Class<E> type, String name) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(name)) {
        return e;
      }
    }
    throw new IllegalArgumentException(); // the caller names the choices
  }

  /** Comma-separated names, each stripped, empty ones dropped; the empty text is the empty list. */
  public static Setting<List<String>> list(String key, List<String> defaultValue, String doc) {
    return of(key, List.copyOf(defaultValue), "comma-separated names", Setting::splitList,
        l -> String.join(",", l), doc);
  }

  /** The replication factor of a topic: {@code -1} (the broker's {@code default.replication.factor}) or 1..32767. */
  public static Setting<Short> replication(String key, String doc) {
    return new Setting<Short>(key, doc, (short) -1, Short::parseShort, s -> Short.toString(s),
        s -> s == -1 || s >= 1, "-1 (the broker's default.replication.factor) or an integer from 1 to 32767", false,
        List.of(), null);
  }

  /** Splits comma-separated text into stripped, non-empty parts. */
  public static List<String> splitList(String text) {
    List<String> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String p = part.strip();
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    return List.copyOf(out);
  }

  private static String range(long min, long max, long lowest, long highest) {
    if (min == lowest && max == highest) {
      return "";
    }
    if (max == highest) {
      return " >= " + min;
    }
    if (min == lowest) {
      return " <= " + max;
    }
    return " from " + min + " to " + max;
  }

  private static String range(double min, double max) {
    if (min == Double.NEGATIVE_INFINITY && max == Double.POSITIVE_INFINITY) {
      return "";
    }
    if (max == Double.POSITIVE_INFINITY) {
      return " >= " + min;
    }
    return " from " + min + " to " + max;
  }

  /**
   * A copy that allows only values passing {@code check}, described as {@code expects} (replacing the description).
   */
  public Setting<T> allowing(Predicate<? super T> check, String newExpects) {
    Predicate<? super T> before = allowed;
    return new Setting<>(key, doc, defaultValue, parser, formatter, v -> before.test(v) && check.test(v), newExpects,
        secret, legacyEnvironment, example);
  }

  /** A copy whose value is hidden wherever configurations are shown (tokens, passwords). */
  public Setting<T> secret() {
    return new Setting<>(key, doc, defaultValue, parser, formatter, allowed, expects, true, legacyEnvironment, example);
  }

  /**
   * A copy that is also read from environment variable {@code name} (a name from before the uniform mapping), when
   * {@link #environmentName()} is not set.
   */
  public Setting<T> legacyEnvironment(String name) {
    List<String> names = new ArrayList<>(legacyEnvironment);
    names.add(name);
    return new Setting<>(key, doc, defaultValue, parser, formatter, allowed, expects, secret, names, example);
  }

  /** @return the property name, e.g. {@code jrl.batch.size} */
  public String key() {
    return key;
  }

  /** @return what the key sets, one line */
  public String doc() {
    return doc;
  }

  /** @return what a valid value is, e.g. "an integer >= 1" */
  public String expects() {
    return expects;
  }

  /** @return the default, or empty when the key is required */
  public Optional<T> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  /** @return the default as written in a properties file, or empty when the key is required */
  public Optional<String> defaultText() {
    return defaultValue().map(this::format);
  }

  /** @return an example value of a required key, for the configuration template; empty for others */
  public Optional<String> example() {
    return Optional.ofNullable(example);
  }

  /** @return whether the value must be hidden when shown */
  public boolean isSecret() {
    return secret;
  }

  /** @return the environment variable that overrides this key ({@link #environmentName(String)}) */
  public String environmentName() {
    return environmentName(key);
  }

  /** @return older environment variables also read for this key, in order, when the main one is not set */
  public List<String> legacyEnvironmentNames() {
    return legacyEnvironment;
  }

  /**
   * The environment variable of a key: {@code JRL_}, then the key without a leading {@code jrl.}, upper-cased, with
   * every {@code .} and {@code -} as {@code _}: {@code jrl.batch.size} → {@code JRL_BATCH_SIZE},
   * {@code bootstrap.servers} → {@code JRL_BOOTSTRAP_SERVERS}, {@code jrl.model.review.minCount} →
   * {@code JRL_MODEL_REVIEW_MINCOUNT}. Not invertible in general: {@link Catalog} checks that it gives its keys
   * distinct names.
   */
  public static String environmentName(String key) {
    String rest = key.startsWith(Catalog.PREFIX) ? key.substring(Catalog.PREFIX.length()) : key;
    return Catalog.ENVIRONMENT_PREFIX + rest.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /**
   * Parses text (stripped first) and checks it is allowed.
   *
   * @throws IllegalArgumentException "KEY must be EXPECTS, got 'TEXT'"
   */
  public T parse(String text) {
    Objects.requireNonNull(text, key);
    String t = text.strip();
    T value;
    try {
      value = parser.parse(t);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + " must be " + expects + ", got '" + t + "'"
          + (e.getMessage() == null || e instanceof NumberFormatException ? "" : " (" + e.getMessage() + ")"), e);
    }
    if (value == null || !allowed.test(value)) {
      throw new IllegalArgumentException(key + " must be " + expects + ", got '" + t + "'");
    }
    return value;
  }

  /**
   * Checks a value given in code, as records do in their constructors.
   *
   * @return {@code value}
   * @throws IllegalArgumentException "KEY must be EXPECTS, got VALUE", or a {@link NullPointerException} naming the
   *     key
   */
  public T require(T value) {
    Objects.requireNonNull(value, key);
    if (!allowed.test(value)) {
      throw new IllegalArgumentException(key + " must be " + expects + ", got " + (secret ? "[hidden]"
          : format(value)));
    }
    return value;
  }

  /** @return the value as written in a properties file, so that {@link #parse} gives it back */
  public String format(T value) {
    return formatter.apply(value);
  }

  @Override
  public String toString() {
    return key;
  }
}
