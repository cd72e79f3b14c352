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
   * How the PV-DBOW word term updates parameters.
   *
   * <ul>
   *   <li>{@code IMMEDIATE} (default): word2vec's inner loop, as in the authors' PV-DBOW, gensim and
   *       word2vec: after each kept word, its output vector and the 5 noise words' move at once by plain SGD
   *       with rate {@code wordLearningRate} (decayed with the view's schedule), and d_r takes the summed
   *       step. Deterministic like everything else (one thread per view, seeded draws). The entity links and
   *       the ranking term still go through the batch, its clipping and the configured optimiser.
   *   <li>{@code BATCH}: the word term joins the mini-batch gradient (clipped, configured optimiser). About
   *       2× slower at K = 300: every touched word row needs a gradient buffer and two more passes.
   * </ul>
   */
  public enum WordUpdates {
    IMMEDIATE,
    BATCH
  }

  /**
   * Review-view settings.
   *
   * @param lambda weight λ1 of the word and link terms relative to the ranking term (paper: 1)
   * @param negatives noise words per kept word (paper: 5)
   * @param sample subsampling threshold (1e-4)
   * @param minCount occurrences before a word is trainable
   * @param vocabCap most trainable words
   * @param linkNegatives noise reviews per entity link
   * @param wordUpdates how the word term updates (see {@link WordUpdates})
   * @param wordLearningRate SGD rate of the word term in IMMEDIATE mode (word2vec's alpha; 0.05 chosen on validation)
   */
  public record Settings(double lambda, int negatives, double sample, int minCount, int vocabCap,
      int linkNegatives, WordUpdates wordUpdates, double wordLearningRate) {
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
      if (!(sample >= 0)) {
        throw new IllegalArgumentException("review sample must be ≥ 0, got " + sample);
      }
      if (!(wordLearningRate > 0)) {
        throw new IllegalArgumentException("review wordLearningRate must be > 0, got " + wordLearningRate);
      }
      java.util.Objects.requireNonNull(wordUpdates, "wordUpdates");
    }

    public static Settings defaults() {
      return new Settings(1.0, 5, 1e-4, 1, 1_000_000, 5, WordUpdates.IMMEDIATE, 0.05);
    }

    public Settings withLambda(double v) {
      return new Settings(v, negatives, sample, minCount, vocabCap, linkNegatives, wordUpdates, wordLearningRate);
    }

    public Settings withNegatives(int v) {
      return new Settings(lambda, v, sample, minCount, vocabCap, linkNegatives, wordUpdates, wordLearningRate);
    }

    public Settings withSample(double v) {
      return new Settings(lambda, negatives, v, minCount, vocabCap, linkNegatives, wordUpdates, wordLearningRate);
    }

    public Settings withMinCount(int v) {
      return new Settings(lambda, negatives, sample, v, vocabCap, linkNegatives, wordUpdates, wordLearningRate);
    }

    public Settings withVocabCap(int v) {
      return new Settings(lambda, negatives, sample, minCount, v, linkNegatives, wordUpdates, wordLearningRate);
    }

    public Settings withLinkNegatives(int v) {
      return new Settings(lambda, negatives, sample, minCount, vocabCap, v, wordUpdates, wordLearningRate);
    }

    public Settings withWordUpdates(WordUpdates v) {
      return new Settings(lambda, negatives, sample, minCount, vocabCap, linkNegatives, v, wordLearningRate);
    }

    public Settings withWordLearningRate(double v) {
      return new Settings(lambda, negatives, sample, minCount, vocabCap, linkNegatives, wordUpdates, v);
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
  private final float[] neu1e;
  private float wordAlpha;

  public ReviewView(ViewConfig config, Settings settings, Content content, long seed) {
    super(NAME, config, seed);
    this.settings = settings;
    this.content = content;
    int k = config.dim();
    this.words = register(new Table(NAME + ".words", k, Table.Init.ZERO, 0f, this.seed));
    this.docs = register(new Table(NAME + ".docs", k, Table.Init.UNIFORM, 0.5f / k, this.seed));
    this.neu1e = new float[k];
    this.wordAlpha = (float) settings.wordLearningRate();
    this.vocab = new Vocabulary(settings.minCount(), settings.vocabCap(), settings.sample(), row -> {
      // A row admitted earlier in the same review may be evicted before observe() grows the table.
      words.value().ensure(row + 1);
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

  /** Scales the IMMEDIATE word rate with the view's schedule (same decay fraction as the optimiser's rate). */
  @Override
  public void beginBatch(float learningRate) {
    wordAlpha = (float) (settings.wordLearningRate() * learningRate / config.learningRate());
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
      boolean immediate = settings.wordUpdates() == WordUpdates.IMMEDIATE;
      if (immediate) {
        docs.value().markDirty(r);
      }
      for (int token : tokens) {
        int row = vocab.row(token);
        if (row < 0) {
          continue;
        }
        float keep = vocab.keepProbability(row);
        if (keep < 1f && keep < rng.nextFloat()) {
          continue;
        }
        if (immediate) {
          loss += w * wordStep(wt, row, d, rng, k);
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

  /**
   * One kept word in IMMEDIATE mode (word2vec's negative-sampling step): the word and its noise words
   * predict from d, their output vectors move at once, d moves by the summed step after the word.
   *
   * @return the word's loss −log σ(w·d) − Σ log σ(−w_n·d), before the step
   */
  private double wordStep(Table wt, int row, float[] d, Rng rng, int k) {
    java.util.Arrays.fill(neu1e, 0f);
    double loss = 0;
    float alpha = (float) (wordAlpha * settings.lambda());
    for (int s = 0; s <= settings.negatives(); s++) {
      int target = s == 0 ? row : vocab.sampleNoise(rng);
      if (s > 0 && target == row) {
        continue;
      }
      float[] wv = wt.row(target);
      wt.markDirty(target);
      float f = Vectors.dot(wv, 0, d, 0, k);
      double x = s == 0 ? f : -f;
      double sg;
      if (x < -30) {
        loss += -x;
        sg = 1;
      } else {
        double e = Math.exp(-x);
        loss += Math.log(1 + e);
        sg = e / (1 + e);
      }
      // Descent on −log σ(x): the step along ∂x/∂f = ±1 is +alpha·σ(−x) for the word, −alpha·σ(−x) for noise.
      float g = (float) (s == 0 ? sg : -sg) * alpha;
      Vectors.axpy(g, wv, 0, neu1e, 0, k);
      Vectors.axpy(g, d, 0, wv, 0, k);
    }
    Vectors.axpy(1f, neu1e, 0, d, 0, k);
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
    // One exp serves both σ and the loss: with e = exp(−x), σ(−x) = e/(1+e) and −log σ(x) = log(1+e).
    // d(−log σ(x))/dx = −σ(−x), and dx/df = ±1.
    double loss;
    double s;
    if (x < -30) {
      loss = -x;
      s = 1;
    } else {
      double e = Math.exp(-x);
      loss = Math.log(1 + e);
      s = e / (1 + e);
    }
    float g = (float) (positive ? -s : s) * w;
    Vectors.axpy(g, b, 0, ga, 0, k);
    Vectors.axpy(g, a, 0, gb, 0, k);
    return w * loss;
  }
}
