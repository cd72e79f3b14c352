package io.jrlstream.core.view.review;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.state.DirtyRows;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateReader;
import io.jrlstream.core.state.StateWriter;
import io.jrlstream.core.view.AbstractView;
import io.jrlstream.core.view.ViewConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The review view (paper §3.2, DESIGN.md §1): PV-DBOW. Each review r = (u, v) has a vector d_r that
 * predicts every kept word of its text with negative sampling (noise ∝ count^0.75, frequent words
 * subsampled), and the user vector u1 and item vector v1 each predict d_r with negative sampling over
 * other reviews (uniform noise) — the paper's entity links W_1 as the authors' code has them. The
 * ranking term on (u1, v1) is added by the trainer.
 *
 * <p>The vocabulary grows with the stream (see {@link Vocabulary} for min count, cap and eviction).
 * Word output vectors start at zero and review vectors uniform in ±0.5/K, as in word2vec.
 *
 * <p><b>Review window.</b> A stream brings a new review with nearly every event, and a review's vector d_r is
 * needed while its own interaction trains and then only as link noise. So a view on a stream keeps the vectors of
 * the latest {@link Settings#window()} reviews: review r lives in row r mod window of {@link #docs()}, and takes it
 * over from the review it evicts with a fresh initial value (the one review r would have had in row r) and fresh
 * optimiser state. Link noise is drawn uniformly from the reviews in the window — "uniform over other reviews" of
 * DESIGN.md over a sliding window. That bounds the view's memory (and the rows a checkpoint writes) by the window
 * instead of the stream's length. A finite data set keeps all its reviews ({@link Content#permanentReviews()}), so
 * an offline trainer that revisits reviews epoch after epoch is unaffected, and while a stream has fewer reviews
 * than the window nothing changes either. Training an evicted review (a window smaller than a mini-batch) fails
 * with an error that says so.
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
   * @param window review vectors kept on a stream: those of the latest {@code window} reviews (see the class doc);
   *     a finite data set ({@link Content#permanentReviews()}) keeps all of its reviews whatever this says
   */
  public record Settings(double lambda, int negatives, double sample, int minCount, int vocabCap,
      int linkNegatives, WordUpdates wordUpdates, double wordLearningRate, int window) {
    /**
     * Default {@link #window}: 16,384 reviews, 59 MiB of review vectors with their Adam state at K = 300. Enough
     * noise for the entity links, and a bound on the rows a checkpoint re-writes.
     */
    public static final int WINDOW = 16_384;

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
      if (window < 1) {
        throw new IllegalArgumentException("review window must be ≥ 1 review, got " + window);
      }
      Objects.requireNonNull(wordUpdates, "wordUpdates");
    }

    public static Settings defaults() {
      return new Settings(1.0, 5, 1e-4, 1, 1_000_000, 5, WordUpdates.IMMEDIATE, 0.05, WINDOW);
    }

    public Settings withLambda(double v) {
      return new Settings(v, negatives, sample, minCount, vocabCap, linkNegatives, wordUpdates, wordLearningRate,
          window);
    }

    public Settings withNegatives(int v) {
      return new Settings(lambda, v, sample, minCount, vocabCap, linkNegatives, wordUpdates, wordLearningRate, window);
    }

    public Settings withSample(double v) {
      return new Settings(lambda, negatives, v, minCount, vocabCap, linkNegatives, wordUpdates, wordLearningRate,
          window);
    }

    public Settings withMinCount(int v) {
      return new Settings(lambda, negatives, sample, v, vocabCap, linkNegatives, wordUpdates, wordLearningRate, window);
    }

    public Settings withVocabCap(int v) {
      return new Settings(lambda, negatives, sample, minCount, v, linkNegatives, wordUpdates, wordLearningRate, window);
    }

    public Settings withLinkNegatives(int v) {
      return new Settings(lambda, negatives, sample, minCount, vocabCap, v, wordUpdates, wordLearningRate, window);
    }

    public Settings withWordUpdates(WordUpdates v) {
      return new Settings(lambda, negatives, sample, minCount, vocabCap, linkNegatives, v, wordLearningRate, window);
    }

    public Settings withWordLearningRate(double v) {
      return new Settings(lambda, negatives, sample, minCount, vocabCap, linkNegatives, wordUpdates, v, window);
    }

    public Settings withWindow(int v) {
      return new Settings(lambda, negatives, sample, minCount, vocabCap, linkNegatives, wordUpdates, wordLearningRate,
          v);
    }
  }

  private final Settings settings;
  private final Content content;
  private final Param words;
  private final Param docs;
  private final Vocabulary vocab;
  /** Review vectors kept: the settings' window, or every review of a finite data set. */
  private final int window;
  /** The reviews observed, as a ring of the latest {@link #window} (link noise is drawn from it). */
  private int[] observedReviews = new int[1024];
  private long observedCount;
  /** The review whose vector each row of {@link #docs} holds, −1 for a row not taken yet. */
  private int[] rowOwner = new int[0];
  private long rawWords;
  /** Rows of {@link #structure()}'s ring and owners that changed since the last checkpoint (chunks of 512). */
  private final DirtyRows dirtyRing = new DirtyRows();
  private final DirtyRows dirtyOwners = new DirtyRows();
  private final float[] neu1e;
  private float wordAlpha;

  public ReviewView(ViewConfig config, Settings settings, Content content, long seed) {
    super(NAME, config, seed);
    this.settings = settings;
    this.content = content;
    int k = config.dim();
    this.words = register(new Table(NAME + ".words", k, Table.Init.ZERO, 0f, this.seed));
    this.docs = register(new Table(NAME + ".docs", k, Table.Init.UNIFORM, 0.5f / k, this.seed));
    this.window = Math.max(settings.window(), content.permanentReviews());
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
    takeRow(r);
    int at = (int) (observedCount % window);
    if (at == observedReviews.length) {
      observedReviews = Arrays.copyOf(observedReviews, (int) Math.min(window, at * 2L));
    }
    observedReviews[at] = r;
    dirtyRing.mark(at >>> STATE_CHUNK_BITS);
    observedCount++;
    vocab.observe(content.reviewTokens(r));
    words.value().ensure(vocab.size());
  }

  private static final int STATE_CHUNK_BITS = Vocabulary.CHUNK_BITS; // the rows of intChunks, Vocabulary.chunks' blocks
  private static final int STATE_FORMAT = 1;

  /**
   * The view's structure as checkpoint blocks (its parameters are {@link #params()}): the vocabulary, the ring of
   * reviews link noise is drawn from, the owner of each review-vector row, and the counts (reviews observed, raw
   * words), 512 entries to a row.
   */
  @Override
  public List<StateBlock> structure() {
    List<StateBlock> out = new ArrayList<>(vocab.state(NAME + ".vocabulary"));
    out.add(intChunks(NAME + ".ring", dirtyRing, () -> (int) Math.min(observedCount, window), () -> observedReviews,
        a -> observedReviews = a));
    out.add(intChunks(NAME + ".owners", dirtyOwners, () -> rowOwner.length, () -> rowOwner, a -> rowOwner = a));
    out.add(StateBlock.single(() -> new StateWriter(STATE_FORMAT).putLong(observedCount).putLong(rawWords).toBytes(),
        bytes -> {
          StateReader r = new StateReader(bytes, STATE_FORMAT, NAME + ".counts");
          observedCount = r.getLong();
          rawWords = r.getLong();
        }));
    return out;
  }

  /** A block over an int array grown by its owner, rows of 512 entries; a restored row grows the array. */
  private static StateBlock intChunks(String name, DirtyRows dirty, IntSupplier length, Supplier<int[]> array,
      Consumer<int[]> replace) {
    return Vocabulary.chunks(name, dirty, length, (w, from, to) -> w.putInts(array.get(), from, to - from),
        (r, from) -> {
          int[] v = r.getInts();
          int[] a = array.get();
          if (a.length < from + v.length) {
            int old = a.length;
            a = Arrays.copyOf(a, from + v.length);
            Arrays.fill(a, old, a.length, -1);
            replace.accept(a);
          }
          System.arraycopy(v, 0, a, from, v.length);
        });
  }

  /** Review vectors this view keeps (see the class doc). */
  public int window() {
    return window;
  }

  /** The row of {@link #docs()} that holds review r's vector. */
  public int docRow(int review) {
    return review % window;
  }

  /** Gives review r its row, re-initialising the row when it held another review's vector. */
  private void takeRow(int r) {
    int row = docRow(r);
    Table t = docs.value();
    if (row >= rowOwner.length) {
      int n = (int) Math.min(window, Math.max(row + 1L, Math.max(1024, rowOwner.length * 2L)));
      int old = rowOwner.length;
      rowOwner = Arrays.copyOf(rowOwner, n);
      Arrays.fill(rowOwner, old, n, -1);
    }
    int owner = rowOwner[row];
    if (owner == r) {
      return;
    }
    t.ensure(row + 1);
    if (owner >= 0 || row != r) {
      t.reset(row, r); // another review's row, or one created for row index ≠ r: the value r starts from anywhere
      docs.resetState(row);
    }
    rowOwner[row] = r;
    dirtyOwners.mark(row >>> STATE_CHUNK_BITS);
  }

  /** Review r's row, which must still hold its vector. */
  private int liveRow(int r) {
    int row = docRow(r);
    if (row >= rowOwner.length || rowOwner[row] != r) {
      throw new IllegalStateException("review " + r + " is no longer in the review window of " + window
          + " reviews (its row holds review " + (row < rowOwner.length ? rowOwner[row] : -1)
          + "): the window must be larger than a mini-batch");
    }
    return row;
  }

  /** Scales the IMMEDIATE word rate with the view's schedule (same decay fraction as the optimiser's rate). */
  @Override
  public void beginBatch(float learningRate) {
    wordAlpha = (float) (settings.wordLearningRate() * learningRate / baseLearningRate());
  }

  @Override
  public double addContentGradient(Interaction x, Rng rng, float weight) {
    if (!x.hasReview() || settings.lambda() == 0) {
      return 0;
    }
    float w = (float) (settings.lambda() * weight);
    int r = x.review();
    int docRow = liveRow(r);
    int k = config.dim();
    float[] d = docs.value().row(docRow);
    float[] gd = docs.gradRow(docRow);
    double loss = 0;
    int[] tokens = content.reviewTokens(r);
    rawWords += tokens.length;
    if (vocab.ready()) {
      Table wt = words.value();
      boolean immediate = settings.wordUpdates() == WordUpdates.IMMEDIATE;
      if (immediate) {
        docs.value().markDirty(docRow);
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
   * A replayed review interaction trains its entity links only, and only while the review is still in the window:
   * the word term would need the text, which a stream keeps only for the window, and re-fitting old reviews' words
   * costs what replay is meant to save.
   */
  @Override
  protected double addReplayContent(Interaction x, Rng rng, float weight) {
    if (!x.hasReview() || settings.lambda() == 0) {
      return 0;
    }
    int r = x.review();
    int row = docRow(r);
    if (row >= rowOwner.length || rowOwner[row] != r) {
      return 0;
    }
    float w = (float) (settings.lambda() * weight);
    int k = config.dim();
    float[] d = docs.value().row(row);
    float[] gd = docs.gradRow(row);
    return link(users, x.user(), r, d, gd, rng, w, k) + link(items, x.item(), r, d, gd, rng, w, k);
  }

  /**
   * One kept word in IMMEDIATE mode (word2vec's negative-sampling step): the word and its noise words
   * predict from d, their output vectors move at once, d moves by the summed step after the word.
   *
   * @return the word's loss −log σ(w·d) − Σ log σ(−w_n·d), before the step
   */
  private double wordStep(Table wt, int row, float[] d, Rng rng, int k) {
    Arrays.fill(neu1e, 0f);
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
    int live = (int) Math.min(observedCount, window);
    for (int s = 0; s < settings.linkNegatives() && live > 1; s++) {
      int other = observedReviews[rng.nextInt(live)];
      if (other == r) {
        continue;
      }
      int otherRow = docRow(other);
      loss += pair(docs.value().row(otherRow), docs.gradRow(otherRow), e, ge, false, w, k);
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
