package io.jrlstream.ops;

import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.Origin;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl config --template | --effective}: the configuration file format made visible. {@code --template} writes
 * a properties file with every key of {@link JrlConfiguration#CATALOG} (its value, meaning, accepted values and
 * environment variable as comments on lines of their own) that {@code jrl run --config} loads as is;
 * {@code --effective} checks a configuration as {@code jrl run} would ({@link RunSettings}, nothing connects) and
 * prints every value a run uses with where it came from. Both take the options {@code jrl run} takes, so that they
 * show exactly what that run would use.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = {"Write a configuration template, or show the configuration a run uses and where each value "
          + "comes from (default, file, environment, command line).",
        "jrl config --template > jrl.properties writes every key with its default (or the value the given "
            + "configuration sets) and its meaning; jrl run --config jrl.properties loads it as is.",
        "jrl config --effective --config jrl.properties checks the configuration as jrl run would, without "
            + "connecting, and lists every value with its origin."})
final class ConfigCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  /** Exactly one of the two. */
  static final class Action {
    @Option(names = "--template", required = true,
        description = "Print a configuration file with every key (the defaults, or what the configuration sets).")
    boolean template;

    @Option(names = "--effective", required = true,
        description = "Check the configuration as jrl run would and print each value with its origin.")
    boolean effective;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Action action;

  @Mixin
  ConfigOptions configOptions;

  @Mixin
  StateDirOption stateDir;

  @Mixin
  ModelOptions modelOptions;

  @Mixin
  ServeOptions serve;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Configuration c = configOptions.read(b -> {
      stateDir.addTo(b);
      serve.addTo(b);
      ModelKeys.addTo(b, modelOptions);
    });
    if (action.template) {
      out.print(JrlConfiguration.template(c));
      out.flush();
      return 0;
    }
    RunSettings r = RunSettings.from(c, modelOptions::apply, "jrl-state");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"KEY", "VALUE", "FROM"});
    for (Configuration.Entry e : c.effective()) {
      rows.add(new String[] {e.key(), e.value().isEmpty() ? "(empty)" : e.value(), e.origin().toString()});
    }
    print(out, rows);
    out.printf("%nchecked as jrl run reads it: views %s, batch %d, %s, state in %s%n", String.join(",", r.views()),
        r.training().batchSize(), r.image().isPresent() ? "image extraction on" : "no image extraction",
        r.stateDir());
    out.printf("%d values from the file, %d from the environment, %d from the command line, the rest defaults%n",
        count(c, Origin.Kind.FILE), count(c, Origin.Kind.ENVIRONMENT), count(c, Origin.Kind.COMMAND_LINE));
    out.flush();
    return 0;
  }

  private static long count(Configuration c, Origin.Kind kind) {
    return c.effective().stream().filter(e -> e.origin().kind() == kind).count();
  }

  /** Prints rows as left-aligned columns (the last one unpadded). */
  private static void print(PrintWriter out, List<String[]> rows) {
    int[] width = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        sb.append(i == row.length - 1 ? row[i] : String.format("%-" + (width[i] + 2) + "s", row[i]));
      }
      out.println(sb.toString().stripTrailing());
    }
  }
}
