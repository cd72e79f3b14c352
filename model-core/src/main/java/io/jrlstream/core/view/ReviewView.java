package io.jrlstream.core.view;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.text.Vocabulary;

/**
 * The review view (paper §3.2, DESIGN.md §1): PV-DBOW. Each review r = (u, v) has a vector d_r that
 * predicts every kept word of its text with negative sampling (noise ∝ count^0.75, frequent words
 * subsampled), and the user vector u1 and item vector v1 each predict d_r with negative sampling over
 * other reviews (uniform noise) — the paper's entity links W_1 as the authors' code has them. The
 * ranking term on (u1, v1) is added by the trainer.
 *
 * <p>The vocabulary grows with the stream (see {@link Vocabulary} for min count, cap and eviction).
 * Word output vectors start at zero and review vectors uniform in ±0.5/K, as in word2vec.
 */
public final class ReviewView extends AbstractView {
  public static final String NAME = "review";

  /**
   * Review-view settings.
   *
   * @param lambda weight λ1 of the word and link terms relative to the ranking term (paper: 1)
   * @param negatives noise words per kept word (paper: 5)
   * @param sample subsampling threshold (1e-4)
   * @param minCount occurrences before a word is trainable
   * @param vocabCap most trainable words
   * @param linkNegatives noise reviews per entity link
   */
  public record Settings(double lambda, int negatives, double sample, int minCount, int vocabCap,
      int linkNegatives) {
    public Settings {
      if (!(lambda >= 0)) {
        throw new IllegalArgumentException("review lambda must be ≥ 0, got " + lambda);
      }
      if (negatives < 0 || linkNegatives < 0) {
        throw new IllegalArgumentException("negatives must be ≥ 0, got " + negatives + " and " + linkNegatives);
      }
      if (minCount < 1 || vocabCap < 1) {
        throw new IllegalArgumentException("minCount and vocabCap must be ≥ 1, got " + minCount + ", " + vocabCap);
      }
    }

    public static Settings defaults() {
      return new Settings(1.0, 5, 1e-4, 1, 1_000_000, 5);
    }

    public Settings withMinCount(int m) {
      return new Settings(lambda, negatives, sample, m, vocabCap, linkNegatives);
    }

    public Settings withLambda(double l) {
      return new Settings(l, negatives, sample, minCount, vocabCap, linkNegatives);
    }
  }

  private final Settings settings;
  private final Content content;
  private final Param words;
  private final Param docs;
  private final Vocabulary vocab;
  private int[] observedReviews = new int[1024];
  private int observedCount;
  private long rawWords;

  public ReviewView(ViewConfig config, Settings settings, Content content, long seed) {
    super(NAME, config, seed);
    this.settings = settings;
    this.content = content;
    int k = config.dim();
    this.words = register(new Table(NAME + ".words", k, Table.Init.ZERO, 0f, this.seed));
    this.docs = register(new Table(NAME + ".docs", k, Table.Init.UNIFORM, 0.5f / k, this.seed));
    this.vocab = new Vocabulary(settings.minCount(), settings.vocabCap(), settings.sample(), row -> {
      words.value().reset(row);
      words.resetState(row);
    });
  }

  public Settings settings() {
    return settings;
  }

  public Vocabulary vocabulary() {
    return vocab;
  }

  /** Review vectors d_r. */
  public Table docs() {
    return docs.value();
  }

  /** Word output vectors. */
  public Table words() {
    return words.value();
  }

  /** Raw words (before subsampling) the content term has processed so far. */
  public long rawWords() {
    return rawWords;
  }

  @Override
  public boolean accepts(Interaction x) {
    return x.hasReview();
  }

  @Override
  public void observe(Interaction x) {
    super.observe(x);
    if (!x.hasReview()) {
      return;
    }
    int r = x.review();
    docs.value().ensure(r + 1);
    if (observedCount == observedReviews.length) {
      observedReviews = java.util.Arrays.copyOf(observedReviews, observedCount * 2);
    }
    observedReviews[observedCount++] = r;
    vocab.observe(content.reviewTokens(r));
    words.value().ensure(vocab.size());
  }

  @Override
  public double addContentGradient(Interaction x, Rng rng, float weight) {
    if (!x.hasReview() || settings.lambda() == 0) {
      return 0;
    }
    float w = (float) (settings.lambda() * weight);
    int r = x.review();
    int k = config.dim();
    float[] d = docs.value().row(r);
    float[] gd = docs.gradRow(r);
    double loss = 0;
    int[] tokens = content.reviewTokens(r);
    rawWords += tokens.length;
    if (vocab.ready()) {
      Table wt = words.value();
      for (int token : tokens) {
        int row = vocab.row(token);
        if (row < 0 || (vocab.keepProbability(row) < 1f && vocab.keepProbability(row) < rng.nextFloat())) {
          continue;
        }
        for (int s = 0; s <= settings.negatives(); s++) {
          int target = s == 0 ? row : vocab.sampleNoise(rng);
          if (s > 0 && target == row) {
            continue;
          }
          loss += pair(wt.row(target), words.gradRow(target), d, gd, s == 0, w, k);
        }
      }
    }
    loss += link(users, x.user(), r, d, gd, rng, w, k);
    loss += link(items, x.item(), r, d, gd, rng, w, k);
    return loss;
  }

  /** The entity link: e (u1 or v1) predicts d_r against uniformly drawn other reviews. */
  private double link(Param entity, int row, int r, float[] d, float[] gd, Rng rng, float w, int k) {
    float[] e = entity.value().row(row);
    float[] ge = entity.gradRow(row);
    double loss = pair(d, gd, e, ge, true, w, k);
    for (int s = 0; s < settings.linkNegatives() && observedCount > 1; s++) {
      int other = observedReviews[rng.nextInt(observedCount)];
      if (other == r) {
        continue;
      }
      loss += pair(docs.value().row(other), docs.gradRow(other), e, ge, false, w, k);
    }
    return loss;
  }

  /**
   * One logistic pair: loss −log σ(±a·b) (+ for a positive pair), gradients added into ga and gb.
   *
   * @return w × the loss
   */
  private static double pair(float[] a, float[] ga, float[] b, float[] gb, boolean positive, float w, int k) {
    float f = Vectors.dot(a, 0, b, 0, k);
    double x = positive ? f : -f;
    // d(−log σ(x))/dx = −σ(−x), and dx/df = ±1.
    double s = Vectors.sigmoid(-x);
    float g = (float) (positive ? -s : s) * w;
    Vectors.axpy(g, b, 0, ga, 0, k);
    Vectors.axpy(g, a, 0, gb, 0, k);
    return -w * Vectors.logSigmoid(x);
  }
}
