package io.jrlstream.ops;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code jrl} command line: the one entry point users run (via {@code ops/bin/jrl}).
 * Subcommands are declared here, in one place.
 */
@Command(name = "jrl", mixinStandardHelpOptions = true, versionProvider = Jrl.Version.class,
    description = "Streaming JRL/eJRL recommendation trainer on Kafka Streams, offline evaluation and benchmarks.",
    subcommands = {LocalCommand.class, RunCommand.class, EvaluateCommand.class, BenchCommand.class,
        StreamBenchCommand.class, ImageBenchCommand.class,
        ServeCommand.class, QueryCommand.class, ServeBenchCommand.class, LoadCommand.class,
        ImportCommand.class, ExportCommand.class, ReplayCommand.class, ReplayBenchCommand.class,
        CommandLine.HelpCommand.class})
public final class Jrl implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured picocli command line (for tests). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Jrl());
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      if (ex instanceof IllegalArgumentException || ex instanceof java.io.UncheckedIOException
          || ex instanceof java.io.IOException) {
        cmd.getErr().println("jrl " + cmd.getCommandName() + ": " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    return cl;
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
          + io.jrlstream.core.math.Vectors.implementation() + ")"};
    }
  }
}
