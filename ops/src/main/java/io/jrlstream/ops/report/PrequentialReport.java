package io.jrlstream.ops.report;

import io.jrlstream.core.data.StreamOrder;
import io.jrlstream.core.experiment.Prequential;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The HTML report of {@code jrl evaluate --protocol prequential --report DIR} (DESIGN.md §1 "Evaluation"): a
 * self-contained {@code report.html} (no script, no network: every plot inline as SVG) with the totals per model
 * and four plots over the stream — NDCG@10 and HR@10 per window and model, training loss and training events per
 * second per window and view — and a PNG copy of each plot beside it ({@code ndcg.png}, {@code hit.png},
 * {@code loss.png}, {@code events-per-second.png}).
 *
 * <p>Each plot is one JFreeChart chart drawn twice: to SVG through JFreeSVG's {@code Graphics2D} and to PNG by
 * Java2D, so the two copies cannot disagree. With several seeds a plot shows each window's mean over the seeds.
 * Needs no display (Java2D runs headless) but does need a font, as any Java2D text does. Stateless.
 */
public final class PrequentialReport {
  /** Plot size in pixels (SVG user units). */
  static final int WIDTH = 900;
  static final int HEIGHT = 420;

  private static final Color[] PALETTE = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
    new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

  private PrequentialReport() {}

  /**
   * Writes the report and its PNG plots into {@code dir} (created if needed).
   *
   * @param data the data set's name, for the title
   * @param results one run per seed, all with the same models and windows
   * @return the path of report.html
   * @throws IOException when a file cannot be written
   */
  public static Path write(Path dir, String data, List<Prequential.Result> results) throws IOException {
    if (results.isEmpty()) {
      throw new IllegalArgumentException("no prequential result to report");
    }
    Files.createDirectories(dir);
    Prequential.Result first = results.get(0);
    double[] x = windowEnds(first);
    List<Plot> plots = new ArrayList<>();
    Map<String, double[]> ndcg = new LinkedHashMap<>();
    Map<String, double[]> hit = new LinkedHashMap<>();
    for (int i = 0; i < first.models().size(); i++) {
      int at = i;
      ndcg.put(first.models().get(i).model(), percent(mean(results, r -> r.models().get(at).windowNdcg())));
      hit.put(first.models().get(i).model(), percent(mean(results, r -> r.models().get(at).windowHitRate())));
    }
    Map<String, double[]> loss = new LinkedHashMap<>();
    Map<String, double[]> eps = new LinkedHashMap<>();
    for (String view : first.loss().keySet()) {
      loss.put(view, mean(results, r -> r.loss().get(view)));
      eps.put(view, mean(results, r -> r.eventsPerSecond().get(view)));
    }
    plots.add(new Plot("ndcg", "NDCG@10 per window", "NDCG@10 (%)", ndcg));
    plots.add(new Plot("hit", "HR@10 per window", "HR@10 (%)", hit));
    plots.add(new Plot("loss", "Training loss per window (mean over its mini-batches)", "loss per interaction",
        loss));
    plots.add(new Plot("events-per-second", "Training throughput per window", "events/s (training CPU time)",
        eps));
    StringBuilder html = new StringBuilder(64 * 1024);
    head(html, data, results);
    for (Plot p : plots) {
      JFreeChart chart = chart(p, x, first.warmUp());
      ChartUtils.saveChartAsPNG(dir.resolve(p.id() + ".png").toFile(), chart, WIDTH, HEIGHT);
      SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, HEIGHT);
      g2.setDefsKeyPrefix(p.id() + "-");
      chart.draw(g2, new Rectangle(0, 0, WIDTH, HEIGHT));
      html.append("<h2>").append(escape(p.title())).append("</h2>\n<figure>\n")
          .append(g2.getSVGElement("plot-" + p.id())).append('\n')
          .append("<figcaption>").append(escape(p.title())).append(" over the stream (x: events so far); ")
          .append("<a href=\"").append(p.id()).append(".png\">PNG copy</a></figcaption>\n</figure>\n");
    }
    html.append("</body>\n</html>\n");
    Path out = dir.resolve("report.html");
    Files.writeString(out, html);
    return out;
  }

  /** One plot: its file name, title, y axis and series by name. */
  record Plot(String id, String title, String yLabel, Map<String, double[]> series) {}

  static JFreeChart chart(Plot p, double[] x, long warmUp) {
    XYSeriesCollection dataset = new XYSeriesCollection();
    for (Map.Entry<String, double[]> e : p.series().entrySet()) {
      XYSeries s = new XYSeries(e.getKey(), false, true);
      double[] y = e.getValue();
      for (int i = 0; i < y.length && i < x.length; i++) {
        if (!Double.isNaN(y[i]) && !Double.isInfinite(y[i])) {
          s.add(x[i], y[i]);
        }
      }
      dataset.addSeries(s);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(p.title(), "events so far (window end)", p.yLabel(), dataset,
        PlotOrientation.VERTICAL, true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < dataset.getSeriesCount(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(renderer);
    if (warmUp > 0) {
      ValueMarker m = new ValueMarker(warmUp, Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT,
          BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
      m.setLabel("end of warm-up");
      m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      plot.addDomainMarker(m);
    }
    return chart;
  }

  private static void head(StringBuilder html, String data, List<Prequential.Result> results) {
    Prequential.Result first = results.get(0);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>Prequential quality: ").append(escape(data)).append("</title>\n")
        .append("<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}")
        .append("table{border-collapse:collapse}td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #ddd}")
        .append("td:first-child,th:first-child{text-align:left}svg{max-width:100%;height:auto}</style>\n")
        .append("</head>\n<body>\n<h1>Prequential quality: ").append(escape(data)).append("</h1>\n<p>")
        .append(String.format(Locale.ROOT, "Test-then-train over %,d events in %s order: before an event trains, its "
            + "item is ranked for its user among the items known so far that the user has not had, with the current "
            + "vectors. Windows of %,d events; the first %,d events (warm-up) are left out of the totals; %s; "
            + "recent-pop half-life %,.0f events. Seeds: %s%s.", first.events(),
            first.order() == StreamOrder.Kind.EVENT_TIME ? "event-time" : "a seeded interleaving of the users' "
            + "sequences (no times in the data)", first.window(), first.warmUp(),
            Prequential.sampled(first.sampleEvery()), first.halfLife(),
            results.stream().map(r -> Long.toString(r.seed())).toList(), results.size() > 1 ? " (plots: mean over "
                + "the seeds)" : ""))
        .append("</p>\n<p>")
        .append(String.format(Locale.ROOT, "After the warm-up (seed %d): %,d events measured; %,d repeats skipped "
            + "(the user already had the item); %,d first events of a user skipped (no model knows the user); %,d "
            + "first events of an item (misses for every model).", first.seed(), first.measured(), first.repeats(),
            first.coldUsers(), first.newItems()))
        .append("</p>\n<table>\n<tr><th>model</th><th>NDCG@10 (%)</th><th>HR@10 (%)</th><th>events ranked</th>")
        .append("<th>CPU µs per ranked event</th></tr>\n");
    for (int i = 0; i < first.models().size(); i++) {
      int at = i;
      double[] nd = results.stream().mapToDouble(r -> r.models().get(at).ndcg()).toArray();
      double[] hr = results.stream().mapToDouble(r -> r.models().get(at).hitRate()).toArray();
      html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.3f</td><td>%.3f</td><td>%,d</td><td>%.1f</td>"
          + "</tr>\n", escape(first.models().get(i).model()), 100 * average(nd), 100 * average(hr),
          first.models().get(i).ranked(), first.models().get(i).microsPerRanked()));
    }
    html.append("</table>\n");
  }

  private static double[] windowEnds(Prequential.Result r) {
    double[] x = new double[r.windowStart().length];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.min(r.events(), r.windowStart()[i] + (long) r.window());
    }
    return x;
  }

  private interface Series {
    double[] of(Prequential.Result r);
  }

  /** Each window's mean over the runs that have a value there (NaN when none has). */
  private static double[] mean(List<Prequential.Result> results, Series f) {
    double[] base = f.of(results.get(0));
    double[] out = new double[base.length];
    for (int i = 0; i < out.length; i++) {
      double sum = 0;
      int n = 0;
      for (Prequential.Result r : results) {
        double[] v = f.of(r);
        if (i < v.length && !Double.isNaN(v[i])) {
          sum += v[i];
          n++;
        }
      }
      out[i] = n == 0 ? Double.NaN : sum / n;
    }
    return out;
  }

  private static double[] percent(double[] v) {
    double[] out = v.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] *= 100;
    }
    return out;
  }

  private static double average(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return v.length == 0 ? 0 : s / v.length;
  }

  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
