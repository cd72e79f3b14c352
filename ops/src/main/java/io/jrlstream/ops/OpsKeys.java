package io.jrlstream.ops;

import io.jrlstream.ops.importer.ImportKeys;
import io.jrlstream.ops.replay.ReplayKeys;
import io.jrlstream.streams.config.Catalog;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.SettingGroup;

/**
 * The keys the commands read themselves (the instance's state directory and health grace, the metrics port and the
 * readiness lag bound), and the groups of the ops module's keys declared beside their code ({@link ImportKeys},
 * {@link ReplayKeys}; {@link io.jrlstream.ops.serve.HttpKeys} has its own group). {@link JrlConfiguration#CATALOG}
 * lists every key of the product.
 */
public final class OpsKeys {
  private OpsKeys() {}

  public static final Setting<String> STATE_DIR = Setting.text("state.dir", "",
      "where this instance's RocksDB stores live (Kafka Streams' own key; --state-dir overrides it); empty: jrl-state"
          + " for jrl run and jrl replay, jrl-serve-state for jrl serve. Serving instances on one machine need one"
          + " each");
  public static final Setting<Long> HEALTH_EXIT_GRACE_MS = Setting.longValue("jrl.health.exit.grace.ms", 30_000L, 0L,
      Long.MAX_VALUE, "a long-running command exits with status 1 once a Kafka Streams client of the instance has"
          + " failed (ERROR, or no live stream thread) for this long; /health answers 503 from the first check");
  /** The instance. */
  public static final SettingGroup INSTANCE = SettingGroup.of("Instance",
      "This process: its state and how it reacts to a failed Kafka Streams client.", STATE_DIR, HEALTH_EXIT_GRACE_MS);

  public static final Setting<Integer> METRICS_PORT = Setting.integer("jrl.metrics.port", 9464, -1, 65535,
      "port of GET /metrics, /health and /ready when the instance serves no HTTP API (jrl run --no-serve; jrl local"
          + " --no-serve takes a free one unless this is set); with serving they are on jrl.serve.http.port. 0: a"
          + " free one, -1: none. Binds to jrl.serve.http.bind");
  public static final Setting<Long> READY_MAX_TRAINER_LAG = Setting.longValue("jrl.ready.max.trainer.lag", 100_000L,
      0L, Long.MAX_VALUE, "/ready answers 503 while a view's trainer in this instance is more than this many records"
          + " of jrl.validated behind (committed offsets, checked every 5 s); 0: lag never makes it unready");
  /** Metrics and readiness. */
  public static final SettingGroup METRICS_AND_READINESS = SettingGroup.of("Metrics and readiness",
      "GET /metrics (Prometheus) and /ready beyond the clients' states; docs/operations.md describes every metric.",
      METRICS_PORT, READY_MAX_TRAINER_LAG);

  /** History import and replay. */
  public static final SettingGroup IMPORT_AND_REPLAY = SettingGroup.of("Import and replay",
      "jrl import (history into the input topics, exactly once per line) and jrl replay (views and versions trained"
          + " from the validated topic). Their topics are created with the reviews topic's replication factor.",
      ImportKeys.IMPORTS_TOPIC, ImportKeys.CHUNK_LINES, ReplayKeys.VIEW_VERSIONS_TOPIC);

  /** The groups of this class. */
  public static final Catalog CATALOG = Catalog.of(INSTANCE, METRICS_AND_READINESS, IMPORT_AND_REPLAY);
}
