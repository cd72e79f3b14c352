package io.jrlstream.ops;

import io.jrlstream.core.math.Vectors;
import io.jrlstream.ops.kafka.KafkaOpsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.ServiceLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code jrl} command line: the one entry point users run (via {@code ops/bin/jrl}).
 * The product's subcommands are declared here, in one place; modules outside the product (the benchmarks) add
 * theirs through {@link CommandExtension}s found on the class path.
 */
@Command(name = "jrl", mixinStandardHelpOptions = true, versionProvider = Jrl.Version.class,
    description = "Streaming JRL/eJRL recommendation trainer on Kafka Streams and offline evaluation.",
    subcommands = {LocalCommand.class, RunCommand.class, ConfigCommand.class, EvaluateCommand.class,
        ServeCommand.class, QueryCommand.class,
        ImportCommand.class, ExportCommand.class, ReplayCommand.class,
        CommandLine.HelpCommand.class})
public final class Jrl implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private final Map<String, String> environment;

  private Jrl(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The configured picocli command line, with the subcommands of every {@link CommandExtension} on the class path,
   * reading the process's environment.
   */
  public static CommandLine commandLine() {
    return commandLine(System.getenv());
  }

  /**
   * As {@link #commandLine()}, with the environment the commands read their configuration from
   * ({@link JrlConfiguration}) given: a test's.
   */
  public static CommandLine commandLine(Map<String, String> environment) {
    CommandLine cl = new CommandLine(new Jrl(environment));
    // Before the handler below: picocli gives it only to the subcommands present when it is set.
    for (CommandExtension e : ServiceLoader.load(CommandExtension.class)) {
      e.addTo(cl);
    }
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException
          || ex instanceof IOException) {
        // "jrl evaluate: …", and for a nested command its whole path ("jrl bench stream: …")
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
        return 2;
      }
      if (ex instanceof KafkaOpsException) {
        // The cluster refused or did not answer (unreachable, topics configured otherwise): the message names what
        // and where; a stack trace would only bury it.
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
        return 1;
      }
      throw ex;
    });
    return cl;
  }

  /**
   * @param spec a command of a {@code jrl} command line
   * @return the environment the commands of that command line read their configuration from (the process's, or the
   *     one a test gave {@link #commandLine(Map)})
   */
  public static Map<String, String> environment(CommandLine.Model.CommandSpec spec) {
    Object root = spec.root().userObject();
    return root instanceof Jrl j ? j.environment : System.getenv();
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Jrl.class.getPackage().getImplementationVersion();
      return new String[] {"jrl " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ", kernels "
            + Vectors.implementation() + ")"};
    }
  }
}
