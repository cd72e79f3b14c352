package io.jrlstream.ops;

import io.jrlstream.ops.serve.HttpKeys;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.Origin;
import picocli.CommandLine.Option;

/**
 * The serving options shared by {@code jrl local}, {@code jrl run} and {@code jrl serve}: HTTP port, bind address
 * and token (each overriding its {@code jrl.serve.http.*} key, {@link HttpKeys}), and {@code --no-serve}.
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

  @Option(names = "--no-serve", description = "Do not serve recommendations over HTTP.")
  boolean noServe;

  /** Adds the options that are given to a configuration's command-line layer. */
  void addTo(Configuration.Builder b) {
    if (httpPort != null) {
      b.set(HttpKeys.PORT.key(), Integer.toString(httpPort), Origin.commandLine("--http-port"));
    }
    if (httpBind != null) {
      b.set(HttpKeys.BIND.key(), httpBind, Origin.commandLine("--http-bind"));
    }
    if (httpToken != null) {
      b.set(HttpKeys.TOKEN.key(), httpToken, Origin.commandLine("--http-token"));
    }
  }
}
