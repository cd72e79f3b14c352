package io.jrlstream.ops;

import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.Lifecycle;
import io.jrlstream.ops.serve.Serving;
import io.jrlstream.streams.config.SettingKey;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serve.ServeSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl serve --config FILE}: one serving instance without a trainer (to scale serving out: start
 * several with the same config and different {@code --http-port} and {@code state.dir}; each answers for the
 * users it owns and forwards the others).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve top-N recommendations over HTTP from the live embedding topics until stopped.",
        "The config file is the one jrl run reads (bootstrap.servers, jrl.* keys incl. jrl.serve.*, client "
            + "properties); state.dir (default jrl-serve-state) must differ between instances on one machine."})
final class ServeCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", required = true, description = "Properties file.")
  Path config;

  @Mixin
  ServeOptions serve;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Properties p = RunCommand.loadConfig(config);
    StreamsSettings s = StreamsSettings.fromProperties(p);
    String trained = p.getProperty(SettingKey.VIEWS.key(), SettingKey.VIEWS.defaultValue().orElseThrow());
    List<String> views = Arrays.stream(trained.split(",")).map(String::strip).filter(v -> !v.isEmpty()).toList();
    ServeSettings ss = ServeSettings.fromProperties(p, views);
    Path stateDir = Path.of(p.getProperty("state.dir", "jrl-serve-state"));
    Health health = new Health();
    Duration grace = Duration.ofMillis(Long.parseLong(ServeSettings.value(p, SettingKey.HEALTH_EXIT_GRACE_MS)));
    try (Lifecycle life = Lifecycle.install(health);
        Metrics metrics = Metrics.create();
        Serving serving = Serving.start(s, ss, serve.http(p), stateDir, Map.of(),
        ServeSettings.value(p, SettingKey.TOPIC_VIEW_VERSIONS), health, metrics)) {
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
