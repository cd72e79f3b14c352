package io.jrlstream.ops;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.StreamOrder;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.eval.Metrics;
import io.jrlstream.core.experiment.Experiment;
import io.jrlstream.core.experiment.Prequential;
import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.report.PrequentialReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl evaluate}: the paper's offline protocol (§5.3) over several seeds, the same split trained as a stream,
 * or the prequential protocol over the whole stream (DESIGN.md §1 "Evaluation"); prints a table of mean ± std over
 * the seeds and optionally writes JSON and (prequential) an HTML report.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = {"Train and evaluate models with the paper's protocol: per-user seeded 70/30 split, "
          + "rank every item the user did not train on, top-10 NDCG, recall, hit ratio and precision.",
        "eJRL's per-view weights are chosen on a validation split carved from the training data.",
        "--protocol stream trains on the same split as a stream: once, in event-time order, through the streaming "
            + "trainer; --protocol both prints the two side by side; --shards N --sync-batches S simulates each view "
            + "trained as N tasks that merge their shared rows every S batches (docs/scaling.md).",
        "--protocol prequential runs the whole data set as a stream, test-then-train: before an event trains, its "
            + "item is ranked for its user among the items known so far that the user has not had (HR@10, "
            + "NDCG@10, overall and per window)."})
final class EvaluateCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Mixin
  DataOption data;

  @Option(names = "--models", split = ",",
      description = "Models among pop,bpr,review,rating,image,ejrl,jrl (default: pop,bpr,review,rating,ejrl); "
          + "prequential: among pop,recent-pop,bpr,review,rating,image,ejrl (default: pop,recent-pop,bpr,review,"
          + "rating,ejrl).")
  List<String> models;

  @Option(names = "--protocol", defaultValue = "offline", paramLabel = "P",
      description = "offline (the views' own epochs), stream (one pass in stream order through the streaming "
          + "trainer), both, or prequential (default: ${DEFAULT-VALUE}).")
  String protocol;

  @Option(names = "--window", defaultValue = "0", paramLabel = "N",
      description = "Prequential: events per window (default: the stream in 20 windows).")
  int window;

  @Option(names = "--warm-up", defaultValue = "-1", paramLabel = "N",
      description = "Prequential: first events left out of the totals (default: 10 %% of the stream).")
  long warmUp;

  @Option(names = "--sample-every", defaultValue = "1", paramLabel = "K",
      description = "Prequential: measure every K-th event only (by position; default ${DEFAULT-VALUE}: all).")
  int sampleEvery;

  @Option(names = "--half-life", defaultValue = "1000", paramLabel = "N",
      description = "Prequential: half-life in events of recent-pop's recency weighting (default ${DEFAULT-VALUE}).")
  double halfLife;

  @Option(names = "--limit", defaultValue = "0", paramLabel = "N",
      description = "Prequential: run the first N events of the stream only (default: all).")
  int limit;

  @Option(names = "--report", paramLabel = "DIR",
      description = "Prequential: write DIR/report.html (self-contained, plots inline as SVG) and a PNG of each plot.")
  Path report;

  @Option(names = "--synthetic-users", paramLabel = "N",
      description = "Without --data: the built-in synthetic data set with N users (20 events each; default 500).")
  Integer syntheticUsers;

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

  @Option(names = "--shards", split = ",", defaultValue = "1", paramLabel = "N[,N…]",
      description = "Stream protocol: train each view as N tasks partitioned by user, merging their shared rows "
          + "(the simulator of docs/scaling.md); a list runs each (default ${DEFAULT-VALUE}: one task, the plain "
          + "streaming trainer).")
  List<Integer> shards;

  @Option(names = "--sync-batches", split = ",", paramLabel = "S[,S…]",
      description = "Stream protocol with --shards above 1: a task's own mini-batches per merge round; a list runs "
          + "each (default " + ShardSettings.DEFAULT_SYNC_BATCHES + ").")
  List<Integer> syncBatches;

  @Option(names = "--sync-lag", paramLabel = "L",
      description = "Stream protocol with --shards above 1: rounds a task may run ahead of the last merge it "
          + "applied (default " + ShardSettings.DEFAULT_LAG + ").")
  Integer syncLag;

  @Option(names = "--sync-optimizer-state", arity = "1", paramLabel = "true|false",
      description = "Stream protocol with --shards above 1: whether the merge carries the shared rows' optimiser "
          + "state (AdaGrad's accumulator, Adam's moments) besides their values (default "
          + ShardSettings.DEFAULT_OPTIMIZER_STATE + ").")
  Boolean syncOptimizerState;

  @Option(names = "--sync-word-rounds", paramLabel = "K",
      description = "Stream protocol with --shards above 1: the review view's word rows merge every K-th round "
          + "only; 0 keeps each task's word vectors its own (default " + ShardSettings.DEFAULT_WORD_ROUNDS + ").")
  Integer syncWordRounds;

  @Option(names = "--sync-merge", split = ",", paramLabel = "sum|mean[,…]",
      description = "Stream protocol with --shards above 1: how a round's changes to one shared row combine: their "
          + "sum, or their mean over the tasks that changed it; a list runs each (default "
          + "mean).")
  List<String> syncMerge;

  @Option(names = "--sync-threshold", split = ",", paramLabel = "θ[,θ…]",
      description = "Stream protocol with --shards above 1: a task leaves a shared row out of its round delta while "
          + "its own change to the row is below θ times the row's norm, keeping the change until it has grown "
          + "(0: every changed row is sent); a list runs each (default " + ShardSettings.DEFAULT_THRESHOLD + ").")
  List<Float> syncThreshold;

  @Option(names = "--sync-max-held", paramLabel = "K",
      description = "Stream protocol with --sync-threshold above 0: a row held back K rounds is sent whatever its "
          + "change (default " + ShardSettings.DEFAULT_MAX_HELD + ").")
  Integer syncMaxHeld;

  @Option(names = "--sync-precision", split = ",", paramLabel = "float32|bf16[,…]",
      description = "Stream protocol with --shards above 1: how a round's delta carries the changes of item rows and "
          + "dense weights: exact 4-byte floats, or rounded to bfloat16 with error feedback (2 bytes); a list runs "
          + "each (default bf16).")
  List<String> syncPrecision;

  @Option(names = {"-q", "--quiet"}, description = "Print only the table.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Experiment.Protocol> protocols = switch (protocol.toLowerCase(Locale.ROOT)) {
      case "offline" -> List.of(Experiment.Protocol.OFFLINE);
      case "stream" -> List.of(Experiment.Protocol.STREAM);
      case "both" -> List.of(Experiment.Protocol.OFFLINE, Experiment.Protocol.STREAM);
      case "prequential" -> List.of();
      default -> throw new IllegalArgumentException("--protocol must be offline, stream, both or prequential, got '"
          + protocol + "'");
    };
    boolean prequential = protocols.isEmpty();
    if (report != null && !prequential) {
      throw new IllegalArgumentException("--report needs --protocol prequential");
    }
    if (syntheticUsers != null && data.file != null) {
      throw new IllegalArgumentException("--synthetic-users applies only without --data");
    }
    Dataset ds = syntheticUsers == null ? data.load(err) : synthetic(syntheticUsers, err);
    ModelConfig cfg = modelOptions.apply(ModelConfig.defaults()).fittedTo(ds);
    Progress progress = new Progress(err, quiet);
    if (prequential) {
      return prequential(ds, cfg, progress, out);
    }
    List<String> ms = models != null ? models : Experiment.DEFAULT_MODELS;
    Experiment.Options opts = Experiment.Options.defaults().withValidationOnly(validation).withJrlEpochs(jrlEpochs);
    if (threads != null) {
      opts = opts.withThreads(threads);
    }
    List<ShardSettings> grid = shardGrid(protocols);
    Experiment exp = new Experiment(ds, cfg, opts, progress);
    exp.check(ms);
    progress.message(String.format("%s: %d users, %d items, %d interactions (%d repeated (user, item) pairs, first "
        + "occurrence kept); views with data: %s", ds.name(), ds.userCount(), ds.itemCount(),
        ds.interactions().size(), ds.repeats(), String.join(",", exp.availableViews())));
    boolean sharding = grid.size() > 1 || grid.get(0).sharded();
    List<Map<String, Object>> rows = new ArrayList<>();
    for (ShardSettings sh : grid) {
      if (sharding) {
        progress.message(sh.sharded() ? String.format("stream protocol, %d shards, sync every %d batches, lag %d, "
            + "%s merge, optimiser state %s, words %s, threshold %s", sh.shards(), sh.syncBatches(), sh.lag(),
            sh.merge().label(), sh.optimizerState() ? "merged" : "local", sh.wordRounds() == 0 ? "local" : "every "
            + sh.wordRounds() + " round(s)", sh.threshold() > 0f ? sh.threshold() + " (held ≤ " + sh.maxHeld()
            + " rounds)" : "0") + ", " + sh.precision().label()
            : "stream protocol, one task");
      }
      List<Experiment.Run> runs = new Experiment(ds, cfg, opts.withSharding(sh), progress).run(ms, seeds, protocols);
      for (Map<String, Object> row : summarise(runs)) {
        if (row.get("protocol").equals(Experiment.Protocol.STREAM.label())) {
          row.put("shards", sh.shards());
          row.put("syncBatches", sh.sharded() ? sh.syncBatches() : null); // one task has no rounds
          row.put("syncLag", sh.sharded() ? sh.lag() : null);
          row.put("syncOptimizerState", sh.sharded() ? sh.optimizerState() : null);
          row.put("syncWordRounds", sh.sharded() ? sh.wordRounds() : null);
          row.put("syncMerge", sh.sharded() ? sh.merge().label() : null);
          row.put("syncThreshold", sh.sharded() ? sh.threshold() : null);
          row.put("syncMaxHeld", sh.sharded() && sh.threshold() > 0f ? sh.maxHeld() : null);
          row.put("syncPrecision", sh.sharded() ? sh.precision().label() : null);
        }
        rows.add(row);
      }
    }
    String order = StreamOrder.kind(ds.interactions()) == StreamOrder.Kind.EVENT_TIME ? "event-time" : "interleaved";
    out.printf("%n%s, %d seed(s)%s, top-%d, values in %%; %d repeated (user, item) pairs (first occurrence kept)%n",
        ds.name(), seeds.size(), validation ? ", VALIDATION split" : "", opts.k(), ds.repeats());
    if (protocols.size() == 2) {
      printSideBySide(out, rows);
    } else {
      if (protocols.get(0) == Experiment.Protocol.STREAM) {
        out.printf("stream protocol: the training part fed once in %s order through the streaming trainer%s%n", order,
            sharding ? "; each view as N tasks merging every S batches with lag L by rule M (N = 1: the plain "
                + "trainer)" : "");
      }
      String head = sharding ? String.format("%3s %5s %3s %4s %6s %7s ", "N", "S", "L", "M", "θ", "values") : "";
      out.printf("%s%-8s %16s %16s %16s %16s %9s%n", head, "model", "NDCG", "Recall", "HT", "Precision", "train s");
      for (Map<String, Object> r : rows) {
        @SuppressWarnings("unchecked")
        Map<String, Double> std = (Map<String, Double>) r.get("std");
        String cell = !sharding ? "" : String.format("%3s %5s %3s %4s %6s %7s ", r.get("shards"),
            r.get("syncBatches") == null ? "-" : r.get("syncBatches"),
            r.get("syncLag") == null ? "-" : r.get("syncLag"), r.get("syncMerge") == null ? "-" : r.get("syncMerge"),
            r.get("syncThreshold") == null ? "-" : r.get("syncThreshold"),
            r.get("syncPrecision") == null ? "-" : r.get("syncPrecision"));
        out.printf("%s%-8s %16s %16s %16s %16s %9.1f%n", cell, r.get("model"), pm(r, std, "ndcg"),
            pm(r, std, "recall"), pm(r, std, "hit"), pm(r, std, "precision"), (double) r.get("trainSeconds"));
      }
    }
    out.flush();
    if (json != null) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("data", ds.name());
      doc.put("seeds", seeds);
      doc.put("split", validation ? "validation" : "test");
      doc.put("protocols", protocols.stream().map(Experiment.Protocol::label).toList());
      doc.put("repeats", ds.repeats());
      if (protocols.contains(Experiment.Protocol.STREAM)) {
        doc.put("streamOrder", order);
      }
      doc.put("results", rows);
      JsonOutput.write(doc, json);
      progress.message("wrote " + json);
    }
    return 0;
  }

  /**
   * The sharding runs of a stream protocol: one task once, then every (N, S) of the lists for N above 1.
   *
   * @throws IllegalArgumentException when the sharding options are given for another protocol, or are invalid
   */
  private List<ShardSettings> shardGrid(List<Experiment.Protocol> protocols) {
    boolean asked = !shards.equals(List.of(1)) || syncBatches != null || syncLag != null || syncOptimizerState != null
        || syncWordRounds != null || syncMerge != null || syncThreshold != null || syncMaxHeld != null
        || syncPrecision != null;
    if (asked && !protocols.equals(List.of(Experiment.Protocol.STREAM))) {
      throw new IllegalArgumentException("--shards and the --sync-… options apply to --protocol stream only");
    }
    int words = syncWordRounds != null ? syncWordRounds : ShardSettings.DEFAULT_WORD_ROUNDS;
    List<Integer> ss = syncBatches != null ? syncBatches : List.of(ShardSettings.DEFAULT_SYNC_BATCHES);
    int lag = syncLag != null ? syncLag : ShardSettings.DEFAULT_LAG;
    boolean state = syncOptimizerState != null ? syncOptimizerState : ShardSettings.DEFAULT_OPTIMIZER_STATE;
    List<ShardSettings.Merge> merges = choices("--sync-merge", syncMerge, ShardSettings.DEFAULT_MERGE);
    int held = syncMaxHeld != null ? syncMaxHeld : ShardSettings.DEFAULT_MAX_HELD;
    List<Float> thresholds = syncThreshold != null ? syncThreshold : List.of(ShardSettings.DEFAULT_THRESHOLD);
    List<ShardSettings.Precision> precisions = choices("--sync-precision", syncPrecision,
        ShardSettings.DEFAULT_PRECISION);
    List<ShardSettings> grid = new ArrayList<>();
    for (ShardSettings.Merge merge : merges) {
      for (int n : shards) {
        for (int s : n == 1 ? ss.subList(0, 1) : ss) {
          for (float theta : n == 1 ? thresholds.subList(0, 1) : thresholds) {
            for (ShardSettings.Precision p : n == 1 ? precisions.subList(0, 1) : precisions) {
              ShardSettings cell = n == 1 ? ShardSettings.single()
                  : new ShardSettings(n, s, lag, state, words, merge, theta, held, p);
              if (!grid.contains(cell)) {
                grid.add(cell);
              }
            }
          }
        }
      }
    }
    return grid;
  }

  /**
   * The constants of {@code option}'s list, named in any case ({@code given} null: the default alone).
   *
   * @throws IllegalArgumentException naming the option and its choices for a name that is none of them
   */
  private static <E extends Enum<E>> List<E> choices(String option, List<String> given, E defaultValue) {
    if (given == null) {
      return List.of(defaultValue);
    }
    Class<E> type = defaultValue.getDeclaringClass();
    List<E> out = new ArrayList<>();
    for (String name : given) {
      try {
        out.add(Enum.valueOf(type, name.strip().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT))
            .toList();
        throw new IllegalArgumentException(option + " must be " + String.join(" or ", names) + ", got '" + name
            + "'", e);
      }
    }
    return out;
  }

  private static Dataset synthetic(int users, PrintWriter err) {
    Dataset d = SyntheticData.generate(SyntheticSpec.defaults().withUsers(users), 1L);
    err.println("no --data: the built-in synthetic data set with " + users + " users (" + d.interactions().size()
        + " interactions)");
    return d;
  }

  /** Offline and stream rows of each model on one line, with the stream's share of the offline NDCG. */
  private static void printSideBySide(PrintWriter out, List<Map<String, Object>> rows) {
    out.printf("%-8s %16s %16s %7s %16s %16s %9s %9s%n", "model", "offline NDCG", "stream NDCG", "ratio",
        "offline HT", "stream HT", "off. s", "stream s");
    for (Map<String, Object> off : rows) {
      if (!off.get("protocol").equals("offline")) {
        continue;
      }
      Map<String, Object> st = rows.stream().filter(r -> r.get("protocol").equals("stream")
          && r.get("model").equals(off.get("model"))).findFirst().orElse(null);
      @SuppressWarnings("unchecked")
      Map<String, Double> offStd = (Map<String, Double>) off.get("std");
      String stNdcg = "-";
      String stHit = "-";
      String ratio = "-";
      String stSecs = "-";
      if (st != null) {
        @SuppressWarnings("unchecked")
        Map<String, Double> stStd = (Map<String, Double>) st.get("std");
        stNdcg = pm(st, stStd, "ndcg");
        stHit = pm(st, stStd, "hit");
        double o = (double) off.get("ndcg");
        ratio = o > 0 ? String.format(Locale.ROOT, "%.3f", (double) st.get("ndcg") / o) : "-";
        stSecs = String.format(Locale.ROOT, "%.1f", (double) st.get("trainSeconds"));
      }
      out.printf("%-8s %16s %16s %7s %16s %16s %9.1f %9s%n", off.get("model"), pm(off, offStd, "ndcg"), stNdcg, ratio,
          pm(off, offStd, "hit"), stHit, (double) off.get("trainSeconds"), stSecs);
    }
  }

  private int prequential(Dataset ds, ModelConfig cfg, Progress progress, PrintWriter out) throws Exception {
    List<String> ms = models != null ? models : Prequential.DEFAULT_MODELS;
    Prequential.Options opts = Prequential.Options.defaults().withWindow(window).withWarmUp(warmUp)
        .withSampleEvery(sampleEvery).withHalfLife(halfLife).withLimit(limit);
    Prequential pq = new Prequential(ds, cfg, opts, progress);
    pq.check(ms);
    progress.message(String.format("%s: %d users, %d items, %d interactions (%d repeated (user, item) pairs)",
        ds.name(), ds.userCount(), ds.itemCount(), ds.interactions().size(), ds.repeats()));
    List<Prequential.Result> results = pq.run(ms, seeds);
    Map<String, Object> doc = PrequentialJson.document(ds, seeds, results);
    Prequential.Result first = results.get(0);
    out.printf("%n%s, prequential (test-then-train), %d seed(s), %d events in %s order, top-%d, values in %%%n",
        ds.name(), seeds.size(), first.events(), first.order() == StreamOrder.Kind.EVENT_TIME ? "event-time"
            : "interleaved", opts.k());
    out.printf("totals leave out the first %d events (warm-up); windows of %d events; %s; recent-pop half-life %.0f "
        + "events%n", first.warmUp(), first.window(), Prequential.sampled(first.sampleEvery()), first.halfLife());
    out.printf("after the warm-up (seed %d): %d events measured, %d repeats skipped, %d first events of a user "
        + "skipped, %d first events of an item (misses)%n", first.seed(), first.measured(), first.repeats(),
        first.coldUsers(), first.newItems());
    out.printf("%-10s %16s %16s %9s %14s%n", "model", "NDCG@10", "HR@10", "ranked", "CPU µs/ranked");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) doc.get("results");
    for (Map<String, Object> r : rows) {
      @SuppressWarnings("unchecked")
      Map<String, Double> std = (Map<String, Double>) r.get("std");
      out.printf("%-10s %16s %16s %9d %14.1f%n", r.get("model"), pm(r, std, "ndcg"), pm(r, std, "hit"),
          (long) r.get("ranked"), (double) r.get("microsPerRanked"));
    }
    out.printf("run time per seed: %s s wall, %s s CPU; training CPU time per view (seed %d): %s%n",
        Arrays.toString(results.stream().mapToDouble(r -> Math.round(r.seconds() * 10) / 10.0).toArray()),
        Arrays.toString(results.stream().mapToDouble(r -> Math.round(r.cpuSeconds() * 10) / 10.0).toArray()),
        first.seed(),
        first.trainSeconds().entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(),
            e.getValue())).toList());
    out.flush();
    if (json != null) {
      JsonOutput.write(doc, json);
      progress.message("wrote " + json);
    }
    if (report != null) {
      Path html = PrequentialReport.write(report, ds.name(), results);
      progress.message("wrote " + html + " and its plots as PNG");
    }
    return 0;
  }

  private static String pm(Map<String, Object> r, Map<String, Double> std, String key) {
    return String.format("%6.3f ± %5.3f", 100 * (double) r.get(key), 100 * std.get(key));
  }

  /** Mean and std (population over seeds) per protocol and model, metrics as fractions. */
  static List<Map<String, Object>> summarise(List<Experiment.Run> runs) {
    Map<String, List<Experiment.Run>> byModel = new LinkedHashMap<>();
    for (Experiment.Run r : runs) {
      byModel.computeIfAbsent(r.protocol().label() + "/" + r.model(), k -> new ArrayList<>()).add(r);
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (List<Experiment.Run> rs : byModel.values()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("model", rs.get(0).model());
      row.put("protocol", rs.get(0).protocol().label());
      Map<String, Double> std = new LinkedHashMap<>();
      for (String m : List.of("ndcg", "recall", "hit", "precision")) {
        double[] v = rs.stream().mapToDouble(r -> metric(r.metrics(), m)).toArray();
        row.put(m, MeanStd.mean(v));
        std.put(m, MeanStd.std(v));
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
