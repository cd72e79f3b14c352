package io.jrlstream.streams.config;

import java.util.List;
import java.util.Objects;

/**
 * Settings that belong together (a topic, the ingestion limits, serving), with a title and a paragraph for the
 * configuration template. Immutable and thread-safe.
 *
 * @param title    a few words, e.g. "Training"
 * @param doc      what the group configures, one or two sentences (may be empty)
 * @param settings the group's settings, in the order the template lists them
 */
public record SettingGroup(String title, String doc, List<Setting<?>> settings) {
  public SettingGroup {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(doc, "doc");
    settings = List.copyOf(settings);
  }

  /** @return a group of {@code settings} */
  public static SettingGroup of(String title, String doc, Setting<?>... settings) {
    return new SettingGroup(title, doc, List.of(settings));
  }
}
