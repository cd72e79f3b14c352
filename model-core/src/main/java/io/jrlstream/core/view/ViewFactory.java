package io.jrlstream.core.view;

import io.jrlstream.core.data.Content;

/** Creates views by name from a {@link ModelConfig}: the one place that knows every view class. */
public final class ViewFactory {
  private ViewFactory() {}

  /** A fresh, untrained view. */
  public static View create(String name, ModelConfig config, Content content) {
    ViewConfig c = config.view(name);
    long seed = config.seed();
    return switch (name) {
      case CollaborativeView.NAME -> new CollaborativeView(c, seed);
      case ReviewView.NAME -> new ReviewView(c, config.review(), content, seed);
      case RatingView.NAME -> new RatingView(c, config.rating(), seed);
      case ImageView.NAME -> new ImageView(c, config.image(), content, seed);
      default -> throw new IllegalArgumentException("unknown view '" + name + "' (known: "
          + ModelConfig.VIEW_NAMES + ")");
    };
  }
}
