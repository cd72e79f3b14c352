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
 * @param maxConnections most open connections, at least 1
 * @param idleTimeoutMs a connection idle this long is closed, at least 1
 * @param headerTimeoutMs a new connection must send a whole request within this time, at least 1
 * @param advertised {@code host:port} other instances forward to, or empty for the bind address and bound port
 */
public record HttpSettings(String bind, int port, String token, int threads, int maxConnections, long idleTimeoutMs,
    long headerTimeoutMs, String advertised) {
  public HttpSettings {
    if (bind == null || bind.isBlank()) {
      throw new IllegalArgumentException(SettingKey.SERVE_HTTP_BIND.key() + " must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(SettingKey.SERVE_HTTP_PORT.key() + " must be in 0..65535, got " + port);
    }
    token = token == null ? "" : token.strip();
    positive(threads, SettingKey.SERVE_HTTP_THREADS);
    positive(maxConnections, SettingKey.SERVE_HTTP_MAX_CONNECTIONS);
    positive(idleTimeoutMs, SettingKey.SERVE_HTTP_IDLE_TIMEOUT_MS);
    positive(headerTimeoutMs, SettingKey.SERVE_HTTP_HEADER_TIMEOUT_MS);
    advertised = advertised == null ? "" : advertised.strip();
    if (!advertised.isEmpty()) {
      int colon = advertised.lastIndexOf(':');
      boolean ok = colon > 0 && colon < advertised.length() - 1;
      if (ok) {
        try {
          int p = Integer.parseInt(advertised.substring(colon + 1));
          ok = p > 0 && p <= 65535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw new IllegalArgumentException(SettingKey.SERVE_HTTP_ADVERTISED.key() + " must be host:port, got '"
            + advertised + "'");
      }
    }
  }

  private static void positive(long value, SettingKey key) {
    if (value < 1) {
      throw new IllegalArgumentException(key.key() + " must be >= 1, got " + value);
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
        ServeSettings.integer(p, SettingKey.SERVE_HTTP_THREADS),
        ServeSettings.integer(p, SettingKey.SERVE_HTTP_MAX_CONNECTIONS),
        ServeSettings.integer(p, SettingKey.SERVE_HTTP_IDLE_TIMEOUT_MS),
        ServeSettings.integer(p, SettingKey.SERVE_HTTP_HEADER_TIMEOUT_MS),
        ServeSettings.value(p, SettingKey.SERVE_HTTP_ADVERTISED));
  }

  public HttpSettings withPort(int newPort) {
    return new HttpSettings(bind, newPort, token, threads, maxConnections, idleTimeoutMs, headerTimeoutMs,
        advertised);
  }

  public HttpSettings withBind(String newBind) {
    return new HttpSettings(newBind, port, token, threads, maxConnections, idleTimeoutMs, headerTimeoutMs,
        advertised);
  }

  public HttpSettings withToken(String newToken) {
    return new HttpSettings(bind, port, newToken, threads, maxConnections, idleTimeoutMs, headerTimeoutMs,
        advertised);
  }

  public HttpSettings withThreads(int newThreads) {
    return new HttpSettings(bind, port, token, newThreads, maxConnections, idleTimeoutMs, headerTimeoutMs,
        advertised);
  }

  /** @return a copy with other connection limits: most connections, idle timeout, first-request deadline */
  public HttpSettings withConnectionLimits(int newMaxConnections, long newIdleTimeoutMs, long newHeaderTimeoutMs) {
    return new HttpSettings(bind, port, token, threads, newMaxConnections, newIdleTimeoutMs, newHeaderTimeoutMs,
        advertised);
  }

  public HttpSettings withAdvertised(String newAdvertised) {
    return new HttpSettings(bind, port, token, threads, maxConnections, idleTimeoutMs, headerTimeoutMs,
        newAdvertised);
  }

  @Override
  public String toString() {
    return "HttpSettings[bind=" + bind + ", port=" + port + ", token=" + (token.isEmpty() ? "none" : "[hidden]")
        + ", threads=" + threads + ", maxConnections=" + maxConnections + ", idleTimeoutMs=" + idleTimeoutMs
        + ", headerTimeoutMs=" + headerTimeoutMs + ", advertised=" + (advertised.isEmpty() ? "(bind)" : advertised)
        + "]";
  }
}
