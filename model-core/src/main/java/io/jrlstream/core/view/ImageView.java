package io.jrlstream.core.view;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.param.Param;

/**
 * The image view (paper §3.3, DESIGN.md §1): a decoder φ(A·x + b) (φ = ELU; one layer as in the paper, or
 * K → (F+K)/2 → F as in the authors' code) reconstructs the item's feature vector f_v from both u2 and v2:
 * λ2·(‖φ(A·u2+b) − f_v‖² + ‖φ(A·v2+b) − f_v‖²), plus the ranking term. Interactions whose item has no
 * features yet skip the decoder term (never train towards zeros) but still train the ranking term.
 */
public final class ImageView extends AbstractView {
  public static final String NAME = "image";

  /**
   * Image-view settings.
   *
   * @param lambda weight λ2 of the reconstruction loss (paper §5.6: 1e-4 for F = 4096)
   * @param featureDim F, the feature dimension the extractor produces
   * @param layers 1 (paper) or 2 (authors' code)
   */
  public record Settings(double lambda, int featureDim, int layers) {
    public Settings {
      if (!(lambda >= 0)) {
        throw new IllegalArgumentException("image lambda must be ≥ 0, got " + lambda);
      }
      if (featureDim <= 0) {
        throw new IllegalArgumentException("image featureDim must be positive, got " + featureDim);
      }
      if (layers != 1 && layers != 2) {
        throw new IllegalArgumentException("image decoder layers must be 1 or 2, got " + layers);
      }
    }

    public static Settings defaults(int featureDim) {
      return new Settings(1e-4, featureDim, 1);
    }
  }

  private final Settings settings;
  private final Content content;
  private final EluMlp decoder;
  private final float[] dOut;

  public ImageView(ViewConfig config, Settings settings, Content content, long seed) {
    super(NAME, config, seed);
    this.settings = settings;
    this.content = content;
    int k = config.dim();
    int f = settings.featureDim();
    int[] sizes = settings.layers() == 1 ? new int[] {k, f} : new int[] {k, (f + k) / 2, f};
    this.decoder = new EluMlp(NAME + ".decoder", sizes, this.seed, this::register);
    this.dOut = new float[f];
  }

  public Settings settings() {
    return settings;
  }

  @Override
  public boolean accepts(Interaction x) {
    return true;
  }

  @Override
  public double addContentGradient(Interaction x, Rng rng, float weight) {
    float[] f = content.itemFeatures(x.item());
    if (f == null || settings.lambda() == 0) {
      return 0;
    }
    if (f.length != settings.featureDim()) {
      throw new IllegalArgumentException("item " + x.item() + " has " + f.length + " features, the image view expects "
          + settings.featureDim());
    }
    return reconstruct(users, x.user(), f, weight) + reconstruct(items, x.item(), f, weight);
  }

  /** Adds weight·λ2·‖φ(A·x + b) − f‖² for x = row of p; returns that loss. */
  private double reconstruct(Param p, int row, float[] f, float weight) {
    float[] x = p.value().row(row);
    float[] y = decoder.forward(x);
    double loss = 0;
    float c = (float) (2 * settings.lambda() * weight);
    for (int i = 0; i < f.length; i++) {
      float e = y[i] - f[i];
      loss += (double) e * e;
      dOut[i] = c * e;
    }
    float[] dx = decoder.backward(dOut);
    Vectors.axpy(1f, dx, 0, p.gradRow(row), 0, config.dim());
    return weight * settings.lambda() * loss;
  }
}
