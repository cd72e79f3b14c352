package io.jrlstream.ops;

import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.ConfigurationException;
import io.jrlstream.streams.config.Origin;
import io.jrlstream.streams.config.StreamsKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --config FILE} and {@code --bootstrap-servers HOST:PORT}: how every command that talks to a cluster reads
 * its configuration ({@link JrlConfiguration}): the file, then the environment, then the command line, each
 * overriding the one before. {@code --bootstrap} is the older name of {@code --bootstrap-servers}, kept hidden.
 */
final class ConfigOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (Java properties: bootstrap.servers, jrl.* keys, Kafka client properties; "
          + "jrl config --template writes one).")
  Path config;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT",
      description = "Kafka cluster (overrides bootstrap.servers of the file and JRL_BOOTSTRAP_SERVERS).")
  String bootstrapServers;

  @Option(names = "--bootstrap", paramLabel = "HOST:PORT", hidden = true,
      description = "Older name of --bootstrap-servers.")
  void bootstrap(String servers) {
    bootstrapServers = servers;
  }

  /**
   * The configuration: the file (if any), the environment, then these options and {@code commandLine}'s, every
   * value that is set checked ({@link Configuration#requireValid}). Environment variables that start with
   * {@code JRL_} but set nothing are warned of on the command's error stream.
   *
   * @param commandLine adds the command's own options to the builder (command-line origin)
   * @throws ConfigurationException naming an unreadable file, an unknown {@code jrl.*} key or a bad value
   */
  Configuration read(Consumer<Configuration.Builder> commandLine) {
    Configuration.Builder b = JrlConfiguration.builder(config, Jrl.environment(mixee));
    if (bootstrapServers != null) {
      b.set(StreamsKeys.BOOTSTRAP_SERVERS.key(), bootstrapServers, Origin.commandLine("--bootstrap-servers"));
    }
    commandLine.accept(b);
    Configuration c = b.build();
    PrintWriter err = mixee.commandLine().getErr();
    JrlConfiguration.warnIgnored(c, err);
    return c.requireValid();
  }

  /** The configuration with no other command-line option. */
  Configuration read() {
    return read(b -> { });
  }
}
