package io.jrlstream.ops;

import io.jrlstream.ops.importer.ImportKeys;
import io.jrlstream.ops.replay.ReplayKeys;
import io.jrlstream.streams.config.Catalog;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.SettingGroup;

/**
 * The keys the commands read themselves (the instance's state directory and health grace), and the groups of the
 * ops module's keys declared beside their code ({@link ImportKeys}, {@link ReplayKeys};
 * {@link io.jrlstream.ops.serve.HttpKeys} has its own group). {@link JrlConfiguration#CATALOG} lists every key of the
 * product.
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

  /** History import and replay. */
  public static final SettingGroup IMPORT_AND_REPLAY = SettingGroup.of("Import and replay",
      "jrl import (history into the input topics, exactly once per line) and jrl replay (views and versions trained"
          + " from the validated topic). Their topics are created with the reviews topic's replication factor.",
      ImportKeys.IMPORTS_TOPIC, ImportKeys.CHUNK_LINES, ReplayKeys.VIEW_VERSIONS_TOPIC);

  /** The groups of this class. */
  public static final Catalog CATALOG = Catalog.of(INSTANCE, IMPORT_AND_REPLAY);
}
