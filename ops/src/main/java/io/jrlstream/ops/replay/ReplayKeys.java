package io.jrlstream.ops.replay;

import io.jrlstream.streams.config.Setting;

/** The key of {@code jrl replay}'s control topic, which serving follows too ({@link ViewVersions}). */
public final class ReplayKeys {
  private ReplayKeys() {}

  public static final Setting<String> VIEW_VERSIONS_TOPIC = Setting.topic("jrl.topic.view.versions",
      "jrl.view-versions", "compacted control topic of jrl replay: per view its versions, whether each caught up, the"
          + " active one (serving follows it)");
}
