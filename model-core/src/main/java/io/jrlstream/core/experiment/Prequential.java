package io.jrlstream.core.experiment;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.StreamOrder;
import io.jrlstream.core.eval.InteractedItems;
import io.jrlstream.core.eval.PopularitySoFar;
import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.eval.RankSource;
import io.jrlstream.core.eval.ViewRankSource;
import io.jrlstream.core.train.NegativeSampler;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prequential protocol (test-then-train, Vinagre et al. 2014; DESIGN.md §1 "Evaluation", last paragraph): the
 * whole data set in {@link StreamOrder}, users and items numbered in order of first appearance, one
 * {@link StreamingTrainer} per view built as the Kafka training processor builds it. Before each event trains,
 * every model ranks its item for its user with a {@link PrequentialMeter} (the code a live processor runs): among
 * the items known so far that the user has not had, with the current parameters.
 *
 * <p>Models: each view alone ("bpr" is the collaborative view), eJRL over every view with data
 * ({@link PrequentialEnsemble}: weights chosen from past windows only), and two baselines under the same protocol
 * ({@link PopularitySoFar}): "pop", the events of each item so far, and "recent-pop", the same with each event
 * weighted 2^(−age/h), half-life h = {@link #DEFAULT_HALF_LIFE} events unless set.
 *
 * <p>Every model ranks the same events: repeats (the user already had the item) are skipped and counted (such an
 * item is never a hit), events of users seen for the first time are skipped and counted (no model holds anything
 * for them; serving answers them from popularity), events of items seen for the first time are misses, counted.
 * Totals leave out the first {@code warmUp} events (default {@value #DEFAULT_WARM_UP_PERCENT} % of the stream);
 * windows of {@code window} events (default: the stream in {@value #DEFAULT_WINDOWS}) cover everything. With
 * {@code sampleEvery} = s only events whose position is a multiple of s are measured (all still train).
 *
 * <p>Timings (measuring µs per ranked event, training events per second) are the running thread's CPU time where
 * the JVM measures it (else wall time), so that they mean the same on a machine shared with other work.
 *
 * <p>Deterministic: the same data, seed and settings give the same figures (timings aside). Single-threaded: the
 * measurement of an event must see the parameters of exactly the events before it.
 */
public final class Prequential {
  /** The models the protocol knows. */
  public static final List<String> MODELS = List.of("pop", "recent-pop", "bpr", "review", "rating", "image", "ejrl");
  /** What {@code jrl evaluate --protocol prequential} runs when no model is named. */
  public static final List<String> DEFAULT_MODELS = List.of("pop", "recent-pop", "bpr", "review", "rating", "ejrl");
  /** Default half-life of "recent-pop", in events. */
  public static final double DEFAULT_HALF_LIFE = 1_000;
  /** Default warm-up: this share of the stream, in per cent. */
  public static final int DEFAULT_WARM_UP_PERCENT = 10;
  /** Default number of windows the stream is cut into. */
  public static final int DEFAULT_WINDOWS = 20;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /**
   * @param k cut-off of HR and NDCG (10)
   * @param window events per window, or 0 for the stream in {@link #DEFAULT_WINDOWS}
   * @param warmUp events left out of the totals, or -1 for {@link #DEFAULT_WARM_UP_PERCENT} % of the stream
   * @param sampleEvery measure every this-many-th event (1: all)
   * @param halfLife half-life of "recent-pop" in events (positive)
   * @param batchSize positive interactions per mini-batch of the streaming trainers (64)
   * @param limit events of the stream to run, from its start, or 0 for all
   */
  public record Options(int k, int window, long warmUp, int sampleEvery, double halfLife, int batchSize, int limit) {
    public Options {
      if (k < 1) {
        throw new IllegalArgumentException("k must be at least 1, got " + k);
      }
      if (window < 0) {
        throw new IllegalArgumentException("window must be 0 (default) or a number of events, got " + window);
      }
      if (warmUp < -1) {
        throw new IllegalArgumentException("warm-up must be -1 (default) or a number of events, got " + warmUp);
      }
      if (sampleEvery < 1) {
        throw new IllegalArgumentException("sample-every must be at least 1, got " + sampleEvery);
      }
      if (!(halfLife > 0) || Double.isInfinite(halfLife)) {
        throw new IllegalArgumentException("half-life must be a positive number of events, got " + halfLife);
      }
      if (batchSize < 1) {
        throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
      }
      if (limit < 0) {
        throw new IllegalArgumentException("limit must be 0 (all) or a number of events, got " + limit);
      }
    }

    /** k = 10, default windows and warm-up, every event, half-life 1,000 events, batch 64, the whole stream. */
    public static Options defaults() {
      return new Options(10, 0, -1, 1, DEFAULT_HALF_LIFE, 64, 0);
    }

    public Options withWindow(int w) {
      return new Options(k, w, warmUp, sampleEvery, halfLife, batchSize, limit);
    }

    public Options withWarmUp(long w) {
      return new Options(k, window, w, sampleEvery, halfLife, batchSize, limit);
    }

    public Options withSampleEvery(int s) {
      return new Options(k, window, warmUp, s, halfLife, batchSize, limit);
    }

    public Options withHalfLife(double h) {
      return new Options(k, window, warmUp, sampleEvery, h, batchSize, limit);
    }

    public Options withLimit(int n) {
      return new Options(k, window, warmUp, sampleEvery, halfLife, batchSize, n);
    }
  }

  /**
   * One model's figures.
   *
   * @param model the model name
   * @param ranked events ranked after the warm-up (new items included, as misses)
   * @param hits of those, items in the top k
   * @param ndcgSum sum of NDCG@k over them
   * @param windowHitRate HR@k per window (NaN for a window where nothing was ranked)
   * @param windowNdcg NDCG@k per window (NaN likewise)
   * @param windowRanked events ranked per window
   * @param microsPerRanked measuring CPU time per ranked event, µs (all windows)
   */
  public record ModelResult(String model, long ranked, long hits, double ndcgSum, double[] windowHitRate,
      double[] windowNdcg, long[] windowRanked, double microsPerRanked) {
    /** HR@k after the warm-up. */
    public double hitRate() {
      return ranked == 0 ? 0 : (double) hits / ranked;
    }

    /** NDCG@k after the warm-up. */
    public double ndcg() {
      return ranked == 0 ? 0 : ndcgSum / ranked;
    }
  }

  /**
   * One run (one seed).
   *
   * @param seed training seed (and the interleaving's, for untimed data)
   * @param order how the stream was ordered
   * @param events events run
   * @param window events per window
   * @param warmUp events left out of the totals
   * @param sampleEvery every how-many-th event was measured
   * @param halfLife half-life of "recent-pop", events
   * @param measured sampled events after the warm-up
   * @param repeats of those, skipped: the user already had the item
   * @param coldUsers of those, skipped: the user's first event
   * @param newItems of those, misses: the item's first event
   * @param models per model, in the order asked
   * @param windowStart first event of each window
   * @param loss per view, the mean training loss of the mini-batches completed in each window (NaN: none)
   * @param eventsPerSecond per view, events trained per second of training CPU time in each window
   * @param ejrlWeights eJRL's weights in use in each window (empty without eJRL)
   * @param trainSeconds per view, training CPU time in all
   * @param seconds wall time of the whole run
   * @param cpuSeconds CPU time of the whole run (the measuring and training thread)
   */
  public record Result(long seed, StreamOrder.Kind order, int events, int window, long warmUp, int sampleEvery,
      double halfLife, long measured, long repeats, long coldUsers, long newItems, List<ModelResult> models,
      long[] windowStart, Map<String, double[]> loss, Map<String, double[]> eventsPerSecond,
      List<Map<String, Double>> ejrlWeights, Map<String, Double> trainSeconds, double seconds, double cpuSeconds) {}

  private final Dataset data;
  private final ModelConfig config;
  private final Options options;
  private final Experiment.Progress progress;

  public Prequential(Dataset data, ModelConfig config, Options options, Experiment.Progress progress) {
    this.data = data;
    this.config = config;
    this.options = options;
    this.progress = progress;
  }

  /**
   * Refuses unknown models and models whose view has no data.
   *
   * @throws IllegalArgumentException naming the model
   */
  public void check(List<String> models) {
    for (String m : models) {
      if (!MODELS.contains(m)) {
        throw new IllegalArgumentException("unknown model '" + m + "' for the prequential protocol (known: "
            + String.join(",", MODELS) + ")");
      }
    }
    List<String> viewModels = models.stream().filter(m -> Experiment.viewOf(m) != null).toList();
    new Experiment(data, config, Experiment.Options.defaults(), progress).check(viewModels);
  }

  /** Runs the protocol once per seed. */
  public List<Result> run(List<String> models, List<Long> seeds) {
    check(models);
    List<Result> out = new ArrayList<>();
    for (long seed : seeds) {
      out.add(run(models, seed));
    }
    return out;
  }

  private Result run(List<String> models, long seed) {
    long start = System.nanoTime();
    long cpuStart = cpuNanos();
    ModelConfig cfg = config.withSeed(seed);
    StreamInput input = StreamInput.of(data, data.interactions(), seed, true);
    List<Interaction> events = input.events();
    if (options.limit() > 0 && options.limit() < events.size()) {
      events = events.subList(0, options.limit());
    }
    int n = events.size();
    int window = options.window() > 0 ? options.window() : Math.max(1, (n + DEFAULT_WINDOWS - 1) / DEFAULT_WINDOWS);
    long warmUp = options.warmUp() >= 0 ? options.warmUp() : Math.round(n * DEFAULT_WARM_UP_PERCENT / 100.0);
    int windows = (n + window - 1) / window;
    PrequentialMeter.Settings settings = new PrequentialMeter.Settings(options.k(), window, warmUp,
        options.sampleEvery());
    StreamOrder.Kind order = StreamOrder.kind(data.interactions());
    progress.message(String.format("seed %d, prequential: %d events in %s order, %d windows of %d, warm-up %d, %s",
        seed, n, order == StreamOrder.Kind.EVENT_TIME ? "event-time" : "interleaved", windows, window, warmUp,
        sampled(options.sampleEvery())));

    List<String> viewNames = new ArrayList<>();
    for (String m : models) {
      if (m.equals("ejrl")) {
        new Experiment(data, cfg, Experiment.Options.defaults(), progress).availableViews().forEach(v -> {
          if (!viewNames.contains(v)) {
            viewNames.add(v);
          }
        });
      } else if (Experiment.viewOf(m) != null && !viewNames.contains(Experiment.viewOf(m))) {
        viewNames.add(Experiment.viewOf(m));
      }
    }
    Map<String, View> views = new LinkedHashMap<>();
    StreamingTrainer[] trainers = new StreamingTrainer[viewNames.size()];
    for (int i = 0; i < trainers.length; i++) {
      View v = ViewFactory.create(viewNames.get(i), cfg, input);
      views.put(viewNames.get(i), v);
      trainers[i] = new StreamingTrainer(v, cfg.seed(), options.batchSize());
    }
    PopularitySoFar pop = new PopularitySoFar(0);
    PopularitySoFar recent = new PopularitySoFar(options.halfLife());
    PrequentialEnsemble ensemble = null;
    int m = models.size();
    RankSource[] sources = new RankSource[m];
    PrequentialMeter[] meters = new PrequentialMeter[m];
    double[][] windowHit = new double[m][windows];
    double[][] windowNdcg = new double[m][windows];
    long[][] windowRanked = new long[m][windows];
    int ejrlAt = -1;
    for (int i = 0; i < m; i++) {
      String model = models.get(i);
      Arrays.fill(windowHit[i], Double.NaN);
      Arrays.fill(windowNdcg[i], Double.NaN);
      sources[i] = switch (model) {
        case "pop" -> pop;
        case "recent-pop" -> recent;
        case "ejrl" -> {
          List<View> vs = new ArrayList<>();
          List<String> names = new ArrayList<>();
          for (String v : new Experiment(data, cfg, Experiment.Options.defaults(), progress).availableViews()) {
            names.add(v);
            vs.add(views.get(v));
          }
          ensemble = new PrequentialEnsemble(names, vs, options.k());
          ejrlAt = i;
          yield ensemble;
        }
        default -> new ViewRankSource(views.get(Experiment.viewOf(model)));
      };
      int slot = i;
      meters[i] = new PrequentialMeter(settings, w -> {
        windowHit[slot][(int) w.index()] = w.hitRate();
        windowNdcg[slot][(int) w.index()] = w.ndcg();
        windowRanked[slot][(int) w.index()] = w.ranked();
      });
    }
    NegativeSampler history = new NegativeSampler();
    InteractedItems interacted = history::interacted;
    long[] measureNanos = new long[m];
    int v = trainers.length;
    long[] trainNanos = new long[v];
    long[] windowTrainNanos = new long[v];
    double[] windowLoss = new double[v];
    int[] windowBatches = new int[v];
    Map<String, double[]> loss = new LinkedHashMap<>();
    Map<String, double[]> eventsPerSecond = new LinkedHashMap<>();
    for (String name : viewNames) {
      loss.put(name, new double[windows]);
      eventsPerSecond.put(name, new double[windows]);
    }
    List<Map<String, Double>> weights = new ArrayList<>();
    long[] windowStart = new long[windows];
    long measured = 0;
    long repeats = 0;
    long coldUsers = 0;
    long newItems = 0;
    int usersKnown = 0;
    int itemsKnown = 0;
    for (int e = 0; e <= n; e++) {
      if (e > 0 && (e % window == 0 || e == n)) {
        int w = (e - 1) / window;
        windowStart[w] = (long) w * window;
        int eventsInWindow = e - w * window;
        for (int i = 0; i < v; i++) {
          loss.get(viewNames.get(i))[w] = windowBatches[i] == 0 ? Double.NaN : windowLoss[i] / windowBatches[i];
          eventsPerSecond.get(viewNames.get(i))[w] = eventsInWindow / Math.max(1e-9, windowTrainNanos[i] / 1e9);
          windowLoss[i] = 0;
          windowBatches[i] = 0;
          windowTrainNanos[i] = 0;
        }
        for (PrequentialMeter meter : meters) {
          if (e == n) {
            meter.finish();
          } else {
            meter.advanceTo(e);
          }
        }
        if (ensemble != null) {
          weights.add(ensemble.weights());
          ensemble.closeWindow(usersKnown, itemsKnown, seed, w);
        }
        progress.message(windowLine(models, w, windowNdcg, windowHit, e));
      }
      if (e == n) {
        break;
      }
      Interaction x = events.get(e);
      int u = x.user();
      int item = x.item();
      if (e % options.sampleEvery() == 0 && e >= warmUp) {
        measured++;
        if (history.interacted(u, item)) {
          repeats++;
        } else if (u >= usersKnown) {
          coldUsers++;
        } else if (item >= itemsKnown) {
          newItems++;
        }
      }
      if (ensemble != null) {
        ensemble.limit(itemsKnown);
      }
      for (int i = 0; i < m; i++) {
        long t0 = cpuNanos();
        PrequentialMeter.Outcome o = meters[i].measure(e, sources[i], u, item, interacted, itemsKnown);
        if (i == ejrlAt && o == PrequentialMeter.Outcome.RANKED) {
          ensemble.scoreArms(u, item, interacted);
        }
        measureNanos[i] += cpuNanos() - t0;
      }
      for (int i = 0; i < v; i++) {
        long t0 = cpuNanos();
        if (trainers[i].accept(x)) {
          windowLoss[i] += trainers[i].lastLoss();
          windowBatches[i]++;
        }
        long dt = cpuNanos() - t0;
        trainNanos[i] += dt;
        windowTrainNanos[i] += dt;
      }
      pop.add(u, item);
      recent.add(u, item);
      history.add(u, item);
      usersKnown = Math.max(usersKnown, u + 1);
      itemsKnown = Math.max(itemsKnown, item + 1);
    }
    List<ModelResult> results = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      PrequentialMeter.Snapshot s = meters[i].snapshot();
      long rankedAll = Arrays.stream(windowRanked[i]).sum();
      results.add(new ModelResult(models.get(i), s.ranked(), s.hits(), s.ndcgSum(), windowHit[i], windowNdcg[i],
          windowRanked[i], rankedAll == 0 ? 0 : measureNanos[i] / 1e3 / rankedAll));
    }
    Map<String, Double> trainSeconds = new LinkedHashMap<>();
    for (int i = 0; i < v; i++) {
      trainSeconds.put(viewNames.get(i), trainNanos[i] / 1e9);
    }
    return new Result(seed, order, n, window, warmUp, options.sampleEvery(), options.halfLife(), measured, repeats,
        coldUsers, newItems, results, windowStart, loss, eventsPerSecond, weights, trainSeconds,
        (System.nanoTime() - start) / 1e9, (cpuNanos() - cpuStart) / 1e9);
  }

  /** The calling thread's CPU time where the JVM measures it, else wall time. */
  static long cpuNanos() {
    return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  /** "every event measured" or "every 4th event measured". */
  public static String sampled(int every) {
    if (every == 1) {
      return "every event measured";
    }
    String suffix = every % 100 / 10 == 1 ? "th" : switch (every % 10) {
      case 1 -> "st";
      case 2 -> "nd";
      case 3 -> "rd";
      default -> "th";
    };
    return "every " + every + suffix + " event measured";
  }

  private static String windowLine(List<String> models, int w, double[][] ndcg, double[][] hit, int end) {
    StringBuilder sb = new StringBuilder(String.format("  window %3d (to event %d):", w, end));
    for (int i = 0; i < models.size(); i++) {
      sb.append(String.format("  %s %.4f/%.4f", models.get(i), ndcg[i][w], hit[i][w]));
    }
    return sb.append("  (NDCG/HR)").toString();
  }
}
