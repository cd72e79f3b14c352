package io.jrlstream.core.view;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.math.Vectors;

/**
 * The rating view (paper §3.4, DESIGN.md §1): r̂ = φ(U2·φ(U1·(r_u ⊙ r_v) + c1) + c2) with φ = ELU and loss
 * λ3·(r̂ − r)², plus the ranking term on u3 = r_u, v3 = r_v. Trains on interactions that carry stars
 * (rating events, and review events with their star value).
 */
public final class RatingView extends AbstractView {
  public static final String NAME = "rating";

  /**
   * Rating-view settings.
   *
   * @param lambda weight λ3 of the squared rating loss (paper: 1)
   * @param hidden width H of the MLP's hidden layer
   */
  public record Settings(double lambda, int hidden) {
    public Settings {
      if (!(lambda >= 0)) {
        throw new IllegalArgumentException("rating lambda must be ≥ 0, got " + lambda);
      }
      if (hidden <= 0) {
        throw new IllegalArgumentException("rating hidden width must be positive, got " + hidden);
      }
    }

    public static Settings defaults() {
      return new Settings(1.0, 64);
    }
  }

  private final Settings settings;
  private final EluMlp mlp;
  private final float[] z;
  private final float[] dOut = new float[1];

  public RatingView(ViewConfig config, Settings settings, long seed) {
    super(NAME, config, seed);
    this.settings = settings;
    this.mlp = new EluMlp(NAME + ".mlp", new int[] {config.dim(), settings.hidden(), 1}, this.seed, this::register);
    this.z = new float[config.dim()];
  }

  public Settings settings() {
    return settings;
  }

  @Override
  public boolean accepts(Interaction x) {
    return x.hasStars();
  }

  /** The predicted star rating r̂ for (user, item). */
  public float predict(int user, int item) {
    Vectors.hadamard(users.value().row(user), items.value().row(item), z, config.dim());
    return mlp.forward(z)[0];
  }

  @Override
  public double addContentGradient(Interaction x, Rng rng, float weight) {
    if (!x.hasStars() || settings.lambda() == 0) {
      return 0;
    }
    int k = config.dim();
    float[] ru = users.value().row(x.user());
    float[] rv = items.value().row(x.item());
    Vectors.hadamard(ru, rv, z, k);
    float err = mlp.forward(z)[0] - x.stars();
    dOut[0] = (float) (2 * settings.lambda() * err * weight);
    float[] dz = mlp.backward(dOut);
    float[] gu = users.gradRow(x.user());
    float[] gv = items.gradRow(x.item());
    for (int i = 0; i < k; i++) {
      gu[i] += dz[i] * rv[i];
      gv[i] += dz[i] * ru[i];
    }
    return weight * settings.lambda() * (double) err * err;
  }
}
