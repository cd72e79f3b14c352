package io.jrlstream.ops.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.core.serve.Query;
import io.jrlstream.core.serve.QueryService;
import io.jrlstream.core.serve.ServeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving HTTP API over a {@link QueryService} (documented in {@code openapi.yaml}, served at
 * {@code GET /openapi.yaml}). Routes are declared in one place ({@link #routes}), errors are mapped to status
 * codes in one place ({@link #status}): 400 invalid parameters or a malformed request, 401 missing or wrong token,
 * 404 unknown route or item, 405 wrong method, 503 not ready or failed, 502 the owning instance failed, 500
 * anything else; every error, including those the HTTP layer itself answers (a malformed URI or header, headers
 * too large), is a JSON object {@code {"status", "error", "message"}}, never a stack trace or an HTML page.
 * {@code HEAD} is answered as {@code GET} without a body.
 *
 * <p><b>Why Jetty</b> (12, its core server without servlets) rather than the JDK's {@code HttpServer}: the JDK
 * server reads a request's headers on a worker thread of its executor, so eight clients that never finish their
 * headers held all eight workers and every request, {@code /health} included, timed out (issue 13); its only
 * remedies are JVM-wide system properties ({@code sun.net.httpserver.*}). Jetty parses headers without a thread
 * (NIO selector), so a slow client holds a connection, never a worker, and its limits are per server: idle timeout
 * (idle connections are evicted, faster once the connection limit is reached), a limit on connections
 * ({@link NetworkConnectionLimit}), a header size limit (8 KiB), and a deadline for a new connection's first
 * request ({@link HttpSettings#headerTimeoutMs()}). Routing, parameter parsing and JSON are unchanged; the HTTP
 * layer was a few per cent of a request's CPU before and stays so.
 *
 * <p><b>Health.</b> {@code /health} reports every Kafka Streams client of the instance ({@link Health}): 200
 * {@code "live"}, or 503 {@code "failed"} naming the failed clients and their states. {@code /ready} is 200 when the
 * query service is ready and every client runs. Both stay open without the token (probes carry no secrets); the
 * per-view details of {@code /ready} need it when a token is configured.
 *
 * <p>Lifecycle: {@link #bind} opens the socket (so a free port is known before the query service exists),
 * {@link #start} begins answering, {@link #close} stops. Requests run on a pool of {@link HttpSettings#threads()}
 * workers (plus Jetty's acceptor and selector); requests beyond them wait in a queue, which the connection limit
 * bounds (one request in progress per connection). Thread-safe.
 */
public final class ServeServer implements AutoCloseable {
  /** Header that marks a request forwarded by another instance (answer locally, never forward again). */
  public static final String FORWARDED_HEADER = "X-Jrl-Forwarded";
  /** Largest weight a query may give a view: beyond it float scores overflow to infinity. */
  static final double MAX_WEIGHT = 1e6;
  private static final Logger LOG = LoggerFactory.getLogger(ServeServer.class);
  /**
   * Jetty's own threads: one acceptor, one selector, and two reserved threads that let a selector thread run a
   * request itself while a reserved one takes over selecting (without them each request is handed to another
   * thread, which halved the throughput of bench-serve).
   */
  private static final int JETTY_THREADS = 4;

  private final HttpSettings settings;
  private final Server server;
  private final ServerConnector connector;
  private final ObjectMapper json = new ObjectMapper();
  private final byte[] token;
  /** Connections that have not sent a whole request yet. */
  private final Set<Connection> awaitingFirstRequest = ConcurrentHashMap.newKeySet();
  private volatile QueryService service;
  private volatile Health health = new Health();
  /** Where requests are timed and {@code /metrics} comes from; null: no metrics. */
  private volatile Metrics metrics;

  /** A route: its name (the {@code endpoint} tag of its requests' metrics), method, path, whether it needs no token. */
  private record Route(String name, String method, Pattern path, boolean open, RouteHandler handler) {}

  @FunctionalInterface
  private interface RouteHandler {
    Object handle(Matcher path, Map<String, String> params, Request request, boolean authorised) throws IOException;
  }

  /** A response with a status other than 200 and a JSON body. */
  private record Reply(int status, Object body) {}

  /** A body sent as is. */
  private record Text(byte[] bytes, String contentType) {}

  private final List<Route> routes = List.of(
      new Route("health", "GET", Pattern.compile("/health"), true, (m, p, r, auth) -> health()),
      new Route("ready", "GET", Pattern.compile("/ready"), true, (m, p, r, auth) -> ready(auth)),
      new Route("metrics", "GET", Pattern.compile("/metrics"), true, (m, p, r, auth) -> metrics()),
      new Route("openapi", "GET", Pattern.compile("/openapi.yaml"), true, (m, p, r, auth) -> openApi()),
      new Route("recommendations", "GET", Pattern.compile("/users/([^/]+)/recommendations"), false,
          (m, p, r, auth) -> queries().recommend(decode(m.group(1)), query(p),
              r.getHeaders().get(FORWARDED_HEADER) != null)),
      new Route("similar", "GET", Pattern.compile("/items/([^/]+)/similar"), false,
          (m, p, r, auth) -> queries().similar(decode(m.group(1)), query(p))));

  /** The route names of requests that match no route, and of errors the HTTP layer answers itself. */
  static final String UNKNOWN_ROUTE = "unknown";
  static final String HTTP_ERROR = "http-error";

  private ServeServer(HttpSettings settings, Server server, ServerConnector connector) {
    this.settings = settings;
    this.server = server;
    this.connector = connector;
    this.token = settings.token().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Opens the socket on {@code settings.bind():settings.port()}.
   *
   * @throws UncheckedIOException naming the address when it cannot be bound
   */
  public static ServeServer bind(HttpSettings settings) {
    // The queue is Jetty's own (unbounded: its selector tasks go through it too); requests in it are bounded by the
    // connection limit, since a connection has at most one request in progress.
    QueuedThreadPool pool = new QueuedThreadPool(settings.threads() + JETTY_THREADS,
        settings.threads() + JETTY_THREADS);
    pool.setName("jrl-http");
    pool.setDaemon(true);
    Server server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    http.setRequestHeaderSize(8192);
    // Ids are percent-decoded by the routes themselves (an encoded '/' in an id is legal there); a malformed
    // encoding is a JSON 400 from the route, not the HTTP layer's refusal of an "ambiguous" URI.
    http.setUriCompliance(UriCompliance.UNSAFE);
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(settings.bind());
    connector.setPort(settings.port());
    connector.setIdleTimeout(settings.idleTimeoutMs());
    connector.setAcceptQueueSize(128);
    server.addConnector(connector);
    NetworkConnectionLimit limit = new NetworkConnectionLimit(settings.maxConnections(), server);
    limit.setEndPointIdleTimeout(Math.min(1000, settings.idleTimeoutMs()));
    server.addBean(limit);
    ServeServer s = new ServeServer(settings, server, connector);
    server.setErrorHandler(s.new JsonErrors());
    server.setHandler(s.new Dispatch());
    connector.addEventListener(s.new FirstRequestDeadline());
    try {
      connector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind the HTTP API to " + settings.bind() + ":" + settings.port()
          + ": " + e.getMessage(), e);
    }
    return s;
  }

  /** Starts answering with {@code service}; {@code /health} reports no Kafka Streams client. */
  public ServeServer start(QueryService queryService) {
    return start(queryService, new Health());
  }

  /**
   * Starts answering, without metrics.
   *
   * @param queryService answers the queries
   * @param instanceHealth the instance's Kafka Streams clients, for {@code /health} and {@code /ready}
   * @return this
   */
  public ServeServer start(QueryService queryService, Health instanceHealth) {
    return start(queryService, instanceHealth, null);
  }

  /**
   * Starts answering.
   *
   * @param queryService answers the queries; null for an instance that serves no recommendations (the metrics
   *     port of {@code jrl run --no-serve}: {@code /metrics}, {@code /health}, {@code /ready} only, readiness from
   *     {@code instanceHealth} alone)
   * @param instanceHealth the instance's Kafka Streams clients and readiness gates, for {@code /health} and
   *     {@code /ready}
   * @param instanceMetrics times every request and answers {@code /metrics}; null: {@code /metrics} is 404
   * @return this
   */
  public ServeServer start(QueryService queryService, Health instanceHealth, Metrics instanceMetrics) {
    this.service = queryService;
    this.health = instanceHealth;
    this.metrics = instanceMetrics;
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the HTTP API on " + url() + ": " + e.getMessage(), e);
    }
    LOG.info("{} on http://{}:{}/ ({}; {} workers, at most {} connections, idle timeout {} ms)",
        queryService == null ? "metrics, health and readiness" : "HTTP API", settings.bind(), port(),
        settings.token().isEmpty() ? "no authentication" : "bearer token required",
        settings.threads(), settings.maxConnections(), settings.idleTimeoutMs());
    return this;
  }

  /** The bound port (the actual one when 0 was asked). */
  public int port() {
    return connector.getLocalPort();
  }

  /** {@code http://bind:port}. */
  public String url() {
    return "http://" + settings.bind() + ":" + port();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("stopping the HTTP API: {}", e.toString());
    }
  }

  /** The request handler: every request goes through {@link #route} and leaves as JSON (or the OpenAPI text). */
  private final class Dispatch extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      long start = System.nanoTime();
      awaitingFirstRequest.remove(request.getConnectionMetaData().getConnection());
      int status;
      Object body;
      String[] endpoint = {UNKNOWN_ROUTE};
      try {
        Reply r = route(request, response, endpoint);
        status = r.status;
        body = r.body;
      } catch (Throwable t) {
        status = status(t);
        if (status == 500) {
          LOG.error("{} {} failed", request.getMethod(), request.getHttpURI(), t);
        }
        body = error(status, t instanceof ServeException || t instanceof IllegalArgumentException
            ? t.getMessage() : "internal error (see the server log)");
      }
      send(request, response, callback, status, body);
      Metrics m = metrics;
      if (m != null) {
        m.request(endpoint[0], status, System.nanoTime() - start);
      }
      return true;
    }
  }

  /** Answers a request; {@code endpoint[0]} is set to the name of the route that matched its path. */
  private Reply route(Request request, Response response, String[] endpoint) throws IOException {
    String path = request.getHttpURI().getPath();
    String method = request.getMethod();
    String asked = method.equals("HEAD") ? "GET" : method;
    Route matched = null;
    Matcher m = null;
    for (Route r : routes) {
      Matcher candidate = r.path.matcher(path == null ? "" : path);
      if (candidate.matches()) {
        endpoint[0] = r.name;
        if (r.method.equals(asked)) {
          matched = r;
          m = candidate;
          break;
        }
        response.getHeaders().put(HttpHeader.ALLOW, r.method + ", HEAD");
        return new Reply(405, error(405, method + " is not allowed on " + path + " (use " + r.method + ")"));
      }
    }
    if (matched == null) {
      return new Reply(404, error(404, "no such resource: " + path + " (see /openapi.yaml)"));
    }
    boolean authorised = authorised(request);
    if (!matched.open && !authorised) {
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      return new Reply(401, error(401, "missing or wrong bearer token"));
    }
    Object body = matched.handler.handle(m, params(request.getHttpURI().getQuery()), request, authorised);
    return body instanceof Reply r ? r : new Reply(200, body);
  }

  /** The one place where failures become status codes. */
  static int status(Throwable t) {
    if (t instanceof ServeException.InvalidQuery || t instanceof IllegalArgumentException) {
      return 400;
    }
    if (t instanceof ServeException.NotFound) {
      return 404;
    }
    if (t instanceof ServeException.NotReady) {
      return 503;
    }
    if (t instanceof ServeException.RemoteFailure) {
      return 502;
    }
    return 500;
  }

  private static Map<String, Object> error(int status, String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", status);
    m.put("error", switch (status) {
      case 400 -> "bad request";
      case 401 -> "unauthorised";
      case 404 -> "not found";
      case 405 -> "method not allowed";
      case 414 -> "URI too long";
      case 431 -> "headers too large";
      case 502 -> "owner unavailable";
      case 503 -> "not ready";
      default -> status >= 500 ? "internal error" : "bad request";
    });
    m.put("message", message);
    return m;
  }

  private boolean authorised(Request request) {
    if (token.length == 0) {
      return true;
    }
    String h = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    if (h == null || !h.startsWith("Bearer ")) {
      return false;
    }
    return MessageDigest.isEqual(token, h.substring(7).strip().getBytes(StandardCharsets.UTF_8));
  }

  private Object health() {
    Health.Report r = health.check();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", r.live() ? "live" : "failed");
    if (!r.live()) {
      body.put("reason", "Kafka Streams client(s) failed: " + r.failures());
    }
    body.put("clients", r.clients());
    return r.live() ? body : new Reply(503, body);
  }

  private Object ready(boolean authorised) {
    QueryService queries = service;
    Health.Report h = health.check();
    QueryService.Readiness r = queries != null ? queries.readiness()
        : new QueryService.Readiness(true, h.running() ? "RUNNING" : "NOT_RUNNING", null, Map.of());
    if (r.ready() && !h.ready()) {
      r = new QueryService.Readiness(false, r.state(), h.notReady(), r.views());
    }
    if (!authorised) {
      r = new QueryService.Readiness(r.ready(), r.state(), r.reason(), Map.of()); // view details need the token
    }
    return r.ready() ? r : new Reply(503, r);
  }

  /** The query service, or a 404 on an instance that serves no recommendations. */
  private QueryService queries() {
    QueryService queries = service;
    if (queries == null) {
      throw new ServeException.NotFound("this instance serves no recommendations (--no-serve): only /metrics, "
          + "/health and /ready");
    }
    return queries;
  }

  private Object metrics() {
    Metrics m = metrics;
    if (m == null) {
      return new Reply(404, error(404, "this instance has no metrics"));
    }
    return new Text(m.scrape(), Metrics.CONTENT_TYPE);
  }

  private Object openApi() throws IOException {
    try (InputStream in = ServeServer.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the class path");
      }
      return new Text(in.readAllBytes(), "application/yaml");
    }
  }

  private static final Set<String> QUERY_PARAMS = Set.of("n", "views", "weights");

  /** Typed, validated query parameters. */
  private Query query(Map<String, String> p) {
    for (String k : p.keySet()) {
      if (!QUERY_PARAMS.contains(k)) {
        throw new ServeException.InvalidQuery("unknown parameter '" + k + "' (known: n, views, weights)");
      }
    }
    Integer n = null;
    if (p.containsKey("n")) {
      try {
        n = Integer.parseInt(p.get("n").strip());
      } catch (NumberFormatException e) {
        throw new ServeException.InvalidQuery("n must be an integer, got '" + p.get("n") + "'");
      }
    }
    List<String> views = p.containsKey("views") ? split(p.get("views")) : null;
    List<Double> weights = null;
    if (p.containsKey("weights")) {
      weights = new ArrayList<>();
      for (String w : split(p.get("weights"))) {
        double x;
        try {
          x = Double.parseDouble(w);
        } catch (NumberFormatException e) {
          throw new ServeException.InvalidQuery("weights must be numbers, got '" + w + "'");
        }
        if (Math.abs(x) > MAX_WEIGHT) {
          throw new ServeException.InvalidQuery("weights must lie within -" + (long) MAX_WEIGHT + ".."
              + (long) MAX_WEIGHT + " (scores would overflow), got '" + w + "'");
        }
        weights.add(x);
      }
    }
    return Query.of(n, views, weights, service.settings());
  }

  private static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    for (String part : s.split(",", -1)) {
      out.add(part.strip());
    }
    return out;
  }

  private static Map<String, String> params(String rawQuery) {
    Map<String, String> m = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return m;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k = decode(eq < 0 ? pair : pair.substring(0, eq));
      String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
      if (m.put(k, v) != null) {
        throw new ServeException.InvalidQuery("parameter '" + k + "' given twice");
      }
    }
    return m;
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new ServeException.InvalidQuery("malformed percent-encoding in '" + s + "'");
    }
  }

  private byte[] bytes(Object body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      LOG.error("the answer could not be written as JSON", e);
      try {
        return json.writeValueAsBytes(error(500, "internal error (see the server log)"));
      } catch (JsonProcessingException again) {
        throw new UncheckedIOException(again);
      }
    }
  }

  private void send(Request request, Response response, Callback callback, int status, Object body) {
    byte[] out;
    String type = "application/json";
    if (body instanceof Text t) {
      out = t.bytes;
      type = t.contentType;
    } else {
      out = bytes(body);
    }
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, out.length);
    if (request.getMethod().equals("HEAD")) {
      callback.succeeded();
    } else {
      response.write(true, ByteBuffer.wrap(out), callback);
    }
  }

  /**
   * What the HTTP layer answers itself (a URI or header it cannot parse, headers too large, a request refused
   * because the queue is full), as JSON errors.
   */
  private final class JsonErrors extends ErrorHandler {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Object code = request.getAttribute(ERROR_STATUS);
      int status = code instanceof Integer i ? i : response.getStatus();
      Object message = request.getAttribute(ERROR_MESSAGE);
      send(request, response, callback, status, error(status, message == null ? "HTTP " + status
          : message.toString()));
      Metrics m = metrics;
      if (m != null) {
        m.request(HTTP_ERROR, status, 0);
      }
      return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
      fields.put(new HttpField(HttpHeader.CONTENT_TYPE, "application/json"));
      return ByteBuffer.wrap(bytes(error(status, reason == null ? "malformed request" : reason)));
    }
  }

  /**
   * Closes a new connection that has not sent a whole request within {@link HttpSettings#headerTimeoutMs()}: a
   * client that trickles its headers a byte at a time is never idle long enough for the idle timeout.
   */
  private final class FirstRequestDeadline implements Connection.Listener {
    @Override
    public void onOpened(Connection connection) {
      awaitingFirstRequest.add(connection);
      connector.getScheduler().schedule(() -> {
        if (awaitingFirstRequest.remove(connection)) {
          LOG.debug("closing {}: no whole request within {} ms", connection, settings.headerTimeoutMs());
          connection.getEndPoint().close();
        }
      }, settings.headerTimeoutMs(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onClosed(Connection connection) {
      awaitingFirstRequest.remove(connection);
    }
  }
}
