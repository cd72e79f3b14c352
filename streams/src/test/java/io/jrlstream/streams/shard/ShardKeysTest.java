package io.jrlstream.streams.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.streams.StreamsCatalog;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.ConfigurationException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ShardKeysTest {
  private static Map<String, ShardSettings> read(String... keyValues) {
    Properties p = new Properties();
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return ShardKeys.from(Configuration.of(StreamsCatalog.CATALOG, p));
  }

  @Test
  void shouldDefaultToOneTaskPerViewAndReadTheKeys() {
    Map<String, ShardSettings> defaults = read();
    defaults.values().forEach(s -> assertFalse(s.sharded(), "one task by default: " + s));
    ShardSettings c = read("jrl.views.collaborative.tasks", "4", "jrl.views.collaborative.sync.batches", "10",
        "jrl.views.collaborative.sync.lag", "3").get("collaborative");
    assertEquals(4, c.shards());
    assertEquals(10, c.syncBatches());
    assertEquals(3, c.lag());
    assertEquals(ShardSettings.DEFAULT_MERGE, c.merge());
    assertEquals(ShardSettings.DEFAULT_THRESHOLD, c.threshold());
    assertEquals(ShardSettings.DEFAULT_MAX_HELD, c.maxHeld());
    assertEquals(ShardSettings.DEFAULT_OPTIMIZER_STATE, c.optimizerState());
    assertEquals(ShardSettings.DEFAULT_PRECISION, c.precision());
    assertEquals(ShardSettings.DEFAULT_MAX_ROUND_BYTES, c.maxRoundBytes());
    ShardSettings r = read("jrl.views.rating.tasks", "2", "jrl.views.rating.sync.threshold", "0.5",
        "jrl.views.rating.sync.max.held", "3", "jrl.views.rating.sync.optimizer.state", "false",
        "jrl.views.rating.sync.precision", "BF16", "jrl.views.rating.sync.max.round.bytes", "4096").get("rating");
    assertEquals(ShardSettings.Precision.BF16, r.precision());
    assertEquals(4096, r.maxRoundBytes());
    assertEquals(0.5f, r.threshold());
    assertEquals(3, r.maxHeld());
    assertFalse(r.optimizerState());
    assertEquals(ShardSettings.DEFAULT_THRESHOLD, read("jrl.views.rating.sync.threshold", "0.5").get("collaborative")
        .threshold(), "one view's key leaves the others alone");
    assertEquals(2, read("jrl.views.rating.tasks", "2").get("rating").shards());
  }

  @Test
  void shouldRefuseBadValuesNamingTheKey() {
    assertKey("jrl.views.collaborative.tasks", () -> read("jrl.views.collaborative.tasks", "0"));
    assertKey("jrl.views.collaborative.sync.batches", () -> read("jrl.views.collaborative.sync.batches", "0"));
    assertKey("jrl.views.rating.sync.lag", () -> read("jrl.views.rating.sync.lag", "-1"));
    assertKey("jrl.views.rating.sync.threshold", () -> read("jrl.views.rating.sync.threshold", "-0.1"));
    assertKey("jrl.views.rating.sync.threshold", () -> read("jrl.views.rating.sync.threshold", "NaN"));
    assertKey("jrl.views.rating.sync.max.held", () -> read("jrl.views.rating.sync.max.held", "0"));
    assertKey("jrl.views.rating.sync.optimizer.state", () -> read("jrl.views.rating.sync.optimizer.state", "yes"));
    assertKey("jrl.views.rating.sync.precision", () -> read("jrl.views.rating.sync.precision", "fp8"));
    assertKey("jrl.views.rating.sync.max.round.bytes", () -> read("jrl.views.rating.sync.max.round.bytes", "100"));
    // (above half of what the update topic takes: a round may pass its bound by a mini-batch's rows)
    assertKey("jrl.views.rating.sync.max.round.bytes", () -> read("jrl.views.rating.sync.max.round.bytes",
        Integer.toString(ShardedTopology.MAX_DELTA_BYTES / 2 + 1)));
    String m = assertKey("jrl.views.review.tasks", () -> read("jrl.views.review.tasks", "2"));
    assertTrue(m.contains("collaborative and rating"), m);
  }

  @Test
  void shouldRouteEventsByUserAndRoundTripThem() {
    int[] counts = new int[3];
    for (int u = 0; u < 3000; u++) {
      int t = ShardedTopology.taskOf("user-" + u, 3);
      assertEquals(t, ShardedTopology.taskOf("user-" + u, 3));
      counts[t]++;
    }
    for (int c : counts) {
      assertTrue(c > 850 && c < 1150, "3 tasks of 3,000 users: " + c);
    }
    RoutedEvent e = new RoutedEvent(7, 3, Float.NaN, 123L, true, "ü-7", "item 3");
    RoutedEvent back = RoutedEvent.decode(e.encode());
    assertEquals(e.toString(), back.toString());
    assertThrows(IllegalArgumentException.class, () -> RoutedEvent.decode(new byte[] {1, 0, 0}));
    assertThrows(IllegalArgumentException.class, () -> RoutedEvent.decode(new byte[] {9, 0, 0, 0, 0, 0}));
  }

  private static String assertKey(String key, Executable e) {
    String m = assertThrows(ConfigurationException.class, e).getMessage();
    assertTrue(m.contains(key), "'" + m + "' should name " + key);
    return m;
  }
}
