package io.jrlstream.ops;

import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.Lifecycle;
import io.jrlstream.ops.replay.ReplayKeys;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.ops.serve.Serving;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serve.ServeSettings;
import io.jrlstream.streams.train.RocksDbBounds;
import io.jrlstream.streams.train.TrainingKeys;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code jrl serve --config FILE}: one serving instance without a trainer (to scale serving out: start
 * several with the same configuration and different {@code --http-port} and {@code --state-dir}; each answers for
 * the users it owns and forwards the others).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve top-N recommendations over HTTP from the live embedding topics until stopped.",
        "The configuration is the one jrl run reads (bootstrap.servers, jrl.* keys incl. jrl.serve.*, client "
            + "properties; file, environment, command line); the state directory (state.dir or --state-dir, default "
            + "jrl-serve-state) must differ between instances on one machine."})
final class ServeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions configOptions;

  @Mixin
  StateDirOption stateDir;

  @Mixin
  ServeOptions serve;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Configuration c = configOptions.read(b -> {
      stateDir.addTo(b);
      serve.addTo(b);
    });
    StreamsSettings s = StreamsSettings.from(c);
    ServeSettings ss = ServeSettings.from(c, c.get(TrainingKeys.VIEWS));
    HttpSettings http = HttpSettings.from(c);
    Path dir = StateDirOption.of(c, "jrl-serve-state");
    Health health = new Health();
    Duration grace = Duration.ofMillis(c.get(OpsKeys.HEALTH_EXIT_GRACE_MS));
    try (Lifecycle life = Lifecycle.install(health);
        Metrics metrics = Metrics.create();
        Serving serving = life.starting(() -> Serving.start(s, ss, http, dir,
            RocksDbBounds.from(c).streamsProperties(), c.get(ReplayKeys.VIEW_VERSIONS_TOPIC), health, metrics))) {
      metrics.bindHealth(health);
      err.printf("serving views %s at %s; waiting for the stores and the item index%n", ss.views(), serving.url());
      err.flush();
      serving.awaitReady(Duration.ofMinutes(30), () -> life.check(grace));
      err.printf("ready: %s/users/USER/recommendations%n", serving.url());
      err.flush();
      return life.awaitStop(grace, err);
    } catch (Lifecycle.StoppedException e) {
      return e.exitCode();
    }
  }
}
