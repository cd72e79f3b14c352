package io.jrlstream.streams.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The configuration a command runs with: the text of every key that was set, and where it came from. Built in
 * layers ({@link Builder}): defaults (declared in the {@link Setting}s), then a properties file, then environment
 * variables, then the command line, each overriding the ones before. This is the one reader of configuration
 * values: {@link #get} parses a key's value or returns its default, and every error names the key, the value and
 * its origin; the typed records ({@link StreamsSettings}, {@code TrainingOptions}, {@code ImageSettings}, …) are
 * built from it with {@link #build}, which adds the origins of the keys a record's own check names.
 *
 * <p>Keys not in the {@link Catalog} and not starting with {@value Catalog#PREFIX} are Kafka client or Streams
 * properties, passed through unchanged ({@link #passthrough}); an unknown {@value Catalog#PREFIX} key is an error,
 * reported with every other one at once.
 *
 * <p>Immutable and thread-safe.
 */
public final class Configuration {
  /** A key's text and where it came from. */
  record Value(String text, Origin origin) {}

  /**
   * One line of {@link #effective}.
   *
   * @param key     the property name
   * @param value   its text as a run uses it ({@code [hidden]} for a secret that is set; empty for a required key
   *                that is not)
   * @param origin  where it came from
   * @param setting its declaration, or null for a pass-through property
   */
  public record Entry(String key, String value, Origin origin, Setting<?> setting) {}

  private final Catalog catalog;
  private final Map<String, Value> values;
  private final List<String> ignoredEnvironment;

  private Configuration(Catalog catalog, Map<String, Value> values, List<String> ignoredEnvironment) {
    this.catalog = catalog;
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    this.ignoredEnvironment = List.copyOf(ignoredEnvironment);
  }

  /** @return a configuration of {@code catalog} with nothing set: every key at its default */
  public static Configuration defaults(Catalog catalog) {
    return new Configuration(catalog, Map.of(), List.of());
  }

  /**
   * @return the configuration of {@code catalog} that {@code properties} set, all counted as given in code
   *     ({@link Origin#commandLine} "properties"); as {@link Builder#properties}
   * @throws ConfigurationException naming unknown {@value Catalog#PREFIX} keys
   */
  public static Configuration of(Catalog catalog, Properties properties) {
    return builder(catalog).properties(properties, new Origin(Origin.Kind.FILE, "(properties)")).build();
  }

  /** @return a builder of a configuration of {@code catalog} */
  public static Builder builder(Catalog catalog) {
    return new Builder(catalog);
  }

  /** @return the catalog whose keys this configuration reads */
  public Catalog catalog() {
    return catalog;
  }

  /**
   * The value of a setting: its text parsed, or its default when it is not set.
   *
   * @throws ConfigurationException "KEY must be …, got 'TEXT' (ORIGIN)", or "KEY is required: …" when a key without
   *     default is not set
   * @throws IllegalStateException when the setting is not in this configuration's catalog (a wiring error)
   */
  public <T> T get(Setting<T> s) {
    if (!catalog.contains(s)) {
      throw new IllegalStateException("setting " + s.key() + " is not in the catalog this configuration reads");
    }
    Value v = values.get(s.key());
    if (v == null) {
      return s.defaultValue().orElseThrow(() -> new ConfigurationException(s.key() + " is required (" + s.doc()
          + "): set it in the configuration file, or as environment variable " + s.environmentName()));
    }
    try {
      return s.parse(v.text());
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(e.getMessage() + " (" + v.origin() + ")", e);
    }
  }

  /**
   * Parses every value that is set, so that a bad one is reported before anything uses it, whichever part of the
   * application reads it (and even when none does in this run, e.g. image settings without an image model).
   *
   * @return this
   * @throws ConfigurationException listing every malformed or out-of-range value, each with its key and origin
   */
  public Configuration requireValid() {
    List<String> errors = new ArrayList<>();
    for (Setting<?> s : catalog.settings()) {
      if (values.containsKey(s.key())) {
        try {
          get(s);
        } catch (ConfigurationException e) {
          errors.add(e.getMessage());
        }
      }
    }
    if (errors.size() == 1) {
      throw new ConfigurationException(errors.get(0));
    }
    if (!errors.isEmpty()) {
      throw new ConfigurationException(errors.size() + " bad values: " + String.join("; ", errors));
    }
    return this;
  }

  /** @return the text of a key that is set, stripped, or empty */
  public Optional<String> text(String key) {
    Value v = values.get(key);
    return v == null ? Optional.empty() : Optional.of(v.text().strip());
  }

  /** @return where {@code key}'s value comes from ({@link Origin#DEFAULT} when it is not set) */
  public Origin origin(String key) {
    Value v = values.get(key);
    return v == null ? Origin.DEFAULT : v.origin();
  }

  /** @return whether {@code s} is set by a file, the environment or the command line */
  public boolean isSet(Setting<?> s) {
    return values.containsKey(s.key());
  }

  /**
   * Builds a typed value from this configuration, adding to any {@link IllegalArgumentException} of {@code reader}
   * (a record's constructor, which names keys but cannot know where their values came from) the origin of every
   * key its message names.
   *
   * @throws ConfigurationException with the origins added
   */
  public <R> R build(Function<Configuration, R> reader) {
    try {
      return reader.apply(this);
    } catch (ConfigurationException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(withOrigins(e.getMessage()), e);
    }
  }

  /** The message with "(KEY: ORIGIN, …)" for every key of the catalog it names. */
  String withOrigins(String message) {
    if (message == null) {
      return null;
    }
    List<String> named = new ArrayList<>();
    Matcher m = KEY_LIKE.matcher(message);
    while (m.find()) {
      String key = m.group();
      while (key.endsWith(".")) {
        key = key.substring(0, key.length() - 1); // a key that ends a sentence
      }
      if (catalog.setting(key).isPresent() && !named.contains(key)) {
        named.add(key);
      }
    }
    if (named.isEmpty()) {
      return message;
    }
    List<String> parts = new ArrayList<>();
    for (String key : named) {
      parts.add(key + ": " + origin(key));
    }
    return message + " (" + String.join("; ", parts) + ")";
  }

  private static final Pattern KEY_LIKE = Pattern.compile("[a-z][a-zA-Z0-9]*(?:[.-][a-zA-Z0-9]+)+\\.?");

  /**
   * @return the Kafka client and Streams properties: every key set that is neither in the catalog nor a
   *     {@value Catalog#PREFIX} key, sorted, values as given
   */
  public Map<String, String> passthrough() {
    Map<String, String> out = new TreeMap<>();
    values.forEach((k, v) -> {
      if (catalog.isPassthrough(k)) {
        out.put(k, v.text());
      }
    });
    return Collections.unmodifiableMap(out);
  }

  /**
   * @return environment variables that start with {@value Catalog#ENVIRONMENT_PREFIX} but set no key (a typo, or a
   *     variable of the launcher), sorted
   */
  public List<String> ignoredEnvironment() {
    return ignoredEnvironment;
  }

  /**
   * What a run uses: every setting of the catalog in its order with its text (set or default) and origin, then
   * every pass-through property. Secrets that are set show as {@code [hidden]}.
   */
  public List<Entry> effective() {
    List<Entry> out = new ArrayList<>();
    for (Setting<?> s : catalog.settings()) {
      Value v = values.get(s.key());
      String text = v == null ? s.defaultText().orElse("") : v.text().strip();
      if (s.isSecret() && v != null && !text.isEmpty()) {
        text = "[hidden]";
      }
      out.add(new Entry(s.key(), text, v == null ? Origin.DEFAULT : v.origin(), s));
    }
    passthrough().forEach((k, text) -> out.add(new Entry(k, SECRET.matcher(k).matches() ? "[hidden]" : text,
        values.get(k).origin(), null)));
    return out;
  }

  /** Names of pass-through properties whose values are hidden when shown. */
  public static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|jaas|token|credential|\\.key$).*");

  /**
   * @return a copy with {@code key} set to {@code value} from {@code origin}, whatever set it before (a command
   *     that decides a value itself, e.g. the embedded broker's address)
   * @throws ConfigurationException when {@code key} is an unknown {@value Catalog#PREFIX} key
   */
  public Configuration with(String key, String value, Origin origin) {
    Builder b = new Builder(catalog);
    b.values.putAll(values);
    b.values.put(key, new Value(value, origin));
    b.ignored.addAll(ignoredEnvironment);
    return b.build();
  }

  /** @return a copy without {@code key}: its default applies again */
  public Configuration without(String key) {
    Map<String, Value> copy = new TreeMap<>(values);
    copy.remove(key);
    return new Configuration(catalog, copy, ignoredEnvironment);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Configuration[");
    for (Entry e : effective()) {
      if (e.origin().kind() != Origin.Kind.DEFAULT) {
        sb.append(e.key()).append('=').append(e.value()).append(" (").append(e.origin()).append("), ");
      }
    }
    return sb.append(']').toString();
  }

  /**
   * Collects the layers of a configuration. A value replaces one set before only if its source is at least as
   * strong ({@link Origin.Kind}: command line over environment over file), so the order of the calls does not
   * matter across kinds; within a kind the later call wins. Not thread-safe.
   */
  public static final class Builder {
    private final Catalog catalog;
    private final Map<String, Value> values = new LinkedHashMap<>();
    private final TreeSet<String> ignored = new TreeSet<>();

    private Builder(Catalog catalog) {
      this.catalog = Objects.requireNonNull(catalog, "catalog");
    }

    /**
     * Reads a Java properties file (UTF-8; {@code #} comments on their own lines).
     *
     * @throws ConfigurationException when the file does not exist or cannot be read, naming it
     */
    public Builder file(Path file) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (NoSuchFileException e) {
        throw new ConfigurationException("config file " + file + " does not exist");
      } catch (IOException | IllegalArgumentException e) {
        throw new ConfigurationException("cannot read config file " + file + ": " + e.getMessage(), e);
      }
      return properties(p, Origin.file(file));
    }

    /**
     * Sets every entry of {@code properties} (its defaults included) from {@code origin}.
     *
     * @throws ConfigurationException naming an entry that is not a String key and value
     */
    public Builder properties(Properties properties, Origin origin) {
      for (Map.Entry<Object, Object> e : properties.entrySet()) {
        if (!(e.getKey() instanceof String) || !(e.getValue() instanceof String)) {
          throw new ConfigurationException("property " + e.getKey() + " is a "
              + e.getKey().getClass().getSimpleName() + " -> " + e.getValue().getClass().getSimpleName()
              + " entry; only String keys and values are read");
        }
      }
      for (String key : properties.stringPropertyNames()) {
        set(key, properties.getProperty(key), origin);
      }
      return this;
    }

    /**
     * Reads environment variables: for each setting of the catalog its {@link Setting#environmentName()} (or,
     * when that is not set, its legacy names), and every {@value Catalog#KAFKA_ENVIRONMENT_PREFIX}NAME as the Kafka
     * property {@code name} with {@code .} for {@code _}. Other {@value Catalog#ENVIRONMENT_PREFIX} variables are
     * noted in {@link Configuration#ignoredEnvironment()}.
     *
     * @param environment the variables, e.g. {@link System#getenv()}
     * @throws ConfigurationException when a {@value Catalog#KAFKA_ENVIRONMENT_PREFIX} variable names a key of the
     *     catalog (it has its own variable)
     */
    public Builder environment(Map<String, String> environment) {
      Map<String, Setting<?>> known = catalog.environmentVariables();
      for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
        String name = e.getKey();
        Setting<?> s = known.get(name);
        if (s != null) {
          boolean legacy = !name.equals(s.environmentName());
          if (!legacy || !environment.containsKey(s.environmentName())) {
            set(s.key(), e.getValue(), Origin.environment(name));
          }
        } else if (name.startsWith(Catalog.KAFKA_ENVIRONMENT_PREFIX)
            && name.length() > Catalog.KAFKA_ENVIRONMENT_PREFIX.length()) {
          String key = name.substring(Catalog.KAFKA_ENVIRONMENT_PREFIX.length()).toLowerCase(Locale.ROOT)
              .replace('_', '.');
          if (!catalog.isPassthrough(key)) {
            throw new ConfigurationException("environment variable " + name + " would set " + key + ", which is "
                + catalog.setting(key).map(t -> "set by " + t.environmentName()).orElse("not a Kafka property"));
          }
          set(key, e.getValue(), Origin.environment(name));
        } else if (name.startsWith(Catalog.ENVIRONMENT_PREFIX)) {
          ignored.add(name);
        }
      }
      return this;
    }

    /**
     * Sets one key, e.g. from a command-line option.
     *
     * @return this
     */
    public Builder set(String key, String value, Origin origin) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, () -> "value of " + key);
      Objects.requireNonNull(origin, "origin");
      Value before = values.get(key);
      if (before == null || before.origin().kind().compareTo(origin.kind()) <= 0) {
        values.put(key, new Value(value, origin));
      }
      return this;
    }

    /**
     * @return the configuration
     * @throws ConfigurationException naming every unknown {@value Catalog#PREFIX} key with its origin, and the
     *     known ones
     */
    public Configuration build() {
      List<String> unknown = new ArrayList<>();
      values.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
        if (e.getKey().startsWith(Catalog.PREFIX) && catalog.setting(e.getKey()).isEmpty()) {
          unknown.add(e.getKey() + " (" + e.getValue().origin() + ")");
        }
      });
      if (!unknown.isEmpty()) {
        List<String> known = catalog.settings().stream().map(Setting::key).filter(k -> k.startsWith(Catalog.PREFIX))
            .sorted(Comparator.naturalOrder()).toList();
        throw new ConfigurationException("unknown configuration key" + (unknown.size() > 1 ? "s " : " ")
            + String.join(", ", unknown) + "; the " + Catalog.PREFIX + "* keys are " + known
            + " (jrl config --template lists them with their meaning)");
      }
      return new Configuration(catalog, values, new ArrayList<>(ignored));
    }
  }
}
