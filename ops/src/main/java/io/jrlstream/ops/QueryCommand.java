package io.jrlstream.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.ops.serve.HttpKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jrl query USER}: a quick look at a user's recommendations from a running serving instance
 * ({@code jrl local --follow}, {@code jrl run}, {@code jrl serve}), as a table, or the raw JSON.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = "Show a user's top-N recommendations from a running serving instance (or --similar: an item's).")
final class QueryCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ID", description = "User id (or item id with --similar).")
  String id;

  @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "Serving instance (default ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--n", description = "How many items (default: the server's, 10).")
  Integer n;

  @Option(names = "--views", description = "Views to combine, comma-separated (default: every served view).")
  String views;

  @Option(names = "--weights", description = "One weight per view, comma-separated (default: the configured ones).")
  String weights;

  @Option(names = "--similar", description = "ID is an item: show the items most similar to it.")
  boolean similar;

  @Option(names = "--http-token", paramLabel = "TOKEN",
      description = "Bearer token of the serving API (default: JRL_SERVE_HTTP_TOKEN, or none).")
  String token;

  @Option(names = "--token", paramLabel = "TOKEN", hidden = true, description = "Older name of --http-token.")
  void token(String t) {
    token = t;
  }

  @Option(names = "--raw", description = "Print the server's JSON answer as is.")
  boolean raw;

  @Option(names = "--json", hidden = true, description = "Older name of --raw.")
  void json(boolean j) {
    raw = j;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    StringBuilder q = new StringBuilder();
    if (n != null) {
      q.append("&n=").append(n);
    }
    if (views != null) {
      q.append("&views=").append(encode(views));
    }
    if (weights != null) {
      q.append("&weights=").append(encode(weights));
    }
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    String path = (similar ? "/items/" : "/users/") + encode(id) + (similar ? "/similar" : "/recommendations");
    URI uri = URI.create(base + path + (q.length() > 0 ? "?" + q.substring(1) : ""));
    HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
    String t = token != null ? token : HttpKeys.token(Jrl.environment(spec));
    if (!t.isEmpty()) {
      req.header("Authorization", "Bearer " + t);
    }
    HttpResponse<String> resp;
    try {
      resp = HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalArgumentException("no serving instance answers at " + base + " (" + e.getMessage()
          + "); start one with jrl local --follow, jrl run or jrl serve");
    }
    if (raw) {
      out.println(resp.body());
      out.flush();
      return resp.statusCode() == 200 ? 0 : 1;
    }
    JsonNode body = new ObjectMapper().readTree(resp.body());
    if (resp.statusCode() != 200) {
      err.printf("HTTP %d: %s%n", resp.statusCode(), body.path("message").asText(resp.body()));
      err.flush();
      return 1;
    }
    if (!similar) {
      out.printf("user %s: %s answer from %s%n", id, body.path("kind").asText(), body.path("servedBy").asText());
    } else {
      out.printf("items similar to %s (from %s)%n", id, body.path("servedBy").asText());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = body.path("views").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> v = it.next();
      JsonNode u = v.getValue();
      if (similar) {
        out.printf("  view %-14s weight %.3g%s%n", v.getKey(), u.path("weight").asDouble(),
            u.path("itemVector").asBoolean() ? "" : "  (item has no vector here)");
      } else if (u.path("userVector").asBoolean()) {
        out.printf("  view %-14s weight %.3g  user vector version %d, %.1f s old, %d items%n", v.getKey(),
            u.path("weight").asDouble(), u.path("version").asLong(), u.path("ageMs").asLong() / 1000.0,
            u.path("items").asInt());
      } else {
        out.printf("  view %-14s weight %.3g  no user vector (contributes nothing)%n", v.getKey(),
            u.path("weight").asDouble());
      }
    }
    int rank = 1;
    for (JsonNode item : body.path("items")) {
      StringBuilder c = new StringBuilder();
      item.path("contributions").fields().forEachRemaining(e -> c.append(String.format("  %s %+.4f", e.getKey(),
          e.getValue().asDouble())));
      out.printf("%3d. %-20s %10.4f%s%n", rank++, item.path("item").asText(), item.path("score").asDouble(), c);
    }
    out.flush();
    return 0;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
