package io.jrlstream.ops.serve;

import io.jrlstream.core.serve.ItemIndex;
import io.jrlstream.core.serve.LocalQueryService;
import io.jrlstream.core.serve.Popularity;
import io.jrlstream.core.serve.Recommender;
import io.jrlstream.core.serve.UserProfile;
import io.jrlstream.streams.serve.ServeSettings;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A serving HTTP server over a tiny fixed model, for tests of the commands that talk to one ({@code jrl query}
 * here, the benchmark module's load client through the test jar).
 */
public final class ServeFixtures {
  private ServeFixtures() {}

  /**
   * A started server on a random loopback port: view {@code review}, items {@code good} (score 1 for every user),
   * {@code bad} (−1) and {@code seen} (2, but every known user has interacted with it); users whose id starts with
   * {@code u} are known, the others unknown.
   *
   * @param token the bearer token the server requires; empty for none
   * @return the running server; close it
   */
  public static ServeServer server(String token) {
    ItemIndex index = new ItemIndex(List.of("review"));
    index.upsert(0, "good", new float[] {1, 0}, 1);
    index.upsert(0, "bad", new float[] {-1, 0}, 1);
    index.upsert(0, "seen", new float[] {2, 0}, 1);
    index.markInitialised(0);
    UserProfile u = new UserProfile(Map.of("review", new UserProfile.UserVector(new float[] {1, 0}, 9,
        System.currentTimeMillis())), List.of("seen"));
    LocalQueryService service = new LocalQueryService(ServeSettings.defaults(List.of("review")),
        new Recommender(index, new Popularity(), "test", Clock.systemUTC()), id -> id.startsWith("u") ? u
            : UserProfile.unknown());
    return ServeServer.bind(HttpSettings.loopback().withToken(token)).start(service);
  }
}
