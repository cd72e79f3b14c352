package io.jrlstream.ops.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.core.serve.Query;
import io.jrlstream.core.serve.Recommendations;
import io.jrlstream.core.serve.ServeException;
import io.jrlstream.streams.serve.RemoteQueries;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Collectors;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Forwards a recommendation question to the instance that owns the user, over its HTTP API, marked with
 * {@link ServeServer#FORWARDED_HEADER} (and the shared bearer token), and turns its answer back into a result
 * or the same {@link ServeException} the owner raised. Thread-safe (one shared {@link HttpClient}).
 */
public final class HttpRemoteQueries implements RemoteQueries {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final String token;
  private final Duration timeout;

  /**
   * @param token the bearer token the instances share (empty: none)
   * @param timeout how long to wait for the owner's answer
   */
  public HttpRemoteQueries(String token, Duration timeout) {
    this.token = token;
    this.timeout = timeout;
  }

  @Override
  public Recommendations recommend(HostInfo owner, String user, Query q) {
    String url = "http://" + owner.host() + ":" + owner.port() + "/users/" + encode(user) + "/recommendations?n="
        + q.n() + "&views=" + encode(String.join(",", q.views())) + "&weights="
        + q.weights().stream().map(String::valueOf).collect(Collectors.joining(","));
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET()
        .header(ServeServer.FORWARDED_HEADER, "1");
    if (!token.isEmpty()) {
      req.header("Authorization", "Bearer " + token);
    }
    HttpResponse<byte[]> resp;
    try {
      resp = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new ServeException.RemoteFailure("owner " + owner.host() + ":" + owner.port() + " of user '" + user
          + "' did not answer: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServeException.RemoteFailure("interrupted while asking " + owner.host() + ":" + owner.port(), e);
    }
    try {
      if (resp.statusCode() == 200) {
        return json.readValue(resp.body(), Recommendations.class);
      }
      JsonNode err = json.readTree(resp.body());
      String message = "owner " + owner.host() + ":" + owner.port() + ": " + err.path("message").asText();
      throw switch (resp.statusCode()) {
        case 400 -> new ServeException.InvalidQuery(message);
        case 404 -> new ServeException.NotFound(message);
        case 503 -> new ServeException.NotReady(message);
        default -> new ServeException.RemoteFailure(message + " (HTTP " + resp.statusCode() + ")", null);
      };
    } catch (IOException e) {
      throw new ServeException.RemoteFailure("owner " + owner.host() + ":" + owner.port()
          + " sent an unreadable answer (HTTP " + resp.statusCode() + ")", e);
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
