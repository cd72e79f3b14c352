package io.jrlstream.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jrl bench}: the benchmarks, one subcommand each. Not part of the product, so hidden from {@code jrl --help}
 * ({@code jrl bench --help} lists them); added to the command line by {@link BenchExtension} where this module is
 * built. Each subcommand prints its figures as JSON (and writes them to {@code --json OUT}); the README's Figures
 * section says which command made which figure.
 *
 * <p>Lifecycle: picocli creates it per command line; it runs only when no subcommand is given, and then refuses.
 */
@Command(name = "bench", hidden = true, mixinStandardHelpOptions = true,
    description = "Benchmarks (not part of the product): streaming trainer, serving, image path, backfill, one view's "
        + "offline training, restart after a long history, an HTTP load client, kernel micro-benchmarks (JMH).",
    subcommands = {StreamBenchCommand.class, ServeBenchCommand.class, ImageBenchCommand.class,
        ReplayBenchCommand.class, ViewBenchCommand.class, RestartBenchCommand.class, LoadCommand.class,
        JmhCommand.class, CommandLine.HelpCommand.class})
public final class BenchCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }
}
