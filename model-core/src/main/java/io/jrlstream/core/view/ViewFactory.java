package io.jrlstream.core.view;

import io.jrlstream.core.data.Content;

/** Creates views by name from a {@link ModelConfig}, through the registry of views ({@link ViewKind}). */
public final class ViewFactory {
  private ViewFactory() {}

  /**
   * A fresh, untrained view.
   *
   * @throws IllegalArgumentException naming an unknown view
   */
  public static View create(String name, ModelConfig config, Content content) {
    return ViewKind.of(name).create(config, content);
  }
}
