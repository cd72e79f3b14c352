package io.jrlstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.bench.serve.LoadClient;
import io.jrlstream.core.eval.TopN;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.serve.ItemIndex;
import io.jrlstream.core.serve.LocalQueryService;
import io.jrlstream.core.serve.Popularity;
import io.jrlstream.core.serve.Query;
import io.jrlstream.core.serve.Recommendations;
import io.jrlstream.core.serve.Recommender;
import io.jrlstream.core.serve.UserProfile;
import io.jrlstream.ops.Jrl;
import io.jrlstream.ops.JsonOutput;
import io.jrlstream.ops.kafka.ChildJvm;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.ops.serve.ServeServer;
import io.jrlstream.streams.serve.HnswIndex;
import io.jrlstream.streams.serve.ServeSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl bench serve}: exact top-N latency of the serving index on synthetic vectors with planted
 * clusters: in-process at the Beauty scale (12,101 items, review/image/rating views at K=300) against a
 * reference in the same run (the same scores over one array per item, the layout of a naive index; its
 * answers must equal the index's), then over HTTP on loopback from a load client in a separate JVM
 * ({@code jrl bench load}), then in-process at 1,000,000 items (one view by default: 1.2 GB at K=300).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Serving latency: exact top-N in-process and over HTTP (separate load-client JVM), and at 1M items.")
final class ServeBenchCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--items", defaultValue = "12101", description = "Items at the Beauty scale (default "
      + "${DEFAULT-VALUE}).")
  int items;

  @Option(names = "--users", defaultValue = "22363", description = "Users (default ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--views", split = ",", defaultValue = "review,image,rating", description = "Views (default "
      + "${DEFAULT-VALUE}).")
  List<String> views;

  @Option(names = "--dim", defaultValue = "300", description = "Dimension K of every view (default ${DEFAULT-VALUE}).")
  int dim;

  @Option(names = "--history", defaultValue = "9", description = "Interacted (excluded) items per user (default "
      + "${DEFAULT-VALUE}).")
  int history;

  @Option(names = "--n", defaultValue = "10", description = "Top-n (default ${DEFAULT-VALUE}).")
  int n;

  @Option(names = "--queries", defaultValue = "3000", description = "Measured in-process queries (default "
      + "${DEFAULT-VALUE}).")
  int queries;

  @Option(names = "--http-seconds", defaultValue = "10", description = "Measured seconds of the HTTP load (0: skip; "
      + "default ${DEFAULT-VALUE}).")
  double httpSeconds;

  @Option(names = "--http-concurrency", defaultValue = "4", description = "Load-client threads (default "
      + "${DEFAULT-VALUE}).")
  int httpConcurrency;

  @Option(names = "--http-threads", defaultValue = "2", description = "Server worker threads (default "
      + "${DEFAULT-VALUE}).")
  int httpThreads;

  @Option(names = "--large-items", defaultValue = "1000000", description = "Items of the large index (0: skip; "
      + "default ${DEFAULT-VALUE}).")
  int largeItems;

  @Option(names = "--large-views", defaultValue = "1", description = "Views of the large index (default "
      + "${DEFAULT-VALUE}).")
  int largeViews;

  @Option(names = "--large-queries", defaultValue = "100", description = "Measured queries at the large scale "
      + "(default ${DEFAULT-VALUE}).")
  int largeQueries;

  @Option(names = "--freshness-probes", defaultValue = "20",
      description = "Freshness probes through a broker, trainer and serving (0: skip; default ${DEFAULT-VALUE}).")
  int freshnessProbes;

  @Option(names = "--work-dir", description = "Broker and state of the freshness run (default: a temporary folder).")
  Path workDir;

  @Option(names = "--ann", description = "Also build the approximate (HNSW) index at the large scale and report "
      + "its latency and recall@n against exact (minutes at 1M items on 2 cores).")
  boolean ann;

  @Option(names = "--hnsw-m", defaultValue = "16", description = "HNSW neighbours per node (default ${DEFAULT-VALUE}).")
  int hnswM;

  @Option(names = "--hnsw-beam", defaultValue = "100", description = "HNSW beam width while building (default "
      + "${DEFAULT-VALUE}).")
  int hnswBeam;

  @Option(names = "--hnsw-ef", split = ",", defaultValue = "50,100,200",
      description = "HNSW candidates per query, one measurement each (default ${DEFAULT-VALUE}).")
  List<Integer> hnswEf;

  @Option(names = "--hnsw-threads", defaultValue = "1", description = "HNSW build threads (Lucene's concurrent "
      + "builder above 1; "
      + "2 was slower than 1 on the loaded 2-core machine; default ${DEFAULT-VALUE}).")
  int hnswThreads;

  @Option(names = "--hnsw-lucene-scorer", description = "Build and search HNSW with Lucene's own inner product "
      + "(scalar on Java 17) instead of the project's SIMD Vectors.dot: the reference for build times.")
  boolean hnswLuceneScorer;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the synthetic vectors (default "
      + "${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--json", paramLabel = "OUT", description = "Also write the figures to OUT.")
  Path json;

  private static final int CLUSTERS = 64;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "kernels",
        Vectors.implementation(), "java", Runtime.version().toString(), "maxHeapMiB",
        Runtime.getRuntime().maxMemory() >> 20));

    err.printf("building the index: %d items x %s at K=%d%n", items, views, dim);
    err.flush();
    Synthetic beauty = new Synthetic(views, dim, items, users, history, seed);
    LocalQueryService service = beauty.service(n);
    doc.put("beauty", inProcess(beauty, service, err));
    doc.put("beautyScans", scans(beauty, queries, err));

    if (httpSeconds > 0) {
      doc.put("http", http(service, err));
    }
    if (freshnessProbes > 0) {
      Path work = workDir != null ? workDir : Files.createTempDirectory("jrl-bench-serve");
      try {
        doc.put("freshness", ServeFreshness.measure(work, freshnessProbes, 100, err));
      } finally {
        if (workDir == null) {
          TempDirs.delete(work);
        }
      }
    }
    if (largeItems > 0) {
      List<String> lv = views.subList(0, Math.min(largeViews, views.size()));
      err.printf("building the large index: %d items x %s at K=%d%n", largeItems, lv, dim);
      err.flush();
      beauty = null;
      service = null;
      Synthetic large = new Synthetic(lv, dim, largeItems, 1000, history, seed + 1);
      doc.put("large", exact(large, large.service(n), largeQueries, Math.max(5, largeQueries / 10)));
      doc.put("largeScans", scans(large, largeQueries, err));
      if (ann) {
        doc.put("largeApproximate", approximate(large, err));
      }
    }
    JsonOutput.emit(doc, spec.commandLine().getOut(), json);
    return 0;
  }

  private Map<String, Object> inProcess(Synthetic s, LocalQueryService service, PrintWriter err) {
    Map<String, Object> out = exact(s, service, queries, Math.max(200, queries / 5));
    // Reference in the same run: the same eJRL scores over one array per item (a naive layout) + TopN.
    int checks = Math.min(200, queries);
    int mismatches = 0;
    long[] refNanos = new long[queries];
    float[] scores = new float[s.items];
    int[] top = new int[n];
    int[] ex = new int[history];
    for (int q = 0; q < queries + 200; q++) {
      int u = (int) ((q * 7919L) % s.users);
      long t0 = System.nanoTime();
      Arrays.fill(scores, 0f);
      for (int k = 0; k < s.views.size(); k++) {
        float[] uv = s.userVectors[k][u];
        float[][] rows = s.itemRows[k];
        for (int v = 0; v < s.items; v++) {
          scores[v] += Vectors.dot(uv, 0, rows[v], 0, s.dim);
        }
      }
      for (int h = 0; h < history; h++) {
        ex[h] = s.history[u][h];
      }
      Arrays.sort(ex);
      int got = TopN.select(scores, s.items, ex, 0, history, n, top);
      long t1 = System.nanoTime();
      if (q >= 200) {
        refNanos[q - 200] = t1 - t0;
      } else if (q < checks) {
        Recommendations r = service.recommend("u" + u, Query.of(n, null, null, service.settings()), false);
        for (int i = 0; i < got; i++) {
          if (!r.items().get(i).item().equals("i" + top[i])) {
            mismatches++;
            break;
          }
        }
      }
    }
    Arrays.sort(refNanos);
    out.put("reference", Map.of("layout", "one float[] per item", "p50Ms", LoadClient.percentile(refNanos, 0.5) / 1e6,
        "p99Ms", LoadClient.percentile(refNanos, 0.99) / 1e6));
    out.put("answersDifferingFromReference", mismatches + " of " + checks);
    err.printf("in-process: p50 %.3f ms, p99 %.3f ms (reference p50 %.3f ms)%n", (double) out.get("p50Ms"),
        (double) out.get("p99Ms"), LoadClient.percentile(refNanos, 0.5) / 1e6);
    err.flush();
    return out;
  }

  /**
   * The index's two-pass scan (8-bit first pass, float re-scoring; what serving uses) against its float full
   * scan, interleaved query by query on one thread after a warm-up, with the answers compared in full.
   */
  private Map<String, Object> scans(Synthetic s, int measured, PrintWriter err) {
    int views = s.views.size();
    float[] weights = new float[views];
    Arrays.fill(weights, 1f);
    int warm = Math.max(5, measured / 5);
    long[] twoPass = new long[measured];
    long[] full = new long[measured];
    int differing = 0;
    for (int i = 0; i < warm + measured; i++) {
      int u = (int) ((i * 104729L) % s.users);
      float[][] q = new float[views][];
      for (int k = 0; k < views; k++) {
        q[k] = s.userVectors[k][u];
      }
      Set<String> excluded = new HashSet<>(s.profiles.get("u" + u).interacted());
      long a = System.nanoTime();
      List<ItemIndex.Hit> fast = s.index.topN(q, weights, excluded, n);
      long b = System.nanoTime();
      List<ItemIndex.Hit> slow = s.index.topNFullScan(q, weights, excluded, n);
      long c = System.nanoTime();
      if (i >= warm) {
        twoPass[i - warm] = b - a;
        full[i - warm] = c - b;
        boolean same = fast.size() == slow.size();
        for (int j = 0; same && j < fast.size(); j++) {
          same = fast.get(j).itemId().equals(slow.get(j).itemId()) && fast.get(j).score() == slow.get(j).score();
        }
        differing += same ? 0 : 1;
      }
    }
    Arrays.sort(twoPass);
    Arrays.sort(full);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", s.items);
    out.put("queries", measured);
    out.put("twoPass", Map.of("p50Ms", LoadClient.percentile(twoPass, 0.5) / 1e6,
        "p99Ms", LoadClient.percentile(twoPass, 0.99) / 1e6, "bytesPerItem", s.dim * views + 4 + 4 * views));
    out.put("fullScan", Map.of("p50Ms", LoadClient.percentile(full, 0.5) / 1e6,
        "p99Ms", LoadClient.percentile(full, 0.99) / 1e6, "bytesPerItem", 4 * s.dim * views));
    out.put("answersDiffering", differing + " of " + measured);
    out.put("meanItemsRescored", s.index.meanRescored());
    err.printf("%d items, index scans: two-pass p50 %.3f ms p99 %.3f ms; float full scan p50 %.3f ms p99 %.3f ms;"
        + " answers differing %d of %d; items re-scored per query "
        + "%.1f%n", s.items, LoadClient.percentile(twoPass, 0.5) / 1e6,
        LoadClient.percentile(twoPass, 0.99) / 1e6, LoadClient.percentile(full, 0.5) / 1e6,
        LoadClient.percentile(full, 0.99) / 1e6, differing, measured, s.index.meanRescored());
    err.flush();
    return out;
  }

  /** Latency of {@code measured} single-thread queries after {@code warm} warm-up queries. */
  private Map<String, Object> exact(Synthetic s, LocalQueryService service, int measured, int warm) {
    Query q = Query.of(n, null, null, service.settings());
    long[] nanos = new long[measured];
    for (int i = 0; i < warm + measured; i++) {
      String user = "u" + (int) ((i * 104729L) % s.users);
      long t0 = System.nanoTime();
      Recommendations r = service.recommend(user, q, false);
      long t1 = System.nanoTime();
      if (r.items().size() != n) {
        throw new IllegalStateException("expected " + n + " items, got " + r.items().size());
      }
      if (i >= warm) {
        nanos[i - warm] = t1 - t0;
      }
    }
    Arrays.sort(nanos);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", s.items);
    out.put("views", s.views);
    out.put("dim", s.dim);
    out.put("n", n);
    out.put("queries", measured);
    out.put("p50Ms", LoadClient.percentile(nanos, 0.5) / 1e6);
    out.put("p99Ms", LoadClient.percentile(nanos, 0.99) / 1e6);
    out.put("indexMiB", (long) s.items * s.dim * s.views.size() * 4 >> 20);
    return out;
  }

  /** HNSW over the large index: build time, then per ef latency and recall@n against the exact answers. */
  private Map<String, Object> approximate(Synthetic s, PrintWriter err) {
    err.printf("building HNSW (M=%d, beam %d, %s scorer, %d threads) over %d items%n", hnswM, hnswBeam,
        hnswLuceneScorer ? "lucene" : "Vectors.dot", hnswThreads, s.items);
    err.flush();
    long t0 = System.nanoTime();
    HnswIndex hnsw = HnswIndex.build(s.index, s.views, hnswM, hnswBeam, seed, hnswLuceneScorer, hnswThreads);
    double buildSecs = (System.nanoTime() - t0) / 1e9;
    err.printf("HNSW built in %.1f s%n", buildSecs);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("library", "lucene-core HnswGraphBuilder (maximum inner product, views concatenated)");
    out.put("scorer", hnswLuceneScorer ? "lucene" : "Vectors.dot");
    out.put("buildThreads", hnswThreads);
    out.put("m", hnswM);
    out.put("beamWidth", hnswBeam);
    out.put("buildSeconds", buildSecs);
    int views = s.views.size();
    float[] weights = new float[views];
    Arrays.fill(weights, 1f);
    List<Map<String, Object>> runs = new ArrayList<>();
    for (int ef : hnswEf) {
      long[] nanos = new long[largeQueries];
      double recall = 0;
      for (int i = 0; i < largeQueries + 5; i++) {
        int u = (int) ((i * 104729L) % s.users);
        float[][] q = new float[views][];
        for (int k = 0; k < views; k++) {
          q[k] = s.userVectors[k][u];
        }
        List<String> excluded = s.profiles.get("u" + u).interacted();
        long a = System.nanoTime();
        List<String> got = hnsw.topN(q, weights, new HashSet<>(excluded), n, ef);
        long b = System.nanoTime();
        if (i >= 5) {
          nanos[i - 5] = b - a;
          List<String> exact = s.index.topN(q, weights, new HashSet<>(excluded), n).stream()
              .map(ItemIndex.Hit::itemId).toList();
          recall += got.stream().filter(exact::contains).count() / (double) exact.size();
        }
      }
      Arrays.sort(nanos);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("ef", ef);
      r.put("p50Ms", LoadClient.percentile(nanos, 0.5) / 1e6);
      r.put("p99Ms", LoadClient.percentile(nanos, 0.99) / 1e6);
      r.put("recallAtN", recall / largeQueries);
      runs.add(r);
      err.printf("HNSW ef=%d: p50 %.3f ms, p99 %.3f ms, recall@%d %.3f%n", ef, (double) r.get("p50Ms"),
          (double) r.get("p99Ms"), n, recall / largeQueries);
      err.flush();
    }
    out.put("runs", runs);
    return out;
  }

  private Map<String, Object> http(LocalQueryService service, PrintWriter err) throws Exception {
    try (ServeServer server = ServeServer.bind(HttpSettings.loopback().withThreads(httpThreads)).start(service)) {
      Path logs = Files.createTempDirectory("jrl-load");
      err.printf("HTTP: load client JVM -> %s, %d client threads, %d server threads, %.0f s%n", server.url(),
          httpConcurrency, httpThreads, httpSeconds);
      err.flush();
      long cpu0 = LoadClient.processCpuNanos();
      try (ChildJvm load = ChildJvm.start(Jrl.class, logs, List.of("-Xmx256m", "-XX:+UseSerialGC"),
          List.of("bench", "load", "--url", server.url(), "--users", Integer.toString(users),
              "--n", Integer.toString(n),
              "--concurrency", Integer.toString(httpConcurrency), "--duration", Double.toString(httpSeconds),
              "--warmup", "3"))) {
        var code = load.waitFor(Duration.ofSeconds((long) httpSeconds + 120));
        String text = Files.readString(load.stdout());
        if (code.isEmpty() || code.getAsInt() != 0) {
          throw new IllegalStateException("load client failed (" + code + "): " + text
              + Files.readString(load.stderr()));
        }
        JsonNode r = new ObjectMapper().readTree(text);
        Map<String, Object> out = new LinkedHashMap<>();
        r.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNumber() ? e.getValue().numberValue()
            : e.getValue().asText()));
        out.put("serverThreads", httpThreads);
        // This JVM does nothing else while the client runs: its CPU time is the server's.
        out.put("serverCpuMsPerRequest", (LoadClient.processCpuNanos() - cpu0) / 1e6 / Math.max(1,
            r.path("sent").asLong()));
        err.printf("HTTP: %.0f queries/s, p50 %.3f ms, p99 %.3f ms; CPU per request: server %.3f ms, client %.3f ms%n",
            r.path("qps").asDouble(), r.path("p50Ms").asDouble(), r.path("p99Ms").asDouble(),
            (double) out.get("serverCpuMsPerRequest"), r.path("clientCpuMsPerRequest").asDouble());
        err.flush();
        return out;
      } finally {
        TempDirs.delete(logs);
      }
    }
  }

  /** Synthetic item and user vectors with planted clusters; users "u<i>", items "i<v>". */
  private static final class Synthetic {
    final List<String> views;
    final int dim;
    final int items;
    final int users;
    final float[][][] itemRows;
    final float[][][] userVectors;
    final int[][] history;
    final ItemIndex index;
    final Map<String, UserProfile> profiles = new HashMap<>();

    Synthetic(List<String> views, int dim, int items, int users, int historyLength, long seed) {
      this.views = List.copyOf(views);
      this.dim = dim;
      this.items = items;
      this.users = users;
      Rng rng = new Rng(seed);
      index = new ItemIndex(views);
      index.reserve(items);
      boolean keepRows = items <= 100_000; // the reference layout, at the small scale only
      itemRows = new float[views.size()][][];
      userVectors = new float[views.size()][users][];
      float[] row = new float[dim];
      for (int k = 0; k < views.size(); k++) {
        float[][] centroids = new float[CLUSTERS][];
        for (int c = 0; c < CLUSTERS; c++) {
          centroids[c] = gaussian(rng, dim, 1f / (float) Math.sqrt(dim), null);
        }
        itemRows[k] = keepRows ? new float[items][] : null;
        for (int v = 0; v < items; v++) {
          float[] c = centroids[rng.nextInt(CLUSTERS)];
          float[] x = keepRows ? new float[dim] : row;
          gaussian(rng, dim, 0.5f / (float) Math.sqrt(dim), x);
          Vectors.axpy(1f, c, x);
          if (keepRows) {
            itemRows[k][v] = x;
          }
          index.upsert(k, "i" + v, x, 0);
        }
        for (int u = 0; u < users; u++) {
          float[] x = gaussian(rng, dim, 0.5f / (float) Math.sqrt(dim), null);
          Vectors.axpy(1f, centroids[rng.nextInt(CLUSTERS)], x);
          userVectors[k][u] = x;
        }
        index.markInitialised(k);
      }
      history = new int[users][historyLength];
      long now = System.currentTimeMillis();
      for (int u = 0; u < users; u++) {
        List<String> seen = new ArrayList<>();
        for (int h = 0; h < historyLength; h++) {
          history[u][h] = rng.nextInt(items);
          seen.add("i" + history[u][h]);
        }
        Map<String, UserProfile.UserVector> vs = new HashMap<>();
        for (int k = 0; k < views.size(); k++) {
          vs.put(views.get(k), new UserProfile.UserVector(userVectors[k][u], 1, now));
        }
        profiles.put("u" + u, new UserProfile(vs, seen));
      }
    }

    LocalQueryService service(int n) {
      ServeSettings settings = ServeSettings.defaults(views);
      Recommender r = new Recommender(index, new Popularity(), "bench", Clock.systemUTC());
      return new LocalQueryService(settings, r, u -> profiles.getOrDefault(u, UserProfile.unknown()));
    }

    private static float[] gaussian(Rng rng, int dim, float scale, float[] out) {
      float[] x = out != null ? out : new float[dim];
      for (int i = 0; i < dim; i++) {
        // Sum of uniforms: close enough to normal for synthetic clusters, and cheap.
        x[i] = (rng.nextFloat() + rng.nextFloat() + rng.nextFloat() - 1.5f) * 2f * scale;
      }
      return x;
    }
  }
}
