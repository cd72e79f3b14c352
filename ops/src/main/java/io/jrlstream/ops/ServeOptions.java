package io.jrlstream.ops;

import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.ops.serve.ServeServer;
import io.jrlstream.streams.config.SettingKey;
import io.jrlstream.streams.serve.ServeSettings;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The serving options shared by {@code jrl local}, {@code jrl run} and {@code jrl serve}: HTTP port, bind
 * address, advertised address and token (each overriding its {@code jrl.serve.http.*} key), {@code --no-serve},
 * and the metrics port used instead of the serving port with {@code --no-serve} ({@code jrl.metrics.port}).
 */
final class ServeOptions {
  @Option(names = "--http-port", paramLabel = "PORT",
      description = "Port of the serving HTTP API (default: jrl.serve.http.port, 8080; 0: a free one).")
  Integer httpPort;

  @Option(names = "--http-bind", paramLabel = "ADDRESS",
      description = "Address the HTTP API binds to (default: jrl.serve.http.bind, 127.0.0.1).")
  String httpBind;

  @Option(names = "--http-token", paramLabel = "TOKEN",
      description = "Bearer token the HTTP API requires (default: jrl.serve.http.token, none). "
          + "Prefer the config file or JRL_HTTP_TOKEN: a command line is visible to other users.")
  String httpToken;

  @Option(names = "--http-advertised", paramLabel = "HOST:PORT",
      description = "Address other serving instances forward queries to (default: jrl.serve.http.advertised; empty: "
          + "the bind address, or this machine's name for 0.0.0.0, and the bound port), e.g. a pod's DNS name.")
  String httpAdvertised;

  @Option(names = "--no-serve", description = "Do not serve recommendations over HTTP (/metrics, /health and /ready "
      + "are then on the metrics port).")
  boolean noServe;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "With --no-serve: port of /metrics, /health and /ready (default: jrl.metrics.port, 9464, for jrl "
          + "run; a free one for jrl local; -1: none). With serving they are on the HTTP port.")
  Integer metricsPort;

  /**
   * With {@code --no-serve}: starts the small server of {@code /metrics}, {@code /health} and {@code /ready} on the
   * metrics port ({@code --metrics-port}, else {@code jrl.metrics.port} of {@code p}, else {@code defaultPort}), on
   * the serving bind address, and says where on {@code err}.
   *
   * @return the server, or null when serving is on (they are on its port) or the port is -1
   */
  ServeServer metricsServer(Properties p, Integer defaultPort, Health health, Metrics metrics, PrintWriter err) {
    if (!noServe) {
      return null;
    }
    int port;
    if (metricsPort != null) {
      port = ServeServer.port(metricsPort, "--metrics-port");
    } else if (defaultPort != null && p.getProperty(SettingKey.METRICS_PORT.key()) == null) {
      port = defaultPort;
    } else {
      port = ServeServer.port(ServeSettings.integer(p, SettingKey.METRICS_PORT), SettingKey.METRICS_PORT.key());
    }
    if (port < 0) {
      return null;
    }
    ServeServer server = ServeServer.bind(http(p).withPort(port).withThreads(2)).start(null, health, metrics);
    err.printf("metrics at %s/metrics (and /health, /ready)%n", server.url());
    err.flush();
    return server;
  }

  /** The HTTP settings: the properties' keys, then these options, then the JRL_HTTP_TOKEN variable. */
  HttpSettings http(Properties p) {
    HttpSettings h = HttpSettings.fromProperties(p);
    if (httpPort != null) {
      h = h.withPort(httpPort);
    }
    if (httpBind != null) {
      h = h.withBind(httpBind);
    }
    if (httpAdvertised != null) {
      h = h.withAdvertised(httpAdvertised);
    }
    String envToken = System.getenv("JRL_HTTP_TOKEN");
    if (httpToken != null) {
      h = h.withToken(httpToken);
    } else if (p.getProperty(SettingKey.SERVE_HTTP_TOKEN.key()) == null && envToken != null) {
      h = h.withToken(envToken);
    }
    return h;
  }
}
