package io.jrlstream.core.train;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.DatasetReader;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.Split;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.eval.Evaluator;
import io.jrlstream.core.eval.Metrics;
import io.jrlstream.core.eval.PopularityScorer;
import io.jrlstream.core.experiment.Experiment;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.rank.EjrlModel;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.ModelSettings;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tuning harness for streaming settings (not a product command; "measure" builds those): the stream protocol
 * (per-user 70/30 split, the training part streamed once in event-time order through {@link StreamingTrainer},
 * evaluated like the offline table) on a validation carve or the test part, and a prequential loop (each event
 * ranked among the items its user has not had before it trains). Run with the test classpath:
 *
 * <pre>
 * java -cp ... io.jrlstream.core.train.StreamLab stream|preq|offline DATA|synthetic:USERS
 *     [--views a,b] [--seeds 1,2] [--validation] [--test] [--set view.key=value ...] [--warmup N] [--every N]
 * </pre>
 * Prints one line per result. Single-threaded training; evaluation on 2 threads.
 */
public final class StreamLab {
  private StreamLab() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Dataset data = load(args[1]);
    List<String> views = List.of("collaborative");
    List<Long> seeds = List.of(1L);
    boolean validation = true;
    int warmup = 1000;
    int every = 1;
    int repeat = 1;
    int prefix = Integer.MAX_VALUE;
    ModelConfig cfg = ModelConfig.defaults();
    List<String> models = List.of("pop", "bpr");
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--views" -> views = List.of(args[++i].split(","));
        case "--models" -> models = List.of(args[++i].split(","));
        case "--seeds" -> seeds = Arrays.stream(args[++i].split(",")).map(Long::parseLong).toList();
        case "--test" -> validation = false;
        case "--validation" -> validation = true;
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--every" -> every = Integer.parseInt(args[++i]);
        case "--repeat" -> repeat = Integer.parseInt(args[++i]);
        case "--prefix" -> prefix = Integer.parseInt(args[++i]);
        case "--set" -> {
          for (String s : args[++i].split(",")) {
            cfg = ModelSettings.apply(cfg, s);
          }
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    cfg = cfg.fittedTo(data);
    switch (mode) {
      case "stream" -> {
        for (long seed : seeds) {
          streamProtocol(data, cfg.withSeed(seed), views, seed, validation);
        }
      }
      case "bench" -> bench(data, cfg, views, repeat);
      case "preq" -> {
        for (long seed : seeds) {
          prequential(data, cfg.withSeed(seed), views, seed, warmup, every, prefix);
        }
      }
      case "offline" -> {
        Experiment.Options o = Experiment.Options.defaults().withThreads(2).withValidationOnly(validation);
        Experiment e = new Experiment(data, cfg, o, new Experiment.Progress() {
          @Override
          public void message(String line) {
            System.out.println(line);
          }

          @Override
          public void epoch(String view, int epoch, int epochs, double meanLoss, long interactions, double secs) {
          }
        });
        e.run(models, seeds);
      }
      default -> throw new IllegalArgumentException("mode " + mode);
    }
  }

  static Dataset load(String spec) {
    if (spec.startsWith("synthetic:")) {
      int users = Integer.parseInt(spec.substring("synthetic:".length()));
      return SyntheticData.generate(SyntheticSpec.defaults().withUsers(users), 1L);
    }
    return DatasetReader.read(Path.of(spec));
  }

  /**
   * The events in stream order: by time, ties in input order; without times (all 0) each user's own order kept and
   * users interleaved by a seeded shuffle of positions.
   */
  static List<Interaction> streamOrder(List<Interaction> xs, long seed) {
    boolean timed = xs.stream().anyMatch(x -> x.time() != 0);
    if (timed) {
      List<Interaction> out = new ArrayList<>(xs);
      out.sort(Comparator.comparingLong(Interaction::time)); // stable
      return out;
    }
    int n = xs.size();
    int[] owner = new int[n];
    for (int i = 0; i < n; i++) {
      owner[i] = xs.get(i).user();
    }
    Rng rng = new Rng(Rng.mix(seed, 0x1A7E));
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = owner[i];
      owner[i] = owner[j];
      owner[j] = t;
    }
    Map<Integer, List<Interaction>> byUser = new LinkedHashMap<>();
    for (Interaction x : xs) {
      byUser.computeIfAbsent(x.user(), u -> new ArrayList<>()).add(x);
    }
    Map<Integer, Integer> next = new HashMap<>();
    List<Interaction> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int u = owner[i];
      int k = next.merge(u, 1, Integer::sum) - 1;
      out.add(byUser.get(u).get(k));
    }
    return out;
  }

  static void streamProtocol(Dataset data, ModelConfig cfg, List<String> views, long seed, boolean validation) {
    Split outer = Split.perUser(data.interactions(), 0.7, seed);
    List<Interaction> train = outer.train();
    List<Interaction> test = outer.test();
    if (validation) {
      Split inner = Split.perUser(train, 0.7, Rng.mix(seed, 0x5EED));
      train = inner.train();
      test = inner.test();
    }
    Metrics pop = Evaluator.evaluate(new PopularityScorer(train, data.itemCount()), train, test, data.itemCount(),
        10, 2);
    System.out.printf("seed %d %s: pop NDCG@10 %.4f HR %.4f (%d train events)%n", seed,
        validation ? "validation" : "TEST", pop.ndcg(), pop.hit(), train.size());
    List<View> trained = streamViews(data, cfg, views, train, seed, true);
    for (int k = 0; k < trained.size(); k++) {
      Metrics m = Evaluator.evaluate(new EjrlModel(List.of(trained.get(k)), new double[] {1}, data.itemCount()),
          train, test, data.itemCount(), 10, 2);
      System.out.printf("seed %d %-13s NDCG@10 %.4f HR %.4f%n", seed, views.get(k), m.ndcg(), m.hit());
    }
    if (trained.size() > 1) {
      // eJRL weights chosen on a carve of the training part, as offline: views streamed over the carve's training
      // part, a grid searched on its held-out part, then applied (to standardised scores) to the full views.
      Split carve = Split.perUser(train, 0.7, Rng.mix(seed, 0xCA4E));
      List<View> small = streamViews(data, cfg, views, carve.train(), seed, false);
      double[] w = chooseWeights(data, small, views, carve, seed);
      double[] eff = new double[w.length];
      for (int k = 0; k < w.length; k++) {
        eff[k] = w[k] / EjrlModel.scoreScale(trained.get(k), data.userCount(), data.itemCount(), Rng.mix(seed, k));
      }
      Metrics m = Evaluator.evaluate(new EjrlModel(trained, eff, data.itemCount()), train, test, data.itemCount(), 10,
          2);
      System.out.printf("seed %d ejrl          NDCG@10 %.4f HR %.4f  weights %s%n", seed, m.ndcg(), m.hit(),
          Arrays.toString(w));
    }
  }

  private static List<View> streamViews(Dataset data, ModelConfig cfg, List<String> views, List<Interaction> train,
      long seed, boolean report) {
    List<Interaction> stream = streamOrder(train, seed);
    List<View> out = new ArrayList<>();
    for (String name : views) {
      View v = ViewFactory.create(name, cfg, data);
      StreamingTrainer t = new StreamingTrainer(v, cfg.seed(), 64);
      long cpu0 = cpu();
      for (Interaction x : stream) {
        t.accept(x);
      }
      t.flush();
      double cpuSecs = (cpu() - cpu0) / 1e9;
      v.reserve(data.userCount(), data.itemCount());
      if (report) {
        System.out.printf("  %s: %d events, %.1f us cpu/event, replayed %d; %s%n", name, t.sequence(),
            cpuSecs * 1e6 / t.sequence(), t.replayed(), cfg.view(name).stream());
      }
      out.add(v);
    }
    return out;
  }

  /** Coordinate ascent over a grid on standardised scores, the collaborative view's weight fixed at 1 (as offline). */
  private static double[] chooseWeights(Dataset data, List<View> vs, List<String> names, Split carve, long seed) {
    double[] scale = new double[vs.size()];
    for (int k = 0; k < vs.size(); k++) {
      scale[k] = 1 / EjrlModel.scoreScale(vs.get(k), data.userCount(), data.itemCount(), Rng.mix(seed, k));
    }
    double[] w = new double[vs.size()];
    Arrays.fill(w, 1);
    double[] grid = {0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3};
    double best = evalWeights(data, vs, w, scale, carve);
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < w.length; k++) {
        if (names.get(k).equals("collaborative")) {
          continue;
        }
        double keep = w[k];
        double bestHere = best;
        for (double g : grid) {
          w[k] = g;
          double s = evalWeights(data, vs, w, scale, carve);
          if (s > bestHere && s > best * 1.02) {
            bestHere = s;
            keep = g;
          }
        }
        w[k] = keep;
        best = bestHere;
      }
    }
    return w;
  }

  private static double evalWeights(Dataset data, List<View> vs, double[] w, double[] scale, Split carve) {
    double[] eff = new double[w.length];
    for (int k = 0; k < w.length; k++) {
      eff[k] = w[k] * scale[k];
    }
    return Evaluator.evaluate(new EjrlModel(vs, eff, data.itemCount()), carve.train(), carve.test(), data.itemCount(),
        10, 2).ndcg();
  }

  /**
   * Training cost per view: the whole file in stream order through a fresh trainer {@code repeat} times (the first
   * ones warm the JIT up), thread CPU time per accepted event of each run.
   */
  static void bench(Dataset data, ModelConfig cfg, List<String> views, int repeat) {
    List<Interaction> stream = streamOrder(data.interactions(), 1);
    for (String name : views) {
      double[] us = new double[repeat];
      StreamingTrainer t = null;
      for (int r = 0; r < repeat; r++) {
        View v = ViewFactory.create(name, cfg, data);
        t = new StreamingTrainer(v, cfg.seed(), 64);
        long cpu0 = cpu();
        for (Interaction x : stream) {
          t.accept(x);
        }
        t.flush();
        us[r] = (cpu() - cpu0) / 1e3 / t.sequence();
      }
      double[] sorted = us.clone();
      Arrays.sort(sorted);
      System.out.printf("bench %-13s %d events: cpu us/event runs %s, best %.1f (replayed %d per run) %s%n", name,
          t.sequence(), Arrays.toString(Arrays.stream(us).map(x -> Math.round(x * 10) / 10.0).toArray()),
          sorted[0], t.replayed(), cfg.view(name).stream());
    }
  }

  private static long cpu() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  /**
   * Test-then-train over the whole file in stream order: each event after the warm-up (every {@code every}-th) is
   * ranked, before it trains, among the items seen so far that its user has not had (a new item is a miss), by
   * each view, by popularity so far, and by an equal-weight standardised eJRL of the views.
   */
  static void prequential(Dataset data, ModelConfig cfg, List<String> views, long seed, int warmup, int every,
      int prefix) {
    List<Interaction> stream = streamOrder(data.interactions(), seed);
    stream = stream.subList(0, Math.min(prefix, stream.size()));
    int nItems = data.itemCount();
    List<View> vs = new ArrayList<>();
    List<StreamingTrainer> ts = new ArrayList<>();
    for (String name : views) {
      View v = ViewFactory.create(name, cfg, data);
      vs.add(v);
      ts.add(new StreamingTrainer(v, cfg.seed(), 64));
    }
    NegativeSampler had = new NegativeSampler();
    int[] count = new int[nItems];
    boolean[] seen = new boolean[nItems];
    int[] seenList = new int[nItems];
    int nSeen = 0;
    int models = vs.size() + 2; // views, pop, ejrl
    double[] ndcg = new double[models];
    double[] hit = new double[models];
    double[] ndcgReturning = new double[models];
    long evaluated = 0;
    long returning = 0;
    boolean[] known = new boolean[data.userCount()];
    float[][] scores = new float[vs.size()][nItems];
    float[] combined = new float[nItems];
    float[] popScores = new float[nItems];
    double[] trainNanos = new double[vs.size()];
    for (int e = 0; e < stream.size(); e++) {
      Interaction x = stream.get(e);
      int u = x.user();
      int target = x.item();
      if (e >= warmup && e % every == 0 && !had.interacted(u, target)) {
        evaluated++;
        double[] before = ndcg.clone();
        if (seen[target]) {
          for (int k = 0; k < vs.size(); k++) {
            View v = vs.get(k);
            v.reserve(u + 1, 0);
            float[] ur = v.users().row(u);
            for (int s = 0; s < nSeen; s++) {
              int it = seenList[s];
              scores[k][it] = it < v.items().size() ? Vectors.dot(ur, v.items().row(it)) : Float.NEGATIVE_INFINITY;
            }
            credit(rank(scores[k], seenList, nSeen, had, u, target), k, ndcg, hit);
          }
          for (int s = 0; s < nSeen; s++) {
            popScores[seenList[s]] = count[seenList[s]];
          }
          credit(rank(popScores, seenList, nSeen, had, u, target), vs.size(), ndcg, hit);
          if (!vs.isEmpty()) {
            Arrays.fill(combined, 0f);
            for (int k = 0; k < vs.size(); k++) {
              double mean = 0;
              double sq = 0;
              for (int s = 0; s < nSeen; s++) {
                double f = scores[k][seenList[s]];
                mean += f;
                sq += f * f;
              }
              mean /= nSeen;
              double sd = Math.sqrt(Math.max(1e-12, sq / nSeen - mean * mean));
              for (int s = 0; s < nSeen; s++) {
                combined[seenList[s]] += (float) ((scores[k][seenList[s]] - mean) / sd);
              }
            }
            credit(rank(combined, seenList, nSeen, had, u, target), vs.size() + 1, ndcg, hit);
          }
        }
        if (known[u]) {
          returning++;
          for (int k = 0; k < models; k++) {
            ndcgReturning[k] += ndcg[k] - before[k];
          }
        }
      }
      known[u] = true;
      for (int k = 0; k < vs.size(); k++) {
        long t0 = System.nanoTime();
        ts.get(k).accept(x);
        trainNanos[k] += System.nanoTime() - t0;
      }
      had.add(u, target);
      count[target]++;
      if (!seen[target]) {
        seen[target] = true;
        seenList[nSeen++] = target;
      }
    }
    StringBuilder b = new StringBuilder(String.format("preq seed %d: %d events, %d evaluated (warm-up %d):",
        seed, stream.size(), evaluated, warmup));
    for (int k = 0; k < models; k++) {
      String name = k < vs.size() ? views.get(k) : k == vs.size() ? "pop" : "ejrl";
      b.append(String.format("  %s NDCG %.4f HR %.4f", name, ndcg[k] / evaluated, hit[k] / evaluated));
    }
    b.append(String.format("  | returning users (%d):", returning));
    for (int k = 0; k < models; k++) {
      String name = k < vs.size() ? views.get(k) : k == vs.size() ? "pop" : "ejrl";
      b.append(String.format(" %s %.4f", name, ndcgReturning[k] / returning));
    }
    for (int k = 0; k < vs.size(); k++) {
      b.append(String.format("  %s %.0f ev/s", views.get(k), stream.size() / (trainNanos[k] / 1e9)));
    }
    System.out.println(b);
  }

  private static void credit(int rank, int k, double[] ndcg, double[] hit) {
    if (rank <= 10) {
      hit[k] += 1;
      ndcg[k] += 1 / (Math.log(rank + 1) / Math.log(2));
    }
  }

  /** 1-based rank of target among the seen items user has not had (ties: lower index first). */
  private static int rank(float[] s, int[] seenList, int nSeen, NegativeSampler had, int u, int target) {
    float st = s[target];
    int r = 1;
    for (int i = 0; i < nSeen; i++) {
      int it = seenList[i];
      if (it == target) {
        continue;
      }
      float f = s[it];
      if ((f > st || (f == st && it < target)) && !had.interacted(u, it)) {
        r++;
        if (r > 10) {
          return r;
        }
      }
    }
    return r;
  }
}
