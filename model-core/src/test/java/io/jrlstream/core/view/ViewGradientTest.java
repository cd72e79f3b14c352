package io.jrlstream.core.view;

import static io.jrlstream.core.view.GradientCheck.dot;
import static io.jrlstream.core.view.GradientCheck.mlp;
import static io.jrlstream.core.view.GradientCheck.negLogSigmoid;
import static io.jrlstream.core.view.GradientCheck.rankingLoss;
import static io.jrlstream.core.view.GradientCheck.squaredNorm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.view.GradientCheck.Point;
import io.jrlstream.core.view.review.ReviewView;
import io.jrlstream.core.view.review.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gradient checks, in double precision, of every view's objective (DESIGN.md §1): the production analytic
 * gradient accumulated for a small batch, exactly as {@code OfflineTrainer.trainView} forms it (content term,
 * then the ranking term with coef = w·L'(d) and the L2 penalty), against central differences of an
 * independent reference loss written in the test from the design's formulas. The production loss must
 * equal the reference loss too.
 */
class ViewGradientTest {
  private static final int K = 5;
  private static final int F = 7;
  private static final int H = 4;
  private static final float W = 0.25f;
  private static final long BATCH_SEED = 42;

  static ViewConfig config(int dim, double l2, RankingLoss form) {
    return new ViewConfig(dim, OptimizerKind.SGD, 0.1, ViewConfig.Schedule.CONSTANT, 1, l2, 0.5, 5, form);
  }

  /** One positive interaction of the batch with its sampled negative item. */
  record Example(Interaction x, int neg) {}

  static Interaction rated(int user, int item, float stars) {
    return new Interaction(user, item, stars, -1, 0);
  }

  /**
   * What the eJRL trainer does for one batch, without applyBatch: per example the view's content term
   * (with an Rng reseeded per position), then the ranking term. Returns the production loss.
   */
  static double productionBatch(AbstractView view, List<Example> batch) {
    Rng rng = new Rng(0);
    RankingLoss rl = view.config().rankingLoss();
    double loss = 0;
    for (int p = 0; p < batch.size(); p++) {
      Example e = batch.get(p);
      loss += view.addContentGradient(e.x(), rng.reseed(Rng.mix(BATCH_SEED, p)), W);
      double d = view.score(e.x().user(), e.x().item()) - view.score(e.x().user(), e.neg());
      loss += W * rl.loss(d);
      loss += view.addRankingGradient(e.x().user(), e.x().item(), e.neg(), (float) (W * rl.derivative(d)), W);
    }
    return loss;
  }

  /** Reference ranking term + L2 for one view named {@code view}: w·(L(u·v+ − u·v−) + λ(‖u‖² + ‖v+‖² + ‖v−‖²)). */
  static double referenceRanking(Point p, String view, ViewConfig c, List<Example> batch) {
    double loss = 0;
    for (Example e : batch) {
      double[] u = p.row(view + ".users", e.x().user());
      double[] vp = p.row(view + ".items", e.x().item());
      double[] vn = p.row(view + ".items", e.neg());
      double d = dot(u, vp) - dot(u, vn);
      loss += W * (rankingLoss(c.rankingLoss(), d) + c.l2() * (squaredNorm(u) + squaredNorm(vp) + squaredNorm(vn)));
    }
    return loss;
  }

  static void checkView(AbstractView view, List<Example> batch, GradientCheck.Reference reference, int minNonzero) {
    double production = productionBatch(view, batch);
    List<Param> params = view.params();
    GradientCheck.assertLoss(reference.loss(GradientCheck.snapshot(params)), production);
    int nonzero = GradientCheck.check(params, reference);
    assertTrue(nonzero >= minNonzero, "only " + nonzero + " non-zero gradient coordinates: check is too weak");
  }

  @ParameterizedTest
  @EnumSource(RankingLoss.class)
  void shouldMatchFiniteDifferencesForCollaborativeView(RankingLoss form) {
    ViewConfig c = config(K, 0.03, form);
    CollaborativeView view = new CollaborativeView(c, 7);
    view.reserve(4, 6);
    // Overlapping rows: user 1 twice, item 4 as positive and negative, item 2 positive twice.
    List<Example> batch = List.of(
        new Example(rated(1, 2, Float.NaN), 4),
        new Example(rated(1, 4, Float.NaN), 0),
        new Example(rated(3, 2, Float.NaN), 5));
    checkView(view, batch, p -> referenceRanking(p, "collaborative", c, batch), 3 * K);
  }

  @Test
  void shouldMatchFiniteDifferencesForRatingView() {
    ViewConfig c = config(K, 0.02, RankingLoss.LOG_SIGMOID);
    RatingView.Settings s = new RatingView.Settings(0.7, H);
    RatingView view = new RatingView(c, s, 11);
    view.reserve(3, 4);
    List<Example> batch = List.of(
        new Example(rated(0, 1, 4f), 3),
        new Example(rated(2, 1, 2f), 0),
        new Example(rated(1, 0, Float.NaN), 2)); // no stars: ranking term only
    GradientCheck.Reference ref = p -> {
      double loss = referenceRanking(p, "rating", c, batch);
      for (Example e : batch) {
        if (!e.x().hasStars()) {
          continue;
        }
        double[] ru = p.row("rating.users", e.x().user());
        double[] rv = p.row("rating.items", e.x().item());
        double[] z = new double[K];
        for (int i = 0; i < K; i++) {
          z[i] = ru[i] * rv[i];
        }
        double err = mlp(p, "rating.mlp", 2, z)[0] - e.x().stars();
        loss += W * s.lambda() * err * err;
      }
      return loss;
    };
    checkView(view, batch, ref, 30);
    assertEquals(2, view.params().stream().filter(q -> q.value().name().equals("rating.mlp.W1")
        || q.value().name().equals("rating.mlp.W2")).count(), "two MLP layers");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void shouldMatchFiniteDifferencesForImageView(int layers) {
    ViewConfig c = config(K, 0.01, RankingLoss.LOG_SIGMOID);
    ImageView.Settings s = new ImageView.Settings(0.2, F, layers);
    Rng rng = new Rng(3);
    float[][] features = new float[3][F]; // items 0..2 have features, item 3 has none
    for (float[] f : features) {
      for (int i = 0; i < F; i++) {
        f[i] = 2 * rng.nextFloat();
      }
    }
    ImageView view = new ImageView(c, s, new FixedContent(new int[0][], features), 13);
    view.reserve(3, 4);
    List<Example> batch = List.of(
        new Example(rated(0, 1, Float.NaN), 2),
        new Example(rated(2, 1, Float.NaN), 0),
        new Example(rated(1, 3, Float.NaN), 0)); // item without features: ranking term only
    GradientCheck.Reference ref = p -> {
      double loss = referenceRanking(p, "image", c, batch);
      for (Example e : batch) {
        float[] f = features.length > e.x().item() ? features[e.x().item()] : null;
        if (f == null) {
          continue;
        }
        double[] yu = mlp(p, "image.decoder", layers, p.row("image.users", e.x().user()));
        double[] yv = mlp(p, "image.decoder", layers, p.row("image.items", e.x().item()));
        assertEquals(F, yu.length);
        double su = 0;
        double sv = 0;
        for (int i = 0; i < F; i++) {
          su += (yu[i] - f[i]) * (yu[i] - f[i]);
          sv += (yv[i] - f[i]) * (yv[i] - f[i]);
        }
        loss += W * s.lambda() * (su + sv);
      }
      return loss;
    };
    checkView(view, batch, ref, 40);
  }

  @Test
  void shouldSkipTheImageTermForAnItemWithoutFeatures() {
    ImageView view = new ImageView(config(K, 0, RankingLoss.LOG_SIGMOID), new ImageView.Settings(0.2, F, 1),
        new FixedContent(new int[0][], new float[][] {new float[F]}), 13);
    view.reserve(2, 3);
    assertEquals(0.0, view.addContentGradient(rated(1, 2, Float.NaN), new Rng(1), 1f));
    for (Param p : view.params()) {
      assertEquals(0, p.grad().touchedCount(), p.value().name() + " was touched");
    }
  }

  // ---------------------------------------------------------------- review view

  private static final int[][] TEXTS = {
      {0, 1, 2, 0, 3},
      {1, 4, 5, 1},
      {0, 2, 6, 7, 2, 2},
      {3, 3, 1, 0},
      {5, 6, 0}};
  private static final int[][] REVIEW_UI = {{0, 0}, {1, 2}, {0, 1}, {2, 0}, {1, 1}};

  /** A kept word occurrence with its noise words (those equal to the word itself are skipped). */
  record WordTerm(int row, int[] noise) {}

  /** The random draws of one review-view content term, replayed in production's order. */
  record ReviewDraws(List<WordTerm> words, int[] userLinkNoise, int[] itemLinkNoise) {}

  /** word2vec keep probability (Mikolov et al. 2013, as in the C code), computed from raw counts. */
  static float keepProbability(long count, long total, double sample) {
    if (sample == 0) {
      return 1f;
    }
    double t = sample * total;
    return (float) Math.min(1.0, (Math.sqrt(count / t) + 1) * t / count);
  }

  /**
   * Replays production's draws: per token, the subsampling test (only when its keep probability is below
   * 1), then {@code negatives} noise words; then the user link's {@code linkNegatives} uniform reviews, then
   * the item link's.
   */
  static ReviewDraws draws(Vocabulary vocab, ReviewView.Settings s, int review, long seed, long[] counts,
      long total, int observed) {
    Rng rng = new Rng(seed);
    List<WordTerm> words = new ArrayList<>();
    for (int token : TEXTS[review]) {
      int row = vocab.row(token);
      if (row < 0) {
        continue;
      }
      float keep = keepProbability(counts[token], total, s.sample());
      assertEquals(keep, vocab.keepProbability(row), "keep probability of token " + token);
      if (keep < 1f && keep < rng.nextFloat()) {
        continue;
      }
      List<Integer> noise = new ArrayList<>();
      for (int n = 0; n < s.negatives(); n++) {
        int t = vocab.sampleNoise(rng);
        if (t != row) {
          noise.add(t);
        }
      }
      words.add(new WordTerm(row, noise.stream().mapToInt(Integer::intValue).toArray()));
    }
    int[][] links = new int[2][];
    for (int l = 0; l < 2; l++) {
      List<Integer> others = new ArrayList<>();
      for (int n = 0; n < s.linkNegatives() && observed > 1; n++) {
        int o = rng.nextInt(observed); // reviews were observed in index order
        if (o != review) {
          others.add(o);
        }
      }
      links[l] = others.stream().mapToInt(Integer::intValue).toArray();
    }
    return new ReviewDraws(words, links[0], links[1]);
  }

  /** λ·w·Σ_words (−log σ(w_t·d) + Σ_n −log σ(−w_n·d)): the PV-DBOW word term with negative sampling. */
  static double referenceWords(Point p, ReviewView.Settings s, Interaction x, ReviewDraws dr) {
    double[] d = p.row("review.docs", x.review());
    double loss = 0;
    for (WordTerm t : dr.words()) {
      loss += negLogSigmoid(dot(p.row("review.words", t.row()), d));
      for (int n : t.noise()) {
        loss += negLogSigmoid(-dot(p.row("review.words", n), d));
      }
    }
    return s.lambda() * W * loss;
  }

  /** λ·w·Σ_{e=u,v} (−log σ(e·d_r) + Σ_o −log σ(−e·d_o)): the entity links, other reviews as noise. */
  static double referenceLinks(Point p, ReviewView.Settings s, Interaction x, ReviewDraws dr) {
    double[] d = p.row("review.docs", x.review());
    double loss = 0;
    double[] u = p.row("review.users", x.user());
    loss += negLogSigmoid(dot(u, d));
    for (int o : dr.userLinkNoise()) {
      loss += negLogSigmoid(-dot(u, p.row("review.docs", o)));
    }
    double[] v = p.row("review.items", x.item());
    loss += negLogSigmoid(dot(v, d));
    for (int o : dr.itemLinkNoise()) {
      loss += negLogSigmoid(-dot(v, p.row("review.docs", o)));
    }
    return s.lambda() * W * loss;
  }

  static double referenceReview(Point p, ReviewView.Settings s, Interaction x, ReviewDraws dr) {
    return referenceWords(p, s, x, dr) + referenceLinks(p, s, x, dr);
  }

  /** A review view over TEXTS that has observed every review, with non-zero word and review vectors. */
  static ReviewView observedReviewView(ViewConfig c, ReviewView.Settings s, List<Interaction> all, long[] counts) {
    ReviewView view = new ReviewView(c, s, new FixedContent(TEXTS, new float[0][]), 17);
    view.reserve(3, 4);
    for (int r = 0; r < TEXTS.length; r++) {
      Interaction x = new Interaction(REVIEW_UI[r][0], REVIEW_UI[r][1], 4f, r, 0);
      view.observe(x);
      all.add(x);
      for (int t : TEXTS[r]) {
        counts[t]++;
      }
    }
    Vocabulary vocab = view.vocabulary();
    vocab.rebuild(); // noise and keep tables from the final counts
    assertEquals(8, vocab.size());
    // Word vectors start at zero (word2vec), which would make d_r's word gradient vanish: move them.
    GradientCheck.randomise(view.words(), vocab.size(), 0.5, 99);
    GradientCheck.randomise(view.docs(), TEXTS.length, 0.5, 98);
    return view;
  }

  static long sum(long[] a) {
    long s = 0;
    for (long x : a) {
      s += x;
    }
    return s;
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.0, 0.05})
  void shouldMatchFiniteDifferencesForReviewViewWithBatchWordUpdates(double sample) {
    ViewConfig c = config(K, 0.02, RankingLoss.LOG_SIGMOID);
    ReviewView.Settings s = new ReviewView.Settings(0.8, 3, sample, 1, 1000, 2, ReviewView.WordUpdates.BATCH, 0.025,
        ReviewView.Settings.WINDOW);
    List<Interaction> all = new ArrayList<>();
    long[] counts = new long[8];
    ReviewView view = observedReviewView(c, s, all, counts);
    List<Example> batch = List.of(new Example(all.get(0), 3), new Example(all.get(2), 2),
        new Example(all.get(3), 1));
    List<ReviewDraws> draws = new ArrayList<>();
    for (int p = 0; p < batch.size(); p++) {
      draws.add(draws(view.vocabulary(), s, batch.get(p).x().review(), Rng.mix(BATCH_SEED, p), counts, sum(counts),
          TEXTS.length));
    }
    if (sample > 0) {
      int kept = draws.stream().mapToInt(d -> d.words().size()).sum();
      int occurrences = batch.stream().mapToInt(e -> TEXTS[e.x().review()].length).sum();
      assertTrue(kept < occurrences, "subsampling should drop some of " + occurrences + " occurrences");
    }
    GradientCheck.Reference ref = p -> {
      double loss = referenceRanking(p, "review", c, batch);
      for (int i = 0; i < batch.size(); i++) {
        loss += referenceReview(p, s, batch.get(i).x(), draws.get(i));
      }
      return loss;
    };
    checkView(view, batch, ref, 50);
  }

  /**
   * IMMEDIATE word updates (word2vec's inner loop): per kept word, the word and its noise words move at once
   * by plain SGD on −log σ(±w·d) with rate α = wordLearningRate × (batch rate / lr0) × λ, d moves by the
   * summed step afterwards. The links and the ranking term still accumulate batch gradients, computed at
   * the moved d: those are gradient-checked.
   */
  @Test
  void shouldApplyWord2vecStepsAndLinkGradientsForReviewViewWithImmediateWordUpdates() {
    ViewConfig c = config(K, 0.02, RankingLoss.LOG_SIGMOID);
    ReviewView.Settings s = new ReviewView.Settings(0.8, 3, 0.05, 1, 1000, 2, ReviewView.WordUpdates.IMMEDIATE,
        0.4, ReviewView.Settings.WINDOW);
    List<Interaction> all = new ArrayList<>();
    long[] counts = new long[8];
    ReviewView view = observedReviewView(c, s, all, counts);
    List<Example> batch = List.of(new Example(all.get(2), 1));
    ReviewDraws dr = draws(view.vocabulary(), s, 2, Rng.mix(BATCH_SEED, 0), counts, sum(counts), TEXTS.length);
    assertTrue(dr.words().size() >= 3, "too few kept words to test: " + dr.words().size());

    Point before = GradientCheck.snapshot(view.params());
    view.beginBatch((float) (c.learningRate() / 2)); // half the initial rate: α halves too
    double production = productionBatch(view, batch);

    // word2vec's step, replayed in double from the values before the call.
    double alpha = s.wordLearningRate() * 0.5 * s.lambda();
    double[][] words = before.table("review.words");
    double[] d = before.row("review.docs", 2);
    double wordLoss = 0;
    for (WordTerm t : dr.words()) {
      double[] neu1e = new double[K];
      int[] targets = new int[t.noise().length + 1];
      targets[0] = t.row();
      System.arraycopy(t.noise(), 0, targets, 1, t.noise().length);
      for (int i = 0; i < targets.length; i++) {
        double[] wv = words[targets[i]];
        double f = dot(wv, d);
        double label = i == 0 ? 1 : 0;
        wordLoss += negLogSigmoid(i == 0 ? f : -f);
        double g = (label - GradientCheck.sigma(f)) * alpha;
        for (int j = 0; j < K; j++) {
          neu1e[j] += g * wv[j];
          wv[j] += g * d[j];
        }
      }
      for (int j = 0; j < K; j++) {
        d[j] += neu1e[j];
      }
    }
    for (int r = 0; r < words.length; r++) {
      for (int j = 0; j < K; j++) {
        assertEquals(words[r][j], view.words().row(r)[j], 1e-5, "word row " + r + "[" + j + "]");
      }
    }
    for (int j = 0; j < K; j++) {
      assertEquals(d[j], view.docs().row(2)[j], 1e-5, "d_r[" + j + "]");
    }
    assertEquals(0, view.params().stream().filter(q -> q.value().name().equals("review.words"))
        .mapToInt(q -> q.grad().touchedCount()).sum(), "IMMEDIATE words take no batch gradient");

    GradientCheck.Reference ref = p -> referenceRanking(p, "review", c, batch)
        + referenceLinks(p, s, batch.get(0).x(), dr);
    Point after = GradientCheck.snapshot(view.params());
    GradientCheck.assertLoss(s.lambda() * W * wordLoss + ref.loss(after), production);
    int nonzero = GradientCheck.check(view.params(), ref);
    assertTrue(nonzero >= 20, "only " + nonzero + " non-zero gradient coordinates");
  }
}
