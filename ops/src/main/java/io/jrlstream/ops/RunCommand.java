package io.jrlstream.ops;

import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.Lifecycle;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.pipeline.TrainerLag;
import io.jrlstream.ops.serve.ServeServer;
import io.jrlstream.ops.serve.Serving;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.image.ImageSettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl run --config FILE}: the trainer (and serving) against an existing Kafka cluster. The configuration
 * ({@link JrlConfiguration}: file, environment, command line) holds the documented keys and any Kafka client or
 * Streams property (security settings included), passed through unchanged; every value is read and checked
 * ({@link RunSettings}) before anything connects.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run the streaming trainer against an existing Kafka cluster until stopped (SIGTERM/Ctrl-C).",
        "The configuration file holds bootstrap.servers, jrl.* settings (jrl.model.VIEW.KEY for the model) and any "
            + "Kafka client property (e.g. security.protocol, sasl.*), which is passed through; every key can also be "
            + "set by an environment variable (JRL_BATCH_SIZE for jrl.batch.size). jrl config --template writes a file "
            + "with every key; jrl config --effective shows what a run uses."})
final class RunCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions configOptions;

  @Mixin
  StateDirOption stateDir;

  @Option(names = "--keys", hidden = true, description = "Older form of jrl config --template.")
  boolean keys;

  @Mixin
  ModelOptions modelOptions;

  @Mixin
  ServeOptions serve;

  /** The configuration of this command line: file, environment, then its options. */
  Configuration configuration() {
    return configOptions.read(b -> {
      stateDir.addTo(b);
      serve.addTo(b);
      ModelKeys.addTo(b, modelOptions);
    });
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (keys) {
      out.print(JrlConfiguration.template(configuration()));
      out.flush();
      return 0;
    }
    Configuration c = configuration();
    RunSettings r = RunSettings.from(c, modelOptions::apply, "jrl-state");
    ImageSettings image = r.image().orElse(null);
    Health health = new Health();
    Duration grace = r.healthGrace();
    try (Lifecycle life = Lifecycle.install(health);
        Metrics metrics = Metrics.create();
        Pipeline pipeline = life.starting(() -> metrics.bind(Pipeline.start(r.streams(), r.model(), r.pipeline(),
            image, metrics.training(r.views())).register(health, r.views()), r.views()));
        TrainerLag lag = TrainerLag.start(r.streams(), r.views(), r.readyMaxTrainerLag(), TrainerLag.REFRESH,
            pipeline).gate(health);
        Serving serving = serve.noServe ? null : Serving.start(r.streams(), r.serve(), r.http(), r.stateDir(),
            r.rocksDb().streamsProperties(), r.viewVersionsTopic(), health, metrics);
        ServeServer metricsServer = serve.metricsServer(c, false, health, metrics, err)) {
      metrics.bindHealth(health);
      metrics.bindLag(lag);
      pipeline.awaitRunning(Duration.ofMinutes(10), () -> life.check(grace));
      err.printf("trainer running on %s: views %s, batch %d%s%n", r.streams().bootstrapServers(),
          String.join(",", r.views()), r.training().batchSize(), image == null ? ""
              : "; image features from " + image.images().name() + " with " + image.model().file());
      if (serving != null) {
        err.printf("serving recommendations at %s%n", serving.url());
      }
      err.flush();
      return life.awaitStop(grace, err); // SIGTERM: 0 after a clean close; a failed client: 1 after the grace
    } catch (Lifecycle.StoppedException e) {
      return e.exitCode();
    }
  }
}
