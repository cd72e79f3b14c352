package io.jrlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.streams.config.ConfigurationException;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sharded view's settings as {@code jrl run} reads them: the combinations refused before anything connects. */
class RunSettingsShardTest {
  private static RunSettings read(Path dir, String... lines) throws Exception {
    Path file = dir.resolve("trainer.properties");
    Files.writeString(file, String.join("\n", lines));
    return RunSettings.from(JrlConfiguration.builder(file, Map.of()).build(), UnaryOperator.identity(), "jrl-state");
  }

  @Test
  void shouldRefuseAShardedViewWithoutFlushMarkersNamingBothKeys(@TempDir Path dir) throws Exception {
    String m = assertThrows(ConfigurationException.class, () -> read(dir, "bootstrap.servers=localhost:9092",
        "jrl.views=collaborative", "jrl.views.collaborative.tasks=2", "jrl.flush.after.ms=0")).getMessage();
    assertTrue(m.contains("jrl.views.collaborative.tasks = 2") && m.contains("jrl.flush.after.ms = 0"), m);
    RunSettings ok = read(dir, "bootstrap.servers=localhost:9092", "jrl.views=collaborative",
        "jrl.views.collaborative.tasks=2", "jrl.flush.after.ms=500");
    assertEquals(2, ok.sharding().get("collaborative").shards());
    RunSettings unsharded = read(dir, "bootstrap.servers=localhost:9092", "jrl.views=collaborative",
        "jrl.flush.after.ms=0");
    assertEquals(0, unsharded.training().flushAfterMs(), "one task needs no markers");
    // A view that is not trained may keep its tasks.
    read(dir, "bootstrap.servers=localhost:9092", "jrl.views=collaborative", "jrl.views.rating.tasks=2",
        "jrl.flush.after.ms=0");
    Pipeline.Options o = Pipeline.Options.of(List.of("collaborative"), dir)
        .withSharding(Map.of("collaborative", new ShardSettings(2, 1, 1)));
    String p = assertThrows(IllegalArgumentException.class,
        () -> o.withTraining(TrainingOptions.defaults().withFlushAfterMs(0))).getMessage();
    assertTrue(p.contains("jrl.flush.after.ms"), p);
  }
}
