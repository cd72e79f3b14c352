package io.jrlstream.ops;

import io.jrlstream.streams.config.SettingKey;
import io.jrlstream.streams.config.StreamsSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * {@code --bootstrap HOST:PORT} and/or {@code --config FILE}: the cluster and settings of the jobs that run beside
 * the trainer (import, export). The file has the format of {@code jrl run --config} (the {@code jrl.*} keys and
 * any Kafka client property, passed through); {@code --bootstrap} overrides its {@code bootstrap.servers}.
 */
final class ClusterOptions {
  @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
      description = "Kafka cluster (overrides bootstrap.servers of --config).")
  String bootstrap;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Properties file as for jrl run: bootstrap.servers, jrl.* keys, Kafka client properties.")
  Path config;

  private Properties loaded;

  /** The properties: the config file's (if any) with --bootstrap applied. */
  Properties properties() {
    if (loaded == null) {
      Properties p = new Properties();
      if (config != null) {
        try (Reader r = Files.newBufferedReader(config)) {
          p.load(r);
        } catch (NoSuchFileException e) {
          throw new IllegalArgumentException("config file " + config + " does not exist");
        } catch (IOException e) {
          throw new IllegalArgumentException("cannot read config file " + config + ": " + e.getMessage(), e);
        }
      }
      if (bootstrap != null) {
        p.setProperty(SettingKey.BOOTSTRAP_SERVERS.key(), bootstrap);
      }
      if (p.getProperty(SettingKey.BOOTSTRAP_SERVERS.key()) == null) {
        throw new IllegalArgumentException("no cluster: give --bootstrap HOST:PORT or --config FILE with "
            + SettingKey.BOOTSTRAP_SERVERS.key());
      }
      loaded = p;
    }
    return loaded;
  }

  /** The typed settings (topics, limits, pass-through client properties). */
  StreamsSettings settings() {
    return StreamsSettings.fromProperties(properties());
  }

  /** A key's value, or its default. */
  String value(SettingKey k) {
    String v = properties().getProperty(k.key());
    return v != null ? v.strip() : k.defaultValue().orElseThrow();
  }
}
