package io.jrlstream.streams.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The settings an application reads, in groups: what {@link Configuration} checks keys against, maps environment
 * variables with, and what the configuration template is generated from ({@link ConfigurationTemplate}). Each
 * module contributes its groups ({@link StreamsKeys#CATALOG} for this one); the application that wires the modules
 * joins them with {@link #plus}.
 *
 * <p>Construction checks that no key is declared twice and that the environment mapping
 * ({@link Setting#environmentName(String)}) gives every key, legacy names included, a variable of its own, outside
 * {@value #KAFKA_ENVIRONMENT_PREFIX}, which is kept for pass-through properties.
 *
 * <p>Immutable and thread-safe.
 */
public final class Catalog {
  /** Keys starting with this belong to the application: an unknown one is an error, never passed to Kafka. */
  public static final String PREFIX = "jrl.";
  /** Environment variables that set configuration keys start with this. */
  public static final String ENVIRONMENT_PREFIX = "JRL_";
  /**
   * Environment variables that set Kafka client properties (keys without {@value #PREFIX}) start with this: the rest
   * of the name lower-cased with {@code _} as {@code .}, e.g. {@code JRL_KAFKA_SECURITY_PROTOCOL} sets
   * {@code security.protocol}.
   */
  public static final String KAFKA_ENVIRONMENT_PREFIX = "JRL_KAFKA_";

  /** No settings. */
  public static final Catalog EMPTY = new Catalog(List.of());

  private final List<SettingGroup> groups;
  private final Map<String, Setting<?>> byKey;
  private final Map<String, Setting<?>> byEnvironment;

  private Catalog(List<SettingGroup> groups) {
    this.groups = List.copyOf(groups);
    Map<String, Setting<?>> keys = new LinkedHashMap<>();
    Map<String, Setting<?>> env = new TreeMap<>();
    for (SettingGroup g : this.groups) {
      for (Setting<?> s : g.settings()) {
        if (keys.put(s.key(), s) != null) {
          throw new IllegalArgumentException("setting " + s.key() + " is declared twice");
        }
        List<String> names = new ArrayList<>();
        names.add(s.environmentName());
        names.addAll(s.legacyEnvironmentNames());
        for (String name : names) {
          if (name.startsWith(KAFKA_ENVIRONMENT_PREFIX)) {
            throw new IllegalArgumentException("setting " + s.key() + " maps to environment variable " + name
                + ", but " + KAFKA_ENVIRONMENT_PREFIX + "* is kept for Kafka client properties");
          }
          Setting<?> other = env.put(name, s);
          if (other != null) {
            throw new IllegalArgumentException("settings " + other.key() + " and " + s.key()
                + " both map to environment variable " + name);
          }
        }
      }
    }
    this.byKey = Collections.unmodifiableMap(keys);
    this.byEnvironment = Collections.unmodifiableMap(env);
  }

  /**
   * @param groups the groups, in template order
   * @return a catalog of them
   * @throws IllegalArgumentException naming a key declared twice or two keys with one environment variable
   */
  public static Catalog of(List<SettingGroup> groups) {
    return new Catalog(groups);
  }

  /** @return a catalog of these groups */
  public static Catalog of(SettingGroup... groups) {
    return new Catalog(List.of(groups));
  }

  /**
   * @param other more groups
   * @return this catalog's groups followed by {@code other}'s
   * @throws IllegalArgumentException as {@link #of(List)}
   */
  public Catalog plus(Catalog other) {
    List<SettingGroup> all = new ArrayList<>(groups);
    all.addAll(other.groups);
    return new Catalog(all);
  }

  /** @return the groups, in template order */
  public List<SettingGroup> groups() {
    return groups;
  }

  /** @return every setting, in template order */
  public List<Setting<?>> settings() {
    return List.copyOf(byKey.values());
  }

  /** @return the setting named {@code key}, or empty */
  public Optional<Setting<?>> setting(String key) {
    return Optional.ofNullable(byKey.get(Objects.requireNonNull(key, "key")));
  }

  /** @return whether {@code s} is one of this catalog's settings */
  public boolean contains(Setting<?> s) {
    return byKey.get(s.key()) == s;
  }

  /**
   * @return every environment variable that sets a key (legacy names included), sorted, with its setting
   */
  public Map<String, Setting<?>> environmentVariables() {
    return byEnvironment;
  }

  /** @return whether {@code key} is left to the Kafka clients: neither a setting here nor a {@value #PREFIX} key */
  public boolean isPassthrough(String key) {
    return !byKey.containsKey(key) && !key.startsWith(PREFIX);
  }
}
