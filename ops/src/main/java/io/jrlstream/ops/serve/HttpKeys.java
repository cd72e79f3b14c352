package io.jrlstream.ops.serve;

import io.jrlstream.streams.config.Catalog;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.SettingGroup;
import java.util.Map;

/** The keys of the serving HTTP API ({@link HttpSettings}). */
public final class HttpKeys {
  private HttpKeys() {}

  public static final Setting<Integer> PORT = Setting.integer("jrl.serve.http.port", 8080, 0, 65535,
      "HTTP port of the serving API (0: a free one)");
  public static final Setting<String> BIND = Setting.name("jrl.serve.http.bind", "127.0.0.1",
      "address the HTTP API binds to (0.0.0.0: every interface)");
  public static final Setting<String> TOKEN = Setting.text("jrl.serve.http.token", "",
      "bearer token the HTTP API requires (empty: no authentication; /health and /ready never need it)").secret()
      .legacyEnvironment("JRL_HTTP_TOKEN");
  public static final Setting<Integer> THREADS = Setting.integer("jrl.serve.http.threads", 8, 1, Integer.MAX_VALUE,
      "HTTP worker threads (requests beyond them queue, bounded)");
  public static final Setting<Integer> MAX_CONNECTIONS = Setting.integer("jrl.serve.http.max.connections", 512, 1,
      Integer.MAX_VALUE, "most open HTTP connections; at the limit no new one is accepted and idle ones are closed"
          + " after 1 s");
  public static final Setting<Long> IDLE_TIMEOUT_MS = Setting.longValue("jrl.serve.http.idle.timeout.ms", 30_000L, 1L,
      Long.MAX_VALUE, "an HTTP connection that sends nothing (or reads nothing) for this long is closed");
  public static final Setting<Long> HEADER_TIMEOUT_MS = Setting.longValue("jrl.serve.http.header.timeout.ms",
      10_000L, 1L, Long.MAX_VALUE,
      "a new HTTP connection must send a whole request within this time (slow-header clients are closed)");
  public static final Setting<String> ADVERTISED = Setting.text("jrl.serve.http.advertised", "",
      "host:port other serving instances use to forward to this one (application.server); empty: the bind address"
          + " (this machine's name when it is 0.0.0.0 or ::) and the bound port")
      .allowing(HttpKeys::isHostPortOrEmpty, "empty or host:port with a port from 1 to 65535");

  /** The HTTP API. */
  public static final SettingGroup HTTP = SettingGroup.of("Serving HTTP API",
      "Where the recommendations are served (jrl run, jrl serve, jrl local); the command-line options --http-port,"
          + " --http-bind and --http-token override these.",
      PORT, BIND, TOKEN, THREADS, MAX_CONNECTIONS, IDLE_TIMEOUT_MS, HEADER_TIMEOUT_MS, ADVERTISED);

  /** The group of this class. */
  public static final Catalog CATALOG = Catalog.of(HTTP);

  /**
   * The token a client of the API takes from the environment ({@code jrl query}, {@code jrl bench load}): the
   * variable of {@link #TOKEN}, else its older names, else none.
   *
   * @return the token, or empty
   */
  public static String token(Map<String, String> environment) {
    String t = environment.get(TOKEN.environmentName());
    for (String legacy : TOKEN.legacyEnvironmentNames()) {
      if (t == null) {
        t = environment.get(legacy);
      }
    }
    return t == null ? "" : t.strip();
  }

  static boolean isHostPortOrEmpty(String text) {
    String t = text.strip();
    if (t.isEmpty()) {
      return true;
    }
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      return false;
    }
    try {
      int p = Integer.parseInt(t.substring(colon + 1));
      return p > 0 && p <= 65535;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
