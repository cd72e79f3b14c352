package io.jrlstream.core.view;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.view.ViewConfig.Schedule;
import io.jrlstream.core.view.review.ReviewView;
import java.util.Arrays;
import java.util.List;

/**
 * The registry of views: each view's name, the events it learns from, the data it needs, its documented defaults
 * (offline and on a stream) and how to build it. The one place that lists the views (DESIGN.md §1 "Views"); the
 * Kafka topologies, the commands and the experiments ask it instead of naming views, so a view is added here and
 * in its own class, nowhere else.
 *
 * <p>Defaults were chosen on validation carves, never on a test split: README "Defaults and how they were chosen".
 * Immutable and thread-safe.
 */
public enum ViewKind {
  /** User and item vectors, the ranking term and L2, nothing else: alone it is BPR-MF. */
  COLLABORATIVE(CollaborativeView.NAME, "bpr", Input.INTERACTIONS, "interactions") {
    @Override
    public ViewConfig defaults() {
      return new ViewConfig(128, OptimizerKind.ADAGRAD, 0.1, Schedule.CONSTANT, 150, 0.03, 0.1, 5,
          RankingLoss.LOG_SIGMOID, true, streamDefaults());
    }

    @Override
    public StreamSettings streamDefaults() {
      return new StreamSettings(OptimizerKind.LEAKY_ADAGRAD, 0.1, 0.05, 96, StreamSettings.RESERVOIR, 1, false);
    }

    @Override
    public View create(ModelConfig config, Content content) {
      return new CollaborativeView(config.view(viewName()), config.seed());
    }

    @Override
    public boolean hasData(Dataset d) {
      return true;
    }
  },

  /** The review view: PV-DBOW over review texts linked to their user and item (paper §3.2.1). */
  REVIEW(ReviewView.NAME, "review", Input.REVIEW_TEXTS, "review texts") {
    @Override
    public ViewConfig defaults() {
      return new ViewConfig(300, OptimizerKind.ADAM, 0.003, Schedule.CONSTANT, 30, 0.07, 0.1, 5,
          RankingLoss.LOG_SIGMOID, true, streamDefaults());
    }

    @Override
    public StreamSettings streamDefaults() {
      return new StreamSettings(OptimizerKind.ADAM, 0.003, 0.07, 8, StreamSettings.RESERVOIR, 1, false);
    }

    @Override
    public View create(ModelConfig config, Content content) {
      return new ReviewView(config.view(viewName()), config.review(), content, config.seed());
    }

    @Override
    public boolean hasData(Dataset d) {
      return d.hasReviews();
    }

    @Override
    public boolean readsTexts() {
      return true;
    }
  },

  /** The rating view: r̂ = φ(U2·φ(U1·(r_u ⊙ r_v)+c1)+c2) with a squared loss (paper §3.2.3). */
  RATING(RatingView.NAME, "rating", Input.STARRED_INTERACTIONS, "star ratings") {
    @Override
    public ViewConfig defaults() {
      return new ViewConfig(300, OptimizerKind.ADAM, 0.003, Schedule.CONSTANT, 100, 0.07, 0.1, 5,
          RankingLoss.LOG_SIGMOID, true, streamDefaults());
    }

    @Override
    public StreamSettings streamDefaults() {
      return new StreamSettings(OptimizerKind.ADAM, 0.003, 0.07, 32, StreamSettings.RESERVOIR, 1, false);
    }

    @Override
    public View create(ModelConfig config, Content content) {
      return new RatingView(config.view(viewName()), config.rating(), config.seed());
    }

    @Override
    public boolean hasData(Dataset d) {
      return d.hasStars();
    }
  },

  /** The image view: item vectors decoded from CNN features (paper §3.2.2). */
  IMAGE(ImageView.NAME, "image", Input.INTERACTIONS_AND_ITEM_FEATURES, "item image features") {
    @Override
    public ViewConfig defaults() {
      return new ViewConfig(300, OptimizerKind.ADAM, 0.003, Schedule.CONSTANT, 30, 0.07, 0.1, 5,
          RankingLoss.LOG_SIGMOID, false, streamDefaults());
    }

    @Override
    public StreamSettings streamDefaults() {
      // Not tuned (no image data here): the offline settings once per event, as before replay existed.
      return new StreamSettings(OptimizerKind.ADAM, 0.003, 0.07, 0, 0, 1, false);
    }

    @Override
    public View create(ModelConfig config, Content content) {
      return new ImageView(config.view(viewName()), config.image(), content, config.seed());
    }

    @Override
    public boolean hasData(Dataset d) {
      return d.hasFeatures();
    }
  };

  /** Which validated events feed a view's trainer (the Kafka topology maps each to a predicate on its events). */
  public enum Input {
    /** Every review and rating event. */
    INTERACTIONS,
    /** Review events that carry a text. */
    REVIEW_TEXTS,
    /** Review and rating events that carry stars. */
    STARRED_INTERACTIONS,
    /** Every interaction, and the item-feature events the view's decoder reads. */
    INTERACTIONS_AND_ITEM_FEATURES
  }

  private final String viewName;
  private final String model;
  private final Input input;
  private final String needs;

  ViewKind(String viewName, String model, Input input, String needs) {
    this.viewName = viewName;
    this.model = model;
    this.input = input;
    this.needs = needs;
  }

  /** The view's documented offline settings, with its {@link #streamDefaults()}. */
  public abstract ViewConfig defaults();

  /** The view's documented settings on a stream. */
  public abstract StreamSettings streamDefaults();

  /** A fresh, untrained view configured by {@code config}. */
  public abstract View create(ModelConfig config, Content content);

  /** Whether {@code d} holds what the view learns from. */
  public abstract boolean hasData(Dataset d);

  /** Whether the view reads review texts (only then does a trainer keep them). */
  public boolean readsTexts() {
    return false;
  }

  /** The view's name: its configuration keys, topics and stores are named after it. */
  public String viewName() {
    return viewName;
  }

  /** The name of the single-view model that evaluates this view alone ({@code bpr} for collaborative). */
  public String model() {
    return model;
  }

  /** The events that feed the view. */
  public Input input() {
    return input;
  }

  /** What the view needs from a data set, in words ("star ratings"). */
  public String needs() {
    return needs;
  }

  /** Every view's name, in the order models list them. */
  public static List<String> names() {
    return Arrays.stream(values()).map(ViewKind::viewName).toList();
  }

  /**
   * The view named {@code name}.
   *
   * @throws IllegalArgumentException naming the unknown view and the known ones
   */
  public static ViewKind of(String name) {
    for (ViewKind k : values()) {
      if (k.viewName.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown view '" + name + "' (known: " + String.join(", ", names()) + ")");
  }

  /** The view a single-view model trains, or null for a model of no single view (pop, ejrl, jrl). */
  public static ViewKind ofModel(String model) {
    for (ViewKind k : values()) {
      if (k.model.equals(model)) {
        return k;
      }
    }
    return null;
  }
}
