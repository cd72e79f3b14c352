package io.jrlstream.ops.serve;

import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.ConfigurationException;
import java.util.Properties;

/**
 * Typed, validated settings of the serving HTTP API (keys {@code jrl.serve.http.*}, declared in {@link HttpKeys}).
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
    HttpKeys.BIND.require(bind);
    HttpKeys.PORT.require(port);
    token = token == null ? "" : token.strip();
    HttpKeys.THREADS.require(threads);
    HttpKeys.MAX_CONNECTIONS.require(maxConnections);
    HttpKeys.IDLE_TIMEOUT_MS.require(idleTimeoutMs);
    HttpKeys.HEADER_TIMEOUT_MS.require(headerTimeoutMs);
    advertised = HttpKeys.ADVERTISED.require(advertised == null ? "" : advertised.strip());
  }

  /** Loopback, a free port, no token. */
  public static HttpSettings loopback() {
    return from(Configuration.defaults(HttpKeys.CATALOG)).withPort(0);
  }

  /**
   * Reads properties that hold keys of {@link HttpKeys} only ({@link #from} of a configuration of them).
   *
   * @throws ConfigurationException as {@link #from}, or naming an unknown {@code jrl.*} key
   */
  public static HttpSettings fromProperties(Properties p) {
    return from(Configuration.of(HttpKeys.CATALOG, p));
  }

  /**
   * Reads the keys of {@link HttpKeys}, with their defaults where absent.
   *
   * @throws ConfigurationException naming a key whose value is malformed or out of range, and its origin
   */
  public static HttpSettings from(Configuration c) {
    return c.build(x -> new HttpSettings(x.get(HttpKeys.BIND), x.get(HttpKeys.PORT), x.get(HttpKeys.TOKEN),
        x.get(HttpKeys.THREADS), x.get(HttpKeys.MAX_CONNECTIONS), x.get(HttpKeys.IDLE_TIMEOUT_MS),
        x.get(HttpKeys.HEADER_TIMEOUT_MS), x.get(HttpKeys.ADVERTISED)));
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
