package io.jrlstream.ops;

import io.jrlstream.ops.serve.HttpKeys;
import io.jrlstream.streams.config.Catalog;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.ConfigurationTemplate;
import io.jrlstream.streams.config.StreamsKeys;
import io.jrlstream.streams.image.ImageKeys;
import io.jrlstream.streams.serve.ServeKeys;
import io.jrlstream.streams.shard.ShardKeys;
import io.jrlstream.streams.train.TrainingKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The product's configuration: every key of every module in one {@link Catalog}, in the order the template lists
 * them, and how a command reads it. One file format (Java properties), one environment mapping, one precedence:
 * command line over environment over file over default ({@link io.jrlstream.streams.config.Origin}).
 *
 * <p>Environment variables: {@code JRL_} and the key without its {@code jrl.} prefix, upper-case, {@code .} and
 * {@code -} as {@code _} ({@code jrl.batch.size}: {@code JRL_BATCH_SIZE}; {@code bootstrap.servers}:
 * {@code JRL_BOOTSTRAP_SERVERS}; {@code jrl.model.review.lr}: {@code JRL_MODEL_REVIEW_LR}); Kafka client properties
 * as {@code JRL_KAFKA_} and the property upper-case with {@code _} for {@code .}
 * ({@code JRL_KAFKA_SECURITY_PROTOCOL}). The catalog refuses two keys with one variable.
 *
 * <p>Stateless.
 */
public final class JrlConfiguration {
  private JrlConfiguration() {}

  /** Every key the product reads. */
  public static final Catalog CATALOG = Catalog.of(List.of(StreamsKeys.CLUSTER, StreamsKeys.TOPICS,
      StreamsKeys.INPUT_LIMITS, TrainingKeys.TRAINING, ShardKeys.SHARDING, ModelKeys.MODEL, TrainingKeys.ROCKSDB,
      ImageKeys.IMAGE,
      ServeKeys.SERVE, HttpKeys.HTTP, OpsKeys.INSTANCE, OpsKeys.METRICS_AND_READINESS, OpsKeys.IMPORT_AND_REPLAY));

  /** Environment variables of the launcher ({@code ops/bin/jrl}), not configuration keys. */
  public static final Set<String> LAUNCHER_VARIABLES = Set.of("JRL_JAVA_OPTS", "JRL_HEAP", "JRL_WITH", "JRL_SIMD");

  /**
   * A builder with the file (when not null) and the environment read; a command adds its command-line options and
   * builds.
   *
   * @param file        a properties file, or null for none
   * @param environment the environment, e.g. {@link System#getenv()}
   * @throws io.jrlstream.streams.config.ConfigurationException naming a file that cannot be read
   */
  public static Configuration.Builder builder(Path file, Map<String, String> environment) {
    Configuration.Builder b = Configuration.builder(CATALOG);
    if (file != null) {
      b.file(file);
    }
    return b.environment(environment);
  }

  /** Warns on {@code err} of each {@code JRL_*} environment variable that sets nothing (a misspelt key). */
  static void warnIgnored(Configuration c, PrintWriter err) {
    for (String name : c.ignoredEnvironment()) {
      if (!LAUNCHER_VARIABLES.contains(name)) {
        err.printf("warning: environment variable %s is not a configuration key (jrl config --template lists them"
            + " with their variables); ignored%n", name);
      }
    }
    err.flush();
  }

  /** The configuration template of {@code c}: every key with its value (the default, unless c sets it). */
  public static String template(Configuration c) {
    return ConfigurationTemplate.write(c, List.of(
        "jrl configuration: a Java properties file (key=value; lines starting with # are comments, and only such"
            + " lines: a properties file has no comment after a value).",
        "Written by jrl config --template from the declarations of the settings, with every key, its value, its"
            + " meaning, the values it accepts and its environment variable. Load it with --config FILE.",
        "",
        "Precedence: command line > environment > this file > default (jrl config --effective --config FILE shows"
            + " what a run uses and where each value comes from).",
        "Environment variables: JRL_ and the key without its jrl. prefix, upper-case, with _ for . and -"
            + " (jrl.batch.size: JRL_BATCH_SIZE; bootstrap.servers: JRL_BOOTSTRAP_SERVERS); Kafka client"
            + " properties: JRL_KAFKA_ and the property upper-case with _ for . (JRL_KAFKA_SECURITY_PROTOCOL)."));
  }
}
