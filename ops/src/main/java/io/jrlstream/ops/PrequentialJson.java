package io.jrlstream.ops;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.StreamOrder;
import io.jrlstream.core.experiment.Prequential;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON document of {@code jrl evaluate --protocol prequential}: one row per model (mean, std and median over
 * the seeds, with each seed's value) and each seed's run with its window series. Figures are fractions; a window
 * without a value (nothing ranked, no mini-batch completed) is null.
 */
final class PrequentialJson {
  private PrequentialJson() {}

  static Map<String, Object> document(Dataset ds, List<Long> seeds, List<Prequential.Result> results) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("data", ds.name());
    doc.put("protocol", "prequential");
    doc.put("seeds", seeds);
    doc.put("repeats", ds.repeats());
    Prequential.Result first = results.get(0);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("order", order(first));
    settings.put("events", first.events());
    settings.put("window", first.window());
    settings.put("warmUp", first.warmUp());
    settings.put("sampleEvery", first.sampleEvery());
    settings.put("recentPopHalfLife", first.halfLife());
    doc.put("settings", settings);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < first.models().size(); i++) {
      int at = i;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("model", first.models().get(i).model());
      row.put("protocol", "prequential");
      Map<String, Double> std = new LinkedHashMap<>();
      Map<String, Double> median = new LinkedHashMap<>();
      for (String m : List.of("ndcg", "hit")) {
        double[] v = results.stream().mapToDouble(r -> m.equals("ndcg") ? r.models().get(at).ndcg()
            : r.models().get(at).hitRate()).toArray();
        row.put(m, MeanStd.mean(v));
        std.put(m, MeanStd.std(v));
        median.put(m, MeanStd.median(v));
      }
      row.put("std", std);
      row.put("median", median);
      row.put("ranked", first.models().get(i).ranked());
      row.put("microsPerRanked", MeanStd.median(results.stream().mapToDouble(r -> r.models().get(at)
          .microsPerRanked()).toArray()));
      List<Map<String, Object>> perSeed = new ArrayList<>();
      for (Prequential.Result r : results) {
        Prequential.ModelResult mr = r.models().get(at);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("seed", r.seed());
        s.put("ndcg", mr.ndcg());
        s.put("hit", mr.hitRate());
        s.put("ranked", mr.ranked());
        perSeed.add(s);
      }
      row.put("perSeed", perSeed);
      rows.add(row);
    }
    doc.put("results", rows);
    List<Map<String, Object>> runs = new ArrayList<>();
    for (Prequential.Result r : results) {
      Map<String, Object> run = new LinkedHashMap<>();
      run.put("seed", r.seed());
      run.put("order", order(r));
      run.put("events", r.events());
      run.put("measured", r.measured());
      run.put("repeats", r.repeats());
      run.put("coldUsers", r.coldUsers());
      run.put("newItems", r.newItems());
      run.put("seconds", r.seconds());
      run.put("cpuSeconds", r.cpuSeconds());
      run.put("trainSeconds", r.trainSeconds());
      run.put("windowStart", r.windowStart());
      Map<String, Object> models = new LinkedHashMap<>();
      for (Prequential.ModelResult mr : r.models()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ndcg", series(mr.windowNdcg()));
        m.put("hit", series(mr.windowHitRate()));
        m.put("ranked", mr.windowRanked());
        m.put("microsPerRanked", mr.microsPerRanked());
        models.put(mr.model(), m);
      }
      run.put("models", models);
      Map<String, Object> loss = new LinkedHashMap<>();
      r.loss().forEach((k, v) -> loss.put(k, series(v)));
      run.put("loss", loss);
      Map<String, Object> eps = new LinkedHashMap<>();
      r.eventsPerSecond().forEach((k, v) -> eps.put(k, series(v)));
      run.put("eventsPerSecond", eps);
      if (!r.ejrlWeights().isEmpty()) {
        run.put("ejrlWeights", r.ejrlWeights());
      }
      runs.add(run);
    }
    doc.put("runs", runs);
    return doc;
  }

  static String order(Prequential.Result r) {
    return r.order() == StreamOrder.Kind.EVENT_TIME ? "event-time" : "interleaved";
  }

  /** The values with NaN as null (JSON has no NaN). */
  static List<Double> series(double[] v) {
    List<Double> out = new ArrayList<>(v.length);
    for (double x : v) {
      out.add(Double.isNaN(x) ? null : x);
    }
    return out;
  }
}
