package io.jrlstream.ops;

import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.streams.config.SettingKey;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The serving options shared by {@code jrl local}, {@code jrl run} and {@code jrl serve}: HTTP port, bind
 * address and token (each overriding its {@code jrl.serve.http.*} key), and {@code --no-serve}.
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

  @Option(names = "--no-serve", description = "Do not serve recommendations over HTTP.")
  boolean noServe;

  /** The HTTP settings: the properties' keys, then these options, then the JRL_HTTP_TOKEN variable. */
  HttpSettings http(Properties p) {
    HttpSettings h = HttpSettings.fromProperties(p);
    if (httpPort != null) {
      h = h.withPort(httpPort);
    }
    if (httpBind != null) {
      h = h.withBind(httpBind);
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
