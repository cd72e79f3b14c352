package io.jrlstream.core.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.view.RankingLoss;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The offline (multi-epoch) trainer: mini-batch SGD over a fixed training set (paper §5.2).
 *
 * <p>eJRL: each view trains on the interactions it accepts, for its own number of epochs, with its own
 * optimiser; views are independent, so they run on separate threads with no effect on the result. JRL:
 * all views step together on one joint ranking term. Batches hold {@code batchSize} positive
 * interactions; every random draw comes from a seed derived from (seed, view, epoch, position), so the
 * same data, seed and configuration give bit-identical parameters whatever the thread count.
 */
public final class OfflineTrainer {
  /**
   * @param seed run seed
   * @param batchSize positive interactions per mini-batch (paper: 64)
   * @param objective eJRL or JRL
   * @param threads threads for eJRL views (views train in parallel; result is independent of it)
   * @param jrlEpochs epochs for the JRL objective (eJRL uses each view's own)
   */
  public record Options(long seed, int batchSize, Objective objective, int threads, int jrlEpochs) {
    public Options {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be ≥ 1, got " + batchSize);
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
      }
      Objects.requireNonNull(objective, "objective");
    }

    public static Options defaults(long seed) {
      return new Options(seed, 64, Objective.EJRL, Math.max(1, Runtime.getRuntime().availableProcessors()), 20);
    }

    public Options withObjective(Objective o) {
      return new Options(seed, batchSize, o, threads, jrlEpochs);
    }

    public Options withThreads(int t) {
      return new Options(seed, batchSize, objective, t, jrlEpochs);
    }

    public Options withJrlEpochs(int e) {
      return new Options(seed, batchSize, objective, threads, e);
    }
  }

  private final Options options;
  private final TrainListener listener;

  public OfflineTrainer(Options options, TrainListener listener) {
    this.options = options;
    this.listener = listener;
  }

  /**
   * Trains the views on {@code train} (input order matters only for vocabulary growth; epochs shuffle).
   * All user and item rows [0, userCount) × [0, itemCount) exist afterwards, so every item can be scored.
   */
  public void train(List<View> views, List<Interaction> train, int userCount, int itemCount) {
    for (View v : views) {
      v.reserve(userCount, itemCount);
    }
    if (options.objective() == Objective.JRL) {
      trainJrl(views, train);
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.threads(), Math.max(1, views.size())), r -> {
      Thread t = new Thread(r, "jrl-train");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> done = new ArrayList<>();
      for (View v : views) {
        done.add(pool.submit(() -> trainView(v, train)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("training interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof RuntimeException re ? re : new IllegalStateException("training failed", c);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Trains one view alone (eJRL): its own epochs, optimiser and ranking term. */
  public void trainView(View view, List<Interaction> train) {
    List<Interaction> mine = new ArrayList<>();
    NegativeSampler sampler = new NegativeSampler();
    for (Interaction x : train) {
      if (view.accepts(x)) {
        view.observe(x);
        sampler.add(x.user(), x.item());
        mine.add(x);
      }
    }
    ViewConfig cfg = view.config();
    long viewSeed = Rng.mix(options.seed(), Rng.hash(view.name()));
    int n = mine.size();
    int[] order = identity(n);
    Rng rng = new Rng(0);
    long total = (long) cfg.epochs() * n;
    long seen = 0;
    int b = options.batchSize();
    for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
      long t0 = System.nanoTime();
      shuffle(order, rng.reseed(Rng.mix(viewSeed, epoch, -1)));
      double loss = 0;
      for (int start = 0; start < n; start += b) {
        int end = Math.min(n, start + b);
        float w = 1f / (end - start);
        float lr = learningRate(cfg, seen, total);
        view.beginBatch(lr);
        for (int p = start; p < end; p++) {
          Interaction x = mine.get(order[p]);
          rng.reseed(Rng.mix(viewSeed, epoch, p));
          loss += Examples.add(view, x, sampler, rng, w);
        }
        view.applyBatch(lr);
        seen += end - start;
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      listener.epoch(view.name(), epoch + 1, cfg.epochs(), loss * b / Math.max(1, n), n, secs);
    }
  }

  private void trainJrl(List<View> views, List<Interaction> train) {
    NegativeSampler sampler = new NegativeSampler();
    for (Interaction x : train) {
      for (View v : views) {
        if (v.accepts(x)) {
          v.observe(x);
        }
      }
      sampler.add(x.user(), x.item());
    }
    long jrlSeed = Rng.mix(options.seed(), Rng.hash("jrl"));
    int n = train.size();
    int[] order = identity(n);
    Rng rng = new Rng(0);
    int epochs = options.jrlEpochs();
    RankingLoss rl = views.get(0).config().rankingLoss();
    long total = (long) epochs * n;
    long seen = 0;
    int b = options.batchSize();
    for (int epoch = 0; epoch < epochs; epoch++) {
      long t0 = System.nanoTime();
      shuffle(order, rng.reseed(Rng.mix(jrlSeed, epoch, -1)));
      double loss = 0;
      for (int start = 0; start < n; start += b) {
        int end = Math.min(n, start + b);
        float w = 1f / (end - start);
        for (View v : views) {
          v.beginBatch(learningRate(v.config(), seen, total));
        }
        for (int p = start; p < end; p++) {
          Interaction x = train.get(order[p]);
          for (int k = 0; k < views.size(); k++) {
            View v = views.get(k);
            if (v.accepts(x)) {
              rng.reseed(Rng.mix(jrlSeed, epoch, p, k));
              loss += v.addContentGradient(x, rng, w);
            }
          }
          rng.reseed(Rng.mix(jrlSeed, epoch, p, -1));
          int neg = sampler.sample(x.user(), rng);
          if (neg < 0) {
            continue;
          }
          double d = 0;
          for (View v : views) {
            d += v.score(x.user(), x.item()) - v.score(x.user(), neg);
          }
          loss += w * rl.loss(d);
          float coef = (float) (w * rl.derivative(d));
          for (View v : views) {
            loss += v.addRankingGradient(x.user(), x.item(), neg, coef, w);
          }
        }
        for (View v : views) {
          v.applyBatch(learningRate(v.config(), seen, total));
        }
        seen += end - start;
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      listener.epoch("jrl", epoch + 1, epochs, loss * b / Math.max(1, n), n, secs);
    }
  }

  /** The offline learning rate after {@code seen} of {@code total} interactions. */
  static float learningRate(ViewConfig cfg, long seen, long total) {
    double lr = cfg.learningRate();
    if (cfg.schedule() == ViewConfig.Schedule.LINEAR && total > 0) {
      lr *= Math.max(1e-4, 1 - (double) seen / total);
    }
    return (float) lr;
  }

  private static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  private static void shuffle(int[] a, Rng rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
