package io.jrlstream.core.experiment;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.Split;
import io.jrlstream.core.eval.Evaluator;
import io.jrlstream.core.eval.Metrics;
import io.jrlstream.core.eval.PopularityScorer;
import io.jrlstream.core.eval.Scorer;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.rank.EjrlModel;
import io.jrlstream.core.train.Objective;
import io.jrlstream.core.train.OfflineTrainer;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.train.TrainListener;
import io.jrlstream.core.view.CollaborativeView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.core.view.ViewKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The paper's offline protocol (§5.3) for a set of models over several seeds: per-user seeded 70/30 split,
 * training on the 70, ranking every item the user did not train on, top-k metrics on the 30.
 *
 * <p>Two ways to train on the 70 ({@link Protocol}): offline, each view's own epochs with the
 * {@link OfflineTrainer}; or as a stream, the training part fed once, in {@link io.jrlstream.core.data.StreamOrder},
 * through one {@link StreamingTrainer} per view built exactly as the Kafka training processor builds it (the
 * view from {@link ViewFactory}, a content that keeps no review for good, the last partial batch flushed at the
 * end), so the table shows what a live model serves. Both score the test part the same way. Each (user, item) pair
 * counts once: the splits take {@link Dataset#firstOccurrences()}, so a test copy of a training pair cannot occur.
 *
 * <p>eJRL's per-view weights are chosen on a validation split carved (per user, 70/30, another seed) from
 * the training data: the views are trained on the carved part, weights are searched on the validation
 * part, then the views are retrained on the whole training data and scored with the chosen weights. The
 * test split is never looked at before the final evaluation. With {@link Options#validationOnly} the
 * whole run happens inside the training data (the carved split plays the test), which is how defaults
 * are tuned without touching test data.
 */
public final class Experiment {
  /** Relative NDCG gain a weight change must bring on the validation carve to be taken. */
  static final double MIN_GAIN = 0.02;

  /** The model names {@code jrl evaluate} knows. */
  public static final List<String> MODELS = List.of("pop", "bpr", "review", "rating", "image", "ejrl", "jrl");

  /** How the views learn from the training part. */
  public enum Protocol {
    /** Each view's own epochs over the training part (the paper's protocol). */
    OFFLINE,
    /** One pass over the training part in stream order through the streaming trainer. */
    STREAM;

    /** The name in the JSON and on the command line. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param k cut-off of the metrics (10)
   * @param trainFraction per-user training fraction (0.7)
   * @param threads threads for training views in parallel and for evaluation
   * @param validationOnly evaluate on a split carved from the training data; never touch the test split
   * @param batchSize positive interactions per mini-batch
   * @param jrlEpochs epochs of the joint JRL objective (all views step together, so one count for all)
   */
  public record Options(int k, double trainFraction, int threads, boolean validationOnly, int batchSize,
      int jrlEpochs) {
    public static Options defaults() {
      return new Options(10, 0.7, Math.max(1, Runtime.getRuntime().availableProcessors()), false, 64, 30);
    }

    public Options withThreads(int t) {
      return new Options(k, trainFraction, t, validationOnly, batchSize, jrlEpochs);
    }

    public Options withValidationOnly(boolean v) {
      return new Options(k, trainFraction, threads, v, batchSize, jrlEpochs);
    }

    public Options withJrlEpochs(int e) {
      return new Options(k, trainFraction, threads, validationOnly, batchSize, e);
    }
  }

  /** Metrics of one model on one seed under one protocol, with the eJRL weights when relevant. */
  public record Run(String model, Protocol protocol, long seed, Metrics metrics, Map<String, Double> weights,
      double trainSeconds) {}

  /** Progress messages (one line each). */
  public interface Progress extends TrainListener {
    /** Progress that goes nowhere. */
    Progress NONE = new Progress() {
      @Override
      public void message(String line) {}

      @Override
      public void epoch(String view, int epoch, int epochs, double meanLoss, long interactions, double seconds) {}
    };

    void message(String line);
  }

  private final Dataset data;
  private final ModelConfig config;
  private final Options options;
  private final Progress progress;

  public Experiment(Dataset data, ModelConfig config, Options options, Progress progress) {
    this.data = data;
    this.config = config;
    this.options = options;
    this.progress = progress;
  }

  /** The views with data in this dataset, in {@link ModelConfig#VIEW_NAMES} order. */
  public List<String> availableViews() {
    return viewsWithData(data);
  }

  /**
   * The views with data in {@code d}: collaborative always, review with texts, rating with stars, image with
   * features.
   */
  public static List<String> viewsWithData(Dataset d) {
    List<String> out = new ArrayList<>();
    for (ViewKind k : ViewKind.values()) {
      if (k.hasData(d)) {
        out.add(k.viewName());
      }
    }
    return out;
  }

  /**
   * Refuses models whose view has no data in the file.
   *
   * @throws IllegalArgumentException naming the model and what the file lacks
   */
  public void check(List<String> models) {
    for (String m : models) {
      if (!MODELS.contains(m)) {
        throw new IllegalArgumentException("unknown model '" + m + "' (known: " + String.join(",", MODELS) + ")");
      }
      String view = viewOf(m);
      if (view != null && !availableViews().contains(view)) {
        throw new IllegalArgumentException("model '" + m + "' needs " + ViewKind.of(view).needs() + ", and "
            + data.name()
            + " has none (views with data here: " + String.join(",", availableViews()) + ")");
      }
    }
  }

  /** Runs every model on every seed, offline. */
  public List<Run> run(List<String> models, List<Long> seeds) {
    return run(models, seeds, List.of(Protocol.OFFLINE));
  }

  /**
   * Runs every model on every seed under each protocol (per seed: the same split for all of them). JRL trains
   * only offline (the streaming trainer is eJRL): under {@link Protocol#STREAM} it is left out with a message.
   *
   * @throws IllegalArgumentException for unknown models, models whose view has no data, or JRL asked for under the
   *     stream protocol alone
   */
  public List<Run> run(List<String> models, List<Long> seeds, List<Protocol> protocols) {
    check(models);
    if (protocols.equals(List.of(Protocol.STREAM)) && models.contains("jrl")) {
      throw new IllegalArgumentException("model 'jrl' trains only offline (the streaming trainer is eJRL): "
          + "use --protocol offline or both, or leave jrl out");
    }
    List<Run> runs = new ArrayList<>();
    for (long seed : seeds) {
      for (Protocol p : protocols) {
        List<String> ms = models;
        if (p == Protocol.STREAM && models.contains("jrl")) {
          ms = models.stream().filter(m -> !m.equals("jrl")).toList();
          progress.message("stream protocol: jrl left out (it trains only offline)");
        }
        runs.addAll(runSeed(ms, seed, p));
      }
    }
    return runs;
  }

  private List<Run> runSeed(List<String> models, long seed, Protocol protocol) {
    Split outer = Split.perUser(data.firstOccurrences(), options.trainFraction(), seed);
    List<Interaction> train = outer.train();
    List<Interaction> test = outer.test();
    if (options.validationOnly()) {
      Split inner = Split.perUser(train, options.trainFraction(), Rng.mix(seed, 0x5EED));
      train = inner.train();
      test = inner.test();
    }
    progress.message(String.format("seed %d, %s: %d train, %d %s interactions", seed, protocol.label(),
        train.size(), test.size(), options.validationOnly() ? "validation" : "test"));
    ModelConfig cfg = config.withSeed(seed);
    List<Run> runs = new ArrayList<>();
    // Views needed on the full training data: those of the single-view models and of eJRL.
    List<String> needed = new ArrayList<>();
    for (String m : models) {
      if (m.equals("ejrl")) {
        for (String v : availableViews()) {
          addOnce(needed, v);
        }
      } else if (viewOf(m) != null) {
        addOnce(needed, viewOf(m));
      }
    }
    long t0 = System.nanoTime();
    Map<String, View> trained = trainViews(needed, cfg, train, protocol);
    double trainSecs = (System.nanoTime() - t0) / 1e9;
    for (String m : models) {
      long s0 = System.nanoTime();
      Scorer scorer;
      Map<String, Double> weights = Map.of();
      double secs;
      switch (m) {
        case "pop" -> {
          scorer = new PopularityScorer(train, data.itemCount());
          secs = (System.nanoTime() - s0) / 1e9;
        }
        case "ejrl" -> {
          weights = chooseWeights(cfg, train, seed, protocol);
          List<View> vs = new ArrayList<>();
          double[] w = new double[weights.size()];
          int i = 0;
          for (Map.Entry<String, Double> e : weights.entrySet()) {
            vs.add(trained.get(e.getKey()));
            w[i++] = e.getValue();
          }
          scorer = new EjrlModel(vs, standardised(vs, w, seed), data.itemCount());
          secs = trainSecs + (System.nanoTime() - s0) / 1e9;
        }
        case "jrl" -> {
          List<View> vs = new ArrayList<>();
          for (String v : availableViews()) {
            vs.add(ViewFactory.create(v, cfg, data));
          }
          new OfflineTrainer(trainerOptions(seed).withObjective(Objective.JRL).withJrlEpochs(options.jrlEpochs()),
              progress)
              .train(vs, train, data.userCount(), data.itemCount());
          double[] ones = new double[vs.size()];
          Arrays.fill(ones, 1.0);
          scorer = new EjrlModel(vs, ones, data.itemCount());
          secs = (System.nanoTime() - s0) / 1e9;
        }
        default -> {
          View v = trained.get(viewOf(m));
          scorer = new EjrlModel(List.of(v), new double[] {1.0}, data.itemCount());
          secs = trainSecs;
        }
      }
      Metrics met = Evaluator.evaluate(scorer, train, test, data.itemCount(), options.k(), options.threads());
      progress.message(String.format("seed %d %-7s %-8s NDCG@%d %.4f  HR %.4f  recall %.4f  precision %.4f%s", seed,
          protocol.label(), m, options.k(), met.ndcg(), met.hit(), met.recall(), met.precision(),
          weights.isEmpty() ? "" : "  weights " + weights));
      runs.add(new Run(m, protocol, seed, met, weights, secs));
    }
    return runs;
  }

  /**
   * Chooses eJRL's per-view weights on a validation split carved from {@code train}: coordinate ascent
   * over a grid, the collaborative view's weight fixed at 1 when present (scales are relative). Weights
   * apply to standardised scores (each view's score divided by {@link EjrlModel#scoreScale}), so that they
   * transfer to the views retrained on all training data.
   */
  public Map<String, Double> chooseWeights(ModelConfig cfg, List<Interaction> train, long seed) {
    return chooseWeights(cfg, train, seed, Protocol.OFFLINE);
  }

  /** {@link #chooseWeights(ModelConfig, List, long)} with the carve's views trained under {@code protocol}. */
  public Map<String, Double> chooseWeights(ModelConfig cfg, List<Interaction> train, long seed, Protocol protocol) {
    List<String> names = availableViews();
    Map<String, Double> weights = new LinkedHashMap<>();
    if (names.size() == 1) {
      weights.put(names.get(0), 1.0);
      return weights;
    }
    Split carve = Split.perUser(train, options.trainFraction(), Rng.mix(seed, 0xCA4E));
    Map<String, View> views = trainViews(names, cfg, carve.train(), protocol);
    List<View> vs = new ArrayList<>();
    for (String n : names) {
      vs.add(views.get(n));
    }
    double[] unit = new double[vs.size()];
    Arrays.fill(unit, 1.0);
    double[] scale = standardised(vs, unit, seed);
    CachedScores cache = new CachedScores(vs, data.userCount(), data.itemCount());
    double[] w = new double[names.size()];
    Arrays.fill(w, 1.0);
    // Standardised scores make equal weights a sensible start; a move must beat the current best by
    // MIN_GAIN (relative), because NDCG differences on a small validation split are mostly noise.
    double[] grid = {0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3};
    double best = evalWeights(cache, w, scale, carve);
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < w.length; k++) {
        if (names.get(k).equals(CollaborativeView.NAME)) {
          continue;
        }
        double keep = w[k];
        double bestHere = best;
        for (double g : grid) {
          w[k] = g;
          double s = evalWeights(cache, w, scale, carve);
          if (s > bestHere && s > best * (1 + MIN_GAIN)) {
            bestHere = s;
            keep = g;
          }
        }
        w[k] = keep;
        best = bestHere;
      }
    }
    for (int k = 0; k < names.size(); k++) {
      weights.put(names.get(k), w[k]);
    }
    progress.message(String.format("eJRL weights chosen on validation (NDCG@%d %.4f): %s", options.k(), best,
        weights));
    return weights;
  }

  private double evalWeights(CachedScores cache, double[] w, double[] scale, Split carve) {
    double[] eff = new double[w.length];
    for (int k = 0; k < w.length; k++) {
      eff[k] = w[k] * scale[k];
    }
    return Evaluator.evaluate(cache.withWeights(eff), carve.train(), carve.test(), data.itemCount(), options.k(),
        options.threads()).ndcg();
  }

  /** Weights for raw scores that apply {@code w} to standardised scores. */
  private double[] standardised(List<View> vs, double[] w, long seed) {
    double[] out = new double[w.length];
    for (int k = 0; k < w.length; k++) {
      out[k] = w[k] / EjrlModel.scoreScale(vs.get(k), data.userCount(), data.itemCount(), Rng.mix(seed, k));
    }
    return out;
  }

  private Map<String, View> trainViews(List<String> names, ModelConfig cfg, List<Interaction> train,
      Protocol protocol) {
    if (protocol == Protocol.STREAM) {
      return streamViews(names, cfg, train);
    }
    Map<String, View> out = new LinkedHashMap<>();
    List<View> vs = new ArrayList<>();
    for (String n : names) {
      View v = ViewFactory.create(n, cfg, data);
      out.put(n, v);
      vs.add(v);
    }
    new OfflineTrainer(trainerOptions(cfg.seed()), progress).train(vs, train, data.userCount(), data.itemCount());
    return out;
  }

  /**
   * Each view fed {@code train} once in stream order through its own streaming trainer, views on parallel threads
   * (independent, so the result does not depend on the thread count); afterwards every user and item has a row,
   * as offline, so that every item can be ranked.
   */
  private Map<String, View> streamViews(List<String> names, ModelConfig cfg, List<Interaction> train) {
    StreamInput input = StreamInput.of(data, train, cfg.seed(), false);
    Map<String, View> out = new LinkedHashMap<>();
    for (String n : names) {
      out.put(n, ViewFactory.create(n, cfg, input));
    }
    List<View> views = new ArrayList<>(out.values());
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(options.threads(), views.size())));
    try {
      List<Future<?>> done = new ArrayList<>();
      for (View v : views) {
        done.add(pool.submit(() -> {
          long t0 = System.nanoTime();
          StreamingTrainer trainer = new StreamingTrainer(v, cfg.seed(), options.batchSize());
          for (Interaction x : input.events()) {
            trainer.accept(x);
          }
          trainer.flush();
          v.reserve(data.userCount(), data.itemCount());
          double secs = (System.nanoTime() - t0) / 1e9;
          progress.message(String.format("  %-13s streamed %d events once in %.2f s (%.0f events/s), last batch loss "
              + "%.4f", v.name(), input.events().size(), secs, input.events().size() / Math.max(1e-9, secs),
              trainer.lastLoss()));
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("streaming a view failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while streaming views", e);
    } finally {
      pool.shutdownNow();
    }
    return out;
  }

  private OfflineTrainer.Options trainerOptions(long seed) {
    return new OfflineTrainer.Options(seed, options.batchSize(), Objective.EJRL, options.threads(), 20);
  }

  /** The view a single-view model trains, or null for pop, ejrl and jrl. */
  static String viewOf(String model) {
    ViewKind k = ViewKind.ofModel(model);
    return k == null ? null : k.viewName();
  }

  private static void addOnce(List<String> l, String s) {
    if (!l.contains(s)) {
      l.add(s);
    }
  }
}
