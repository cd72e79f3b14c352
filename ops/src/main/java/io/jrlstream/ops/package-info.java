/**
 * The {@code jrl} command line, the product's one entry point ({@code ops/bin/jrl}; DESIGN.md §2 "ops"): the
 * commands, declared in {@link io.jrlstream.ops.Jrl}, with their shared options ({@code DataOption},
 * {@code ModelOptions}, {@code ConfigOptions}, {@code StateDirOption}, {@code ServeOptions}) and JSON output
 * ({@code JsonOutput}).
 *
 * <p>Configuration: {@link io.jrlstream.ops.JrlConfiguration} joins every module's keys into the product's catalog
 * (file, environment, command line, in that order of strength; {@code jrl config --template | --effective},
 * {@code ConfigCommand}); {@link io.jrlstream.ops.OpsKeys} and {@code ModelKeys} declare the keys this package reads
 * and the model's {@code jrl.model.VIEW.KEY}; {@code RunSettings} is everything {@code jrl run} reads, checked before
 * anything connects.
 *
 * <p>The rooms below it, one per concern:
 * <ul>
 *   <li>{@code pipeline}: the trainer application on Kafka ({@code jrl local}, {@code jrl run}): start-up of the
 *       ingestion and per-view training applications, the data set and image producers, progress counting.</li>
 *   <li>{@code serve}: the serving HTTP API and the wiring of the serving application ({@code jrl serve}).</li>
 *   <li>{@code importer}, {@code export}, {@code replay}: {@code jrl import}, {@code jrl export},
 *       {@code jrl replay} and the view-versions control topic serving follows.</li>
 *   <li>{@code kafka}: the embedded local broker and topic administration.</li>
 * </ul>
 *
 * <p>Not here: the benchmarks ({@code jrl bench …}) are the {@code bench} module's, which adds them through
 * {@link io.jrlstream.ops.CommandExtension} where it is built; the test harnesses that crash tests and benchmarks
 * share ({@code ChildJvm}, {@code TrainerMain}) are in this module's test sources, published as its test jar.
 */
package io.jrlstream.ops;
