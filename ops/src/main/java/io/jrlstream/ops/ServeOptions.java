package io.jrlstream.ops;

import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.serve.HttpKeys;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.ops.serve.ServeServer;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.Origin;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/**
 * The serving options shared by {@code jrl local}, {@code jrl run} and {@code jrl serve}: HTTP port, bind
 * address, advertised address and token (each overriding its {@code jrl.serve.http.*} key, {@link HttpKeys}),
 * {@code --no-serve}, and the metrics port used instead of the serving port with {@code --no-serve}
 * ({@link OpsKeys#METRICS_PORT}).
 */
final class ServeOptions {
  @Option(names = "--http-port", paramLabel = "PORT",
      description = "Port of the serving HTTP API (overrides jrl.serve.http.port, default 8080; 0: a free one).")
  Integer httpPort;

  @Option(names = "--http-bind", paramLabel = "ADDRESS",
      description = "Address the HTTP API binds to (overrides jrl.serve.http.bind, default 127.0.0.1).")
  String httpBind;

  @Option(names = "--http-token", paramLabel = "TOKEN",
      description = "Bearer token the HTTP API requires (overrides jrl.serve.http.token, default none). "
          + "Prefer the config file or JRL_SERVE_HTTP_TOKEN: a command line is visible to other users.")
  String httpToken;

  @Option(names = "--http-advertised", paramLabel = "HOST:PORT",
      description = "Address other serving instances forward queries to (default: jrl.serve.http.advertised; empty: "
          + "the bind address, or this machine's name for 0.0.0.0, and the bound port), e.g. a pod's DNS name.")
  String httpAdvertised;

  @Option(names = "--no-serve", description = "Do not serve recommendations over HTTP (/metrics, /health and /ready "
      + "are then on the metrics port).")
  boolean noServe;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "With --no-serve: port of /metrics, /health and /ready (overrides jrl.metrics.port, default 9464 "
          + "for jrl run, a free one for jrl local; -1: none). With serving they are on the HTTP port.")
  Integer metricsPort;

  /** Adds the options that are given to a configuration's command-line layer. */
  void addTo(Configuration.Builder b) {
    if (httpPort != null) {
      b.set(HttpKeys.PORT.key(), Integer.toString(httpPort), Origin.commandLine("--http-port"));
    }
    if (httpBind != null) {
      b.set(HttpKeys.BIND.key(), httpBind, Origin.commandLine("--http-bind"));
    }
    if (httpAdvertised != null) {
      b.set(HttpKeys.ADVERTISED.key(), httpAdvertised, Origin.commandLine("--http-advertised"));
    }
    if (httpToken != null) {
      b.set(HttpKeys.TOKEN.key(), httpToken, Origin.commandLine("--http-token"));
    }
    if (metricsPort != null) {
      b.set(OpsKeys.METRICS_PORT.key(), Integer.toString(metricsPort), Origin.commandLine("--metrics-port"));
    }
  }

  /**
   * With {@code --no-serve}: starts the small server of {@code /metrics}, {@code /health} and {@code /ready} on the
   * metrics port ({@link OpsKeys#METRICS_PORT}: {@code --metrics-port}, the environment or the file; when none of
   * them sets it, a free port if {@code freePortByDefault}, else the key's default), on the serving bind address, and
   * says where on {@code err}.
   *
   * @return the server, or null when serving is on (they are on its port) or the port is -1
   */
  ServeServer metricsServer(Configuration c, boolean freePortByDefault, Health health, Metrics metrics,
      PrintWriter err) {
    if (!noServe) {
      return null;
    }
    int port = freePortByDefault && !c.isSet(OpsKeys.METRICS_PORT) ? 0 : c.get(OpsKeys.METRICS_PORT);
    if (port < 0) {
      return null;
    }
    ServeServer server = ServeServer.bind(HttpSettings.from(c).withPort(port).withThreads(2))
        .start(null, health, metrics);
    err.printf("metrics at %s/metrics (and /health, /ready)%n", server.url());
    err.flush();
    return server;
  }
}
