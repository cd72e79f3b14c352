package io.jrlstream.ops.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.jrlstream.core.serve.Query;
import io.jrlstream.core.serve.QueryService;
import io.jrlstream.core.serve.ServeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving HTTP API over a {@link QueryService} (documented in {@code openapi.yaml}, served at
 * {@code GET /openapi.yaml}). Routes are declared in one place ({@link #routes}), errors are mapped to status
 * codes in one place ({@link #status}): 400 invalid parameters, 401 missing or wrong token, 404 unknown route
 * or item, 405 wrong method, 503 not ready, 502 the owning instance failed, 500 anything else; every error is
 * a JSON object {@code {"status", "error", "message"}}, never a stack trace.
 *
 * <p>Lifecycle: {@link #bind} opens the socket (so a free port is known before the query service exists),
 * {@link #start} begins answering, {@link #close} stops. Requests run on a bounded pool of
 * {@link HttpSettings#threads()} workers with a bounded queue; when both are full the accepting thread runs
 * the request itself, which slows accepting down (back-pressure) rather than dropping connections.
 * Thread-safe.
 */
public final class ServeServer implements AutoCloseable {
  /** Header that marks a request forwarded by another instance (answer locally, never forward again). */
  public static final String FORWARDED_HEADER = "X-Jrl-Forwarded";
  private static final Logger LOG = LoggerFactory.getLogger(ServeServer.class);
  private static final int QUEUE = 1024;

  private final HttpSettings settings;
  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final ObjectMapper json = new ObjectMapper();
  private final byte[] token;
  private volatile QueryService service;

  private record Route(String method, Pattern path, boolean open, Handler handler) {}

  @FunctionalInterface
  private interface Handler {
    Object handle(Matcher path, Map<String, String> params, HttpExchange ex) throws IOException;
  }

  /** A response with a status other than 200 and a JSON body. */
  private record Reply(int status, Object body) {}

  private final List<Route> routes = List.of(
      new Route("GET", Pattern.compile("/health"), true, (m, p, ex) -> Map.of("status", "live")),
      new Route("GET", Pattern.compile("/ready"), true, (m, p, ex) -> ready()),
      new Route("GET", Pattern.compile("/openapi.yaml"), true, (m, p, ex) -> openApi()),
      new Route("GET", Pattern.compile("/users/([^/]+)/recommendations"), false,
          (m, p, ex) -> service.recommend(decode(m.group(1)), query(p),
              ex.getRequestHeaders().getFirst(FORWARDED_HEADER) != null)),
      new Route("GET", Pattern.compile("/items/([^/]+)/similar"), false,
          (m, p, ex) -> service.similar(decode(m.group(1)), query(p))));

  private ServeServer(HttpSettings settings, HttpServer server, ThreadPoolExecutor executor) {
    this.settings = settings;
    this.server = server;
    this.executor = executor;
    this.token = settings.token().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Opens the socket on {@code settings.bind():settings.port()}.
   *
   * @throws java.io.UncheckedIOException naming the address when it cannot be bound
   */
  public static ServeServer bind(HttpSettings settings) {
    // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm and the
    // client's delayed ACK add ~40 ms to every keep-alive response. Read once, when the server first loads.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(settings.bind(), settings.port()), 128);
      AtomicInteger n = new AtomicInteger();
      ThreadPoolExecutor executor = new ThreadPoolExecutor(settings.threads(), settings.threads(), 60,
          TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "jrl-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          }, new ThreadPoolExecutor.CallerRunsPolicy());
      ServeServer s = new ServeServer(settings, server, executor);
      server.setExecutor(executor);
      server.createContext("/", s::dispatch);
      return s;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot bind the HTTP API to " + settings.bind() + ":" + settings.port()
          + ": " + e.getMessage(), e);
    }
  }

  /** Starts answering with {@code service}. */
  public ServeServer start(QueryService queryService) {
    this.service = queryService;
    server.start();
    LOG.info("HTTP API on http://{}:{}/ ({})", settings.bind(), port(), settings.token().isEmpty()
        ? "no authentication" : "bearer token required");
    return this;
  }

  /** The bound port (the actual one when 0 was asked). */
  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://bind:port}. */
  public String url() {
    return "http://" + settings.bind() + ":" + port();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void dispatch(HttpExchange ex) {
    int status = 200;
    Object body;
    try {
      Reply r = route(ex);
      status = r.status;
      body = r.body;
    } catch (Throwable t) {
      status = status(t);
      if (status == 500) {
        LOG.error("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), t);
      }
      body = error(status, t instanceof ServeException || t instanceof IllegalArgumentException
          ? t.getMessage() : "internal error (see the server log)");
    }
    send(ex, status, body);
  }

  private Reply route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    Route matched = null;
    Matcher m = null;
    for (Route r : routes) {
      Matcher candidate = r.path.matcher(path);
      if (candidate.matches()) {
        if (r.method.equals(ex.getRequestMethod())) {
          matched = r;
          m = candidate;
          break;
        }
        return new Reply(405, error(405, ex.getRequestMethod() + " is not allowed on " + path + " (use "
            + r.method + ")"));
      }
    }
    if (matched == null) {
      return new Reply(404, error(404, "no such resource: " + path + " (see /openapi.yaml)"));
    }
    if (!matched.open && !authorised(ex)) {
      ex.getResponseHeaders().add("WWW-Authenticate", "Bearer");
      return new Reply(401, error(401, "missing or wrong bearer token"));
    }
    Object body = matched.handler.handle(m, params(ex.getRequestURI().getRawQuery()), ex);
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
      case 502 -> "owner unavailable";
      case 503 -> "not ready";
      default -> "internal error";
    });
    m.put("message", message);
    return m;
  }

  private boolean authorised(HttpExchange ex) {
    if (token.length == 0) {
      return true;
    }
    String h = ex.getRequestHeaders().getFirst("Authorization");
    if (h == null || !h.startsWith("Bearer ")) {
      return false;
    }
    return MessageDigest.isEqual(token, h.substring(7).strip().getBytes(StandardCharsets.UTF_8));
  }

  private Object ready() {
    QueryService.Readiness r = service.readiness();
    return r.ready() ? r : new Reply(503, r);
  }

  private Object openApi() throws IOException {
    try (InputStream in = ServeServer.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the class path");
      }
      return new Text(in.readAllBytes(), "application/yaml");
    }
  }

  /** A body sent as is. */
  private record Text(byte[] bytes, String contentType) {}

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
        try {
          weights.add(Double.parseDouble(w));
        } catch (NumberFormatException e) {
          throw new ServeException.InvalidQuery("weights must be numbers, got '" + w + "'");
        }
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

  private void send(HttpExchange ex, int status, Object body) {
    try (ex) {
      byte[] bytes;
      String type = "application/json";
      if (body instanceof Text t) {
        bytes = t.bytes;
        type = t.contentType;
      } else {
        try {
          bytes = json.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          LOG.error("{} {}: the answer could not be written as JSON", ex.getRequestMethod(), ex.getRequestURI(), e);
          status = 500;
          bytes = json.writeValueAsBytes(error(500, "internal error (see the server log)"));
        }
      }
      ex.getResponseHeaders().set("Content-Type", type);
      ex.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      LOG.debug("client went away during {} {}", ex.getRequestMethod(), ex.getRequestURI(), e);
    }
  }
}
