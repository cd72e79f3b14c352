package io.jrlstream.ops.importer;

import io.jrlstream.streams.config.Setting;

/** The keys of {@code jrl import} ({@link Importer}), whose progress topic {@code jrl local} shares. */
public final class ImportKeys {
  private ImportKeys() {}

  public static final Setting<String> IMPORTS_TOPIC = Setting.topic("jrl.topic.imports", "jrl.imports",
      "compacted topic of jrl import's and jrl local's progress markers (source fingerprint -> lines done)");
  public static final Setting<Integer> CHUNK_LINES = Setting.integer("jrl.import.chunk.lines", 5000, 1,
      Integer.MAX_VALUE, "lines (records) jrl import commits per transaction, together with its progress marker");
}
