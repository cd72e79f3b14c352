package io.jrlstream.ops;

import picocli.CommandLine;

/**
 * Subcommands that a module outside the product adds to the {@code jrl} command line, found with
 * {@link java.util.ServiceLoader} on the class path ({@code META-INF/services/io.jrlstream.ops.CommandExtension}).
 * The product's own commands are declared in {@link Jrl}, in one place; an extension adds the commands of a
 * module that is not shipped with it — today the benchmark module's {@code jrl bench …}, which {@code ops/bin/jrl}
 * puts on the class path where that module is built. Without an extension on the class path {@code jrl} has the
 * product's commands only.
 *
 * <p>Lifecycle: {@link Jrl#commandLine()} creates one instance per command line (a public no-argument constructor
 * is needed) and calls {@link #addTo} once, before it sets the output and error handlers, so that the added
 * subcommands get them too. Called on the thread that builds the command line; implementations hold no state.
 */
public interface CommandExtension {
  /**
   * Adds this extension's subcommands to {@code jrl}. Commands that are not part of the product should be hidden
   * from {@code jrl --help} ({@code @Command(hidden = true)}), so that it lists the product's commands only.
   *
   * @param jrl the root {@code jrl} command line
   */
  void addTo(CommandLine jrl);
}
