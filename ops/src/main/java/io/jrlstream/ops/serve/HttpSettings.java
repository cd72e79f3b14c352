package io.jrlstream.ops.serve;

import io.jrlstream.streams.config.SettingKey;
import io.jrlstream.streams.serve.ServeSettings;
import java.util.Properties;

/**
 * Typed, validated settings of the serving HTTP API (keys {@code jrl.serve.http.*} of {@link SettingKey}).
 * Immutable; {@link #toString()} hides the token.
 *
 * @param bind the address to bind (loopback by default; {@code 0.0.0.0} for every interface)
 * @param port the port, 0 for a free one
 * @param token the bearer token every query must carry, or empty for none ({@code /health} and
 *     {@code /ready} never need it, so that probes work without secrets)
 * @param threads worker threads, at least 1; requests beyond them wait in a bounded queue
 */
public record HttpSettings(String bind, int port, String token, int threads) {
  public HttpSettings {
    if (bind == null || bind.isBlank()) {
      throw new IllegalArgumentException(SettingKey.SERVE_HTTP_BIND.key() + " must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(SettingKey.SERVE_HTTP_PORT.key() + " must be in 0..65535, got " + port);
    }
    token = token == null ? "" : token.strip();
    if (threads < 1) {
      throw new IllegalArgumentException(SettingKey.SERVE_HTTP_THREADS.key() + " must be >= 1, got " + threads);
    }
  }

  /** Loopback, a free port, no token. */
  public static HttpSettings loopback() {
    return fromProperties(new Properties()).withPort(0);
  }

  /** Reads the {@code jrl.serve.http.*} keys with their defaults. */
  public static HttpSettings fromProperties(Properties p) {
    return new HttpSettings(ServeSettings.value(p, SettingKey.SERVE_HTTP_BIND),
        ServeSettings.integer(p, SettingKey.SERVE_HTTP_PORT), ServeSettings.value(p, SettingKey.SERVE_HTTP_TOKEN),
        ServeSettings.integer(p, SettingKey.SERVE_HTTP_THREADS));
  }

  public HttpSettings withPort(int newPort) {
    return new HttpSettings(bind, newPort, token, threads);
  }

  public HttpSettings withBind(String newBind) {
    return new HttpSettings(newBind, port, token, threads);
  }

  public HttpSettings withToken(String newToken) {
    return new HttpSettings(bind, port, newToken, threads);
  }

  public HttpSettings withThreads(int newThreads) {
    return new HttpSettings(bind, port, token, newThreads);
  }

  @Override
  public String toString() {
    return "HttpSettings[bind=" + bind + ", port=" + port + ", token=" + (token.isEmpty() ? "none" : "[hidden]")
        + ", threads=" + threads + "]";
  }
}
