package io.jrlstream.ops;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.eval.Metrics;
import io.jrlstream.core.experiment.Experiment;
import io.jrlstream.core.view.ModelConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl evaluate}: the paper's offline protocol (§5.3) over several seeds, printing a table of
 * mean ± std and optionally writing JSON.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = {"Train and evaluate models offline with the paper's protocol: per-user seeded 70/30 split, "
        + "rank every item the user did not train on, top-10 NDCG, recall, hit ratio and precision.",
        "eJRL's per-view weights are chosen on a validation split carved from the training data."})
final class EvaluateCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Mixin
  DataOption data;

  @Option(names = "--models", split = ",", defaultValue = "pop,bpr,review,rating,ejrl",
      description = "Models among pop,bpr,review,rating,image,ejrl,jrl (default: ${DEFAULT-VALUE}).")
  List<String> models;

  @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "Split and training seeds.")
  List<Long> seeds;

  @Mixin
  ModelOptions modelOptions;

  @Option(names = "--threads", description = "Threads (default: all cores).")
  Integer threads;

  @Option(names = "--validation", description = "Evaluate on a validation split carved from the training data "
      + "(for tuning; the test split is never used).")
  boolean validation;

  @Option(names = "--json", paramLabel = "OUT", description = "Write the results as JSON to OUT.")
  Path json;

  @Option(names = "--jrl-epochs", defaultValue = "30",
      description = "Epochs of the joint JRL objective (default ${DEFAULT-VALUE}).")
  int jrlEpochs;

  @Option(names = {"-q", "--quiet"}, description = "Print only the table.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Dataset ds = data.load(err);
    ModelConfig cfg = modelOptions.apply(ModelConfig.defaults()).fittedTo(ds);
    Experiment.Options opts = Experiment.Options.defaults().withValidationOnly(validation).withJrlEpochs(jrlEpochs);
    if (threads != null) {
      opts = opts.withThreads(threads);
    }
    Progress progress = new Progress(err, quiet);
    Experiment exp = new Experiment(ds, cfg, opts, progress);
    exp.check(models);
    progress.message(String.format("%s: %d users, %d items, %d interactions; views with data: %s", ds.name(),
        ds.userCount(), ds.itemCount(), ds.interactions().size(), String.join(",", exp.availableViews())));
    List<Experiment.Run> runs = exp.run(models, seeds);
    List<Map<String, Object>> rows = summarise(runs);
    out.printf("%n%s, %d seed(s)%s, top-%d, values in %%%n", ds.name(), seeds.size(),
        validation ? ", VALIDATION split" : "", opts.k());
    out.printf("%-8s %16s %16s %16s %16s %9s%n", "model", "NDCG", "Recall", "HT", "Precision", "train s");
    for (Map<String, Object> r : rows) {
      @SuppressWarnings("unchecked")
      Map<String, Double> std = (Map<String, Double>) r.get("std");
      out.printf("%-8s %16s %16s %16s %16s %9.1f%n", r.get("model"), pm(r, std, "ndcg"), pm(r, std, "recall"),
          pm(r, std, "hit"), pm(r, std, "precision"), (double) r.get("trainSeconds"));
    }
    out.flush();
    if (json != null) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("data", ds.name());
      doc.put("seeds", seeds);
      doc.put("split", validation ? "validation" : "test");
      doc.put("results", rows);
      JsonOutput.write(doc, json);
      progress.message("wrote " + json);
    }
    return 0;
  }

  private static String pm(Map<String, Object> r, Map<String, Double> std, String key) {
    return String.format("%6.3f ± %5.3f", 100 * (double) r.get(key), 100 * std.get(key));
  }

  /** Mean and std (population over seeds) per model, metrics as fractions. */
  static List<Map<String, Object>> summarise(List<Experiment.Run> runs) {
    Map<String, List<Experiment.Run>> byModel = new LinkedHashMap<>();
    for (Experiment.Run r : runs) {
      byModel.computeIfAbsent(r.model(), k -> new ArrayList<>()).add(r);
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map.Entry<String, List<Experiment.Run>> e : byModel.entrySet()) {
      List<Experiment.Run> rs = e.getValue();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("model", e.getKey());
      Map<String, Double> std = new LinkedHashMap<>();
      for (String m : List.of("ndcg", "recall", "hit", "precision")) {
        double[] v = rs.stream().mapToDouble(r -> metric(r.metrics(), m)).toArray();
        double mean = java.util.Arrays.stream(v).average().orElse(0);
        double var = java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).average().orElse(0);
        row.put(m, mean);
        std.put(m, Math.sqrt(var));
      }
      row.put("std", std);
      row.put("users", rs.get(0).metrics().users());
      row.put("trainSeconds", rs.stream().mapToDouble(Experiment.Run::trainSeconds).average().orElse(0));
      if (!rs.get(0).weights().isEmpty()) {
        row.put("weights", rs.stream().map(Experiment.Run::weights).toList());
      }
      rows.add(row);
    }
    return rows;
  }

  private static double metric(Metrics m, String name) {
    return switch (name) {
      case "ndcg" -> m.ndcg();
      case "recall" -> m.recall();
      case "hit" -> m.hit();
      default -> m.precision();
    };
  }

  /** Prints training progress and experiment messages to stderr. */
  static final class Progress implements Experiment.Progress {
    private final PrintWriter err;
    private final boolean quiet;

    Progress(PrintWriter err, boolean quiet) {
      this.err = err;
      this.quiet = quiet;
    }

    @Override
    public synchronized void message(String line) {
      if (!quiet) {
        err.println(line);
        err.flush();
      }
    }

    @Override
    public void epoch(String view, int epoch, int epochs, double meanLoss, long interactions, double seconds) {
      // About ten lines per view and run: the first epoch, every tenth of the run, the last.
      if (epoch != 1 && epoch != epochs && epoch % Math.max(1, epochs / 10) != 0) {
        return;
      }
      message(String.format("  %-13s epoch %3d/%-3d loss %9.4f  %8.0f interactions/s  %.2f s", view, epoch, epochs,
          meanLoss, interactions / Math.max(1e-9, seconds), seconds));
    }
  }
}
