package io.jrlstream.ops;

import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.Origin;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir DIR}: where the instance's stores live, overriding {@code state.dir} ({@link OpsKeys}). */
final class StateDirOption {
  @Option(names = "--state-dir", paramLabel = "DIR",
      description = "Where this instance's RocksDB stores live (overrides state.dir; default jrl-state, for jrl serve "
          + "jrl-serve-state).")
  Path stateDir;

  /** Adds the option to a configuration's command-line layer, when given. */
  void addTo(Configuration.Builder b) {
    if (stateDir != null) {
      b.set(OpsKeys.STATE_DIR.key(), stateDir.toString(), Origin.commandLine("--state-dir"));
    }
  }

  /** The state directory {@code c} sets, or {@code dflt} when it sets none. */
  static Path of(Configuration c, String dflt) {
    String dir = c.get(OpsKeys.STATE_DIR).strip();
    return Path.of(dir.isEmpty() ? dflt : dir);
  }
}
