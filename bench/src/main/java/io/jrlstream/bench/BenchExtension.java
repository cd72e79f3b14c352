package io.jrlstream.bench;

import io.jrlstream.ops.CommandExtension;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * Adds {@code jrl bench …} ({@link BenchCommand}) to the {@code jrl} command line, and the names the benchmarks had
 * before they left the product as hidden aliases ({@code jrl bench-stream} runs {@code jrl bench stream}; see
 * {@link #ALIASES}), so that scripts and the README's older commands keep working. Found by
 * {@link java.util.ServiceLoader} through {@code META-INF/services/io.jrlstream.ops.CommandExtension}.
 *
 * <p>Lifecycle and threading as {@link CommandExtension}: stateless, one instance per command line.
 */
public final class BenchExtension implements CommandExtension {
  /** Each old top-level command name and the command class it runs (that of a {@code jrl bench} subcommand). */
  static final Map<String, Class<?>> ALIASES = aliases();

  @Override
  public void addTo(CommandLine jrl) {
    jrl.addSubcommand(new CommandLine(BenchCommand.class));
    for (Map.Entry<String, Class<?>> a : ALIASES.entrySet()) {
      CommandLine alias = new CommandLine(a.getValue());
      // Named here: picocli keeps the annotation's name ("replay", the product's own command) otherwise.
      alias.getCommandSpec().name(a.getKey());
      alias.getCommandSpec().usageMessage().hidden(true);
      jrl.addSubcommand(a.getKey(), alias);
    }
  }

  private static Map<String, Class<?>> aliases() {
    Map<String, Class<?>> m = new LinkedHashMap<>();
    m.put("bench-stream", StreamBenchCommand.class);
    m.put("bench-serve", ServeBenchCommand.class);
    m.put("bench-image", ImageBenchCommand.class);
    m.put("bench-replay", ReplayBenchCommand.class);
    m.put("bench-restart", RestartBenchCommand.class); // the name issue 13 asks for
    m.put("load", LoadCommand.class);
    return Collections.unmodifiableMap(m);
  }
}
