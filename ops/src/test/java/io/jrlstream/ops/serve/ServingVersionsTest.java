package io.jrlstream.ops.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrlstream.ops.replay.ViewVersions;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serve.ViewTopics;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which version of each served view serving uses, from the control records of {@code jrl.view-versions}. */
class ServingVersionsTest {
  private final StreamsSettings settings = StreamsSettings.defaults("unused:9092");
  private final ViewTopics live = ViewTopics.of(settings);
  private static final List<String> SERVED = List.of("review", "rating");

  private static ViewVersions.Version version(String topic, boolean caughtUp) {
    return new ViewVersions.Version(topic, "app", Map.of(0, 0L), Map.of(0, 10L), "stop", caughtUp);
  }

  @Test
  void shouldServeEachViewsActiveCaughtUpVersion() {
    ViewVersions review = ViewVersions.none("review").with(1, version("jrl.embeddings.v1.review", true))
        .with(2, version("jrl.embeddings.v2.review", true)).activate(2);
    ViewTopics t = Serving.mapping(live, SERVED, Map.of("review", review));
    assertEquals(2, t.version("review"));
    assertEquals("jrl.embeddings.v2.review", t.embeddingsTopic("review"));
    assertEquals(0, t.version("rating"));
    assertEquals(settings.embeddingsTopic("rating"), t.embeddingsTopic("rating"));
    assertEquals(live, Serving.mapping(live, SERVED, Map.of("review", review.activate(0))), "0: the live topic");
    assertEquals(live, Serving.mapping(live, SERVED, Map.of()), "no record: the live topic");
  }

  @Test
  void shouldKeepTheLiveTopicForAnActiveVersionThatIsUnknownOrNotCaughtUp() {
    // Only a hand-written record says so (ViewVersions.activate refuses), but serving must not follow it.
    ViewVersions notCaughtUp = new ViewVersions("review", 1, Map.of(1, version("jrl.embeddings.v1.review", false)));
    ViewVersions unknown = new ViewVersions("review", 3, Map.of());
    assertEquals(live, Serving.mapping(live, SERVED, Map.of("review", notCaughtUp)));
    assertEquals(live, Serving.mapping(live, SERVED, Map.of("review", unknown)));
  }

  @Test
  void shouldIgnoreTheVersionsOfViewsItDoesNotServe() {
    ViewVersions image = ViewVersions.none("image").with(1, version("jrl.embeddings.v1.image", true)).activate(1);
    assertEquals(live, Serving.mapping(live, SERVED, Map.of("image", image)));
  }
}
