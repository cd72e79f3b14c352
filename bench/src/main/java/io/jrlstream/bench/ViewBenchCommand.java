package io.jrlstream.bench;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.train.Objective;
import io.jrlstream.core.train.OfflineTrainer;
import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.review.ReviewView;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewConfig;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.ops.DataOption;
import io.jrlstream.ops.JsonOutput;
import io.jrlstream.ops.ModelOptions;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jrl bench view VIEW}: training throughput of one view after warm-up epochs, as the median over the
 * measured epochs. Runs the same code path as {@code jrl evaluate} (the offline trainer, one view, one
 * thread, batches of 64), over every interaction of the file.
 */
@Command(name = "view", mixinStandardHelpOptions = true,
    description = "Measure one view's training throughput (median over epochs after warm-up).")
final class ViewBenchCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "VIEW", description = "review, rating, image or collaborative.")
  String view;

  @Mixin
  DataOption data;

  @Option(names = "--dim", defaultValue = "300", description = "Embedding dimension K (default ${DEFAULT-VALUE}).")
  int dim;

  @Option(names = "--feature-dim", defaultValue = "4096",
      description = "Image view: synthetic feature dimension F (default ${DEFAULT-VALUE}).")
  int featureDim;

  @Option(names = "--warmup", defaultValue = "2", description = "Warm-up epochs (default ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--epochs", defaultValue = "5", description = "Measured epochs (default ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--max-interactions", description = "Use only the first N interactions (image view default 20000).")
  Integer maxInteractions;

  @Option(names = "--set", paramLabel = "VIEW.KEY=VALUE", split = ",", description = "As in jrl evaluate.")
  List<String> sets = List.of();

  @Option(names = "--json", paramLabel = "OUT", description = "Write the figures as JSON to OUT.")
  Path json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!ModelConfig.VIEW_NAMES.contains(view)) {
      throw new IllegalArgumentException("unknown view '" + view + "' (known: " + ModelConfig.VIEW_NAMES + ")");
    }
    Dataset ds = data.load(err);
    if (view.equals(ImageView.NAME)) {
      ds = withSyntheticFeatures(ds, featureDim, maxInteractions == null ? 20_000 : maxInteractions);
    } else if (maxInteractions != null) {
      ds = truncate(ds, maxInteractions);
    }
    ModelConfig cfg = ModelConfig.defaults().mapViews(v -> v.withDim(dim));
    // Bench settings: subsampling 1e-4, 5 noise words, min count 1 are the review defaults.
    cfg = cfg.withReview(cfg.review().withMinCount(1));
    cfg = cfg.fittedTo(ds);
    for (String s : sets) {
      cfg = ModelOptions.set(cfg, s);
    }
    cfg = cfg.withView(view, cfg.view(view).withEpochs(warmup + epochs).withSchedule(ViewConfig.Schedule.CONSTANT));
    View v = ViewFactory.create(view, cfg, ds);
    List<Interaction> xs = new ArrayList<>();
    long raw = 0;
    for (Interaction x : ds.interactions()) {
      if (v.accepts(x)) {
        xs.add(x);
        if (x.hasReview()) {
          raw += ds.reviewTokens(x.review()).length;
        }
      }
    }
    if (xs.isEmpty()) {
      throw new IllegalArgumentException("the " + view + " view has no data in " + ds.name());
    }
    double[] secs = new double[warmup + epochs];
    OfflineTrainer trainer = new OfflineTrainer(new OfflineTrainer.Options(1, 64, Objective.EJRL, 1, 1),
        (name, e, n, loss, count, s) -> {
          secs[e - 1] = s;
          err.printf("  %s epoch %d/%d%s loss %.4f  %.2f s%n", name, e, n, e <= warmup ? " (warm-up)" : "", loss, s);
          err.flush();
        });
    err.printf("bench %s: %d interactions, K=%d, kernels %s%n", view, xs.size(), dim, Vectors.implementation());
    trainer.train(List.of(v), xs, ds.userCount(), ds.itemCount());
    double[] measured = Arrays.copyOfRange(secs, warmup, secs.length);
    Arrays.sort(measured);
    double median = measured[measured.length / 2];
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("view", view);
    doc.put("data", ds.name());
    doc.put("dim", dim);
    doc.put("threads", 1);
    doc.put("interactions", xs.size());
    doc.put("medianEpochSeconds", median);
    doc.put("interactionsPerSecond", xs.size() / median);
    doc.put("rawWordsPerSecond", view.equals(ReviewView.NAME) ? raw / median : 0.0);
    if (view.equals(ReviewView.NAME)) {
      doc.put("rawWordsPerEpoch", raw);
      doc.put("vocabulary", ((ReviewView) v).vocabulary().size());
    }
    if (view.equals(ImageView.NAME)) {
      doc.put("featureDim", ds.featureDim());
    }
    doc.put("heapUsedAfterGcBytes", heap);
    doc.put("kernels", Vectors.implementation());
    doc.put("java", Runtime.version().toString());
    JsonOutput.emit(doc, out, json);
    return 0;
  }

  /** The first n interactions of ds (with their content). */
  private static Dataset truncate(Dataset ds, int n) {
    Dataset.Builder b = new Dataset.Builder(ds.name() + " (first " + n + ")");
    int i = 0;
    for (Interaction x : ds.interactions()) {
      if (i++ >= n) {
        break;
      }
      b.add(ds.users().id(x.user()), ds.items().id(x.item()), x.stars(),
          x.hasReview() ? ds.reviewText(x.review()) : null, x.time());
    }
    return b.build();
  }

  /** ds limited to n interactions, with seeded random features of dimension f for every item. */
  private static Dataset withSyntheticFeatures(Dataset ds, int f, int n) {
    Dataset.Builder b = new Dataset.Builder(ds.name() + " + synthetic " + f + "-d features");
    int i = 0;
    for (Interaction x : ds.interactions()) {
      if (i++ >= n) {
        break;
      }
      b.add(ds.users().id(x.user()), ds.items().id(x.item()), x.stars(), null, x.time());
    }
    Rng rng = new Rng(42);
    for (int v = 0; v < ds.itemCount(); v++) {
      float[] feat = new float[f];
      for (int j = 0; j < f; j++) {
        // AlexNet fc7 features are ReLU outputs: sparse and non-negative.
        feat[j] = rng.nextFloat() < 0.3f ? rng.nextFloat() * 2f : 0f;
      }
      b.features(ds.items().id(v), feat);
    }
    return b.build();
  }
}
