package io.jrlstream.core.view;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.view.review.ReviewView;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Everything that defines a multi-view model: the run seed, per-view {@link ViewConfig}s and the
 * view-specific settings. {@link #defaults()} gives the documented defaults (README "Defaults and how
 * they were chosen"). Immutable; {@code withX} returns a copy.
 */
public record ModelConfig(long seed, Map<String, ViewConfig> views, ReviewView.Settings review,
    RatingView.Settings rating, ImageView.Settings image) {

  /** The known view names, in the order models list them. */
  public static final List<String> VIEW_NAMES = ViewKind.names();

  public ModelConfig {
    views = Collections.unmodifiableMap(new LinkedHashMap<>(views));
    for (String v : views.keySet()) {
      if (!VIEW_NAMES.contains(v)) {
        throw new IllegalArgumentException("unknown view '" + v + "' (known: " + VIEW_NAMES + ")");
      }
    }
  }

  /** Documented defaults; the image view's feature dimension is set when features are known. */
  public static ModelConfig defaults() {
    Map<String, ViewConfig> m = new LinkedHashMap<>();
    for (String v : VIEW_NAMES) {
      m.put(v, ViewConfig.defaults(v));
    }
    return new ModelConfig(1L, m, ReviewView.Settings.defaults(), RatingView.Settings.defaults(),
        ImageView.Settings.defaults(4096));
  }

  public ViewConfig view(String name) {
    ViewConfig c = views.get(name);
    if (c == null) {
      throw new IllegalArgumentException("no configuration for view '" + name + "'");
    }
    return c;
  }

  public ModelConfig withSeed(long s) {
    return new ModelConfig(s, views, review, rating, image);
  }

  public ModelConfig withView(String name, ViewConfig c) {
    Map<String, ViewConfig> m = new LinkedHashMap<>(views);
    m.put(name, c);
    return new ModelConfig(seed, m, review, rating, image);
  }

  /** Applies f to every view's config. */
  public ModelConfig mapViews(UnaryOperator<ViewConfig> f) {
    Map<String, ViewConfig> m = new LinkedHashMap<>();
    views.forEach((k, v) -> m.put(k, f.apply(v)));
    return new ModelConfig(seed, m, review, rating, image);
  }

  public ModelConfig withReview(ReviewView.Settings s) {
    return new ModelConfig(seed, views, s, rating, image);
  }

  public ModelConfig withRating(RatingView.Settings s) {
    return new ModelConfig(seed, views, review, s, image);
  }

  /** This configuration with the image view's feature dimension F set to the data's, when it has features. */
  public ModelConfig fittedTo(Dataset data) {
    if (!data.hasFeatures()) {
      return this;
    }
    return withImage(new ImageView.Settings(image.lambda(), data.featureDim(), image.layers()));
  }

  public ModelConfig withImage(ImageView.Settings s) {
    return new ModelConfig(seed, views, review, rating, s);
  }

  /** With the image view's input width set to the feature dimension the extraction produces. */
  public ModelConfig withImageFeatureDim(int featureDim) {
    return withImage(new ImageView.Settings(image.lambda(), featureDim, image.layers()));
  }
}
