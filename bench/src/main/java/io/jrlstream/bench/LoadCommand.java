package io.jrlstream.bench;

import io.jrlstream.bench.serve.LoadClient;
import io.jrlstream.ops.Jrl;
import io.jrlstream.ops.JsonOutput;
import io.jrlstream.ops.serve.HttpKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl bench load}: an HTTP load client for the serving API, meant to run as its own process: closed-loop
 * GETs of {@code /users/PREFIX<i>/recommendations?n=N} for random i below {@code --users}, printing
 * queries/s and latency percentiles as JSON.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "HTTP load client for the serving API: p50/p99 latency and queries/s (JSON).")
final class LoadCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--url", required = true, description = "Base URL of a serving instance, e.g. http://127.0.0.1:8080.")
  String url;

  @Option(names = "--users", defaultValue = "10000", description = "Ask for users PREFIX0 .. PREFIX(users-1) "
      + "(default ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--user-prefix", defaultValue = "u", description = "User id prefix (default ${DEFAULT-VALUE}).")
  String prefix;

  @Option(names = "--n", defaultValue = "10", description = "Items per answer (default ${DEFAULT-VALUE}).")
  int n;

  @Option(names = "--concurrency", defaultValue = "4", description = "Client threads (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--duration", defaultValue = "10", description = "Measured seconds (default ${DEFAULT-VALUE}).")
  double duration;

  @Option(names = "--warmup", defaultValue = "3", description = "Seconds of warm-up before measuring (default "
      + "${DEFAULT-VALUE}).")
  double warmup;

  @Option(names = "--http-token", paramLabel = "TOKEN",
      description = "Bearer token of the serving API (default: JRL_SERVE_HTTP_TOKEN, or none).")
  String token;

  @Option(names = "--token", paramLabel = "TOKEN", hidden = true, description = "Older name of --http-token.")
  void token(String t) {
    token = t;
  }

  @Option(names = "--json", paramLabel = "OUT", description = "Also write the figures to OUT.")
  Path json;

  @Override
  public Integer call() throws Exception {
    if (users < 1 || concurrency < 1 || duration <= 0 || warmup < 0 || n < 1) {
      throw new IllegalArgumentException("--users, --concurrency, --n and --duration must be positive, --warmup >= 0");
    }
    String t = token != null ? token : HttpKeys.token(Jrl.environment(spec));
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    LoadClient.Result r = LoadClient.run(base, t, i -> "/users/" + prefix + (i % users) + "/recommendations?n=" + n,
        concurrency, Duration.ofMillis((long) (warmup * 1000)), Duration.ofMillis((long) (duration * 1000)));
    JsonOutput.emit(r, spec.commandLine().getOut(), json);
    return r.errors() == 0 ? 0 : 1;
  }
}
