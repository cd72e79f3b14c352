package io.jrlstream.ops.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.experiment.Experiment;
import io.jrlstream.core.experiment.Prequential;
import io.jrlstream.core.view.ModelConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prequential report: its HTML and SVG content, its PNG copies, and how headless Chromium sees them (skipped,
 * with a message, where Chromium is not installed: {@code apt-get install -y chromium}).
 */
class PrequentialReportTest {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  private static final List<String> PLOTS = List.of("ndcg", "hit", "loss", "events-per-second");

  @TempDir
  static Path dir;
  static Path html;

  @BeforeAll
  static void writeReport() throws IOException {
    Dataset d = SyntheticData.generate(SyntheticSpec.defaults().withUsers(40).withWordsPerReview(4), 1);
    ModelConfig small = ModelConfig.defaults().mapViews(v -> v.withDim(8));
    List<Prequential.Result> results = new Prequential(d, small, Prequential.Options.defaults().withWindow(100),
        Experiment.Progress.NONE).run(List.of("pop", "recent-pop", "bpr", "review", "ejrl"), List.of(1L, 2L));
    html = PrequentialReport.write(dir.resolve("report"), "synthetic <test>", results);
  }

  @Test
  void shouldWriteASelfContainedPageWithEveryPlotInlineAndLabelled() throws IOException {
    String page = Files.readString(html);
    assertTrue(page.startsWith("<!DOCTYPE html>"));
    assertTrue(page.contains("synthetic &lt;test&gt;"), "the title is escaped");
    assertEquals(4, count(page, "<svg"), "one inline SVG per plot");
    for (String id : PLOTS) {
      assertTrue(page.contains("id='plot-" + id + "'"), id);
      assertTrue(page.contains("href=\"" + id + ".png\""), id);
    }
    // Horizontal text is SVG text; JFreeChart draws the rotated y-axis labels as glyph outlines (checked on the
    // chart model below).
    for (String text : List.of(">NDCG@10 per window<", ">Training throughput per window<",
        ">events so far (window end)<", ">end of warm-up<", ">recent-pop<", ">ejrl<", ">collaborative<", ">review<")) {
      assertTrue(page.contains(text), "the page lacks '" + text + "'");
    }
    assertEquals(4, count(page, "transform='matrix(0.0,-1.0,1.0,0.0,"), "one rotated y-axis label per plot");
    // Nothing to fetch: no script, no remote resource (the SVG namespace is a name, not a fetch).
    assertFalse(page.contains("<script"));
    assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(page).find());
  }

  @Test
  void shouldLabelBothAxesAndMarkTheWarmUp() {
    Map<String, double[]> series = new LinkedHashMap<>();
    series.put("pop", new double[] {1, Double.NaN, 3});
    series.put("bpr", new double[] {0.5, 0.7, 0.9});
    JFreeChart chart = PrequentialReport.chart(new PrequentialReport.Plot("ndcg", "NDCG@10 per window",
        "NDCG@10 (%)", series), new double[] {100, 200, 250}, 100);
    XYPlot plot = chart.getXYPlot();
    assertEquals("events so far (window end)", plot.getDomainAxis().getLabel());
    assertEquals("NDCG@10 (%)", plot.getRangeAxis().getLabel());
    assertEquals(2, plot.getDataset().getSeriesCount());
    assertEquals(2, plot.getDataset().getItemCount(0), "a window without a value is left out, not drawn as 0");
    assertEquals(3, plot.getDataset().getItemCount(1));
    assertEquals(1, plot.getDomainMarkers(Layer.FOREGROUND).size());
  }

  @Test
  void shouldDrawEverySeriesAsAPolylineInTheSvg() throws IOException {
    String page = Files.readString(html);
    int start = page.indexOf("<svg", page.indexOf("NDCG@10 per window"));
    String svg = page.substring(start, page.indexOf("</svg>", start));
    // One line per model (pop, recent-pop, bpr, review, ejrl), each drawn with the series' 2-pixel stroke.
    Matcher m = Pattern.compile("stroke-width:2.0;stroke:(rgb\\([^)]*\\))").matcher(svg);
    List<String> colours = new ArrayList<>();
    while (m.find()) {
      if (!colours.contains(m.group(1))) {
        colours.add(m.group(1));
      }
    }
    for (String c : List.of("rgb(31,119,180)", "rgb(214,39,40)", "rgb(44,160,44)", "rgb(255,127,14)",
        "rgb(148,103,189)")) {
      assertTrue(colours.contains(c), "no series drawn in " + c + " (colours " + colours + ")");
    }
  }

  @Test
  void shouldWriteAPngCopyOfEachPlot() throws IOException {
    for (String id : PLOTS) {
      byte[] png = Files.readAllBytes(html.resolveSibling(id + ".png"));
      assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 8), id);
      assertTrue(png.length > 5_000, id + ".png has only " + png.length + " bytes");
    }
  }

  @Test
  void shouldOpenInHeadlessChromiumWithoutConsoleErrors() throws Exception {
    Path chromium = chromium();
    Chrome page = chrome(chromium, html);
    assertEquals(0, page.exit(), page.log());
    assertTrue(page.dom().contains("<svg"), "Chromium's DOM has no SVG");
    assertEquals(List.of(), page.consoleLines(), page.log());
    // The PNG copies decode in Chromium: a page that loads all four and writes what it saw.
    StringBuilder check = new StringBuilder("<!DOCTYPE html><html><body>");
    for (String id : PLOTS) {
      check.append("<img src=\"").append(id).append(".png\">");
    }
    check.append("<script>window.onload = () => { const bad = [...document.images].filter(i => !i.complete"
        + " || i.naturalWidth !== ").append(PrequentialReport.WIDTH).append("); if (bad.length) console.error("
        + "'bad png: ' + bad.map(i => i.src)); document.body.setAttribute('data-pngs', document.images.length"
        + " - bad.length); };</script></body></html>");
    Path checkPage = html.resolveSibling("png-check.html");
    Files.writeString(checkPage, check);
    Chrome pngs = chrome(chromium, checkPage);
    assertEquals(0, pngs.exit(), pngs.log());
    assertEquals(List.of(), pngs.consoleLines(), pngs.log());
    assertTrue(pngs.dom().contains("data-pngs=\"4\""), "Chromium decoded fewer than 4 PNGs: " + pngs.dom());
  }

  private record Chrome(int exit, String dom, String log) {
    /** Chromium logs every console message (errors, uncaught exceptions) as ":CONSOLE" on stderr. */
    List<String> consoleLines() {
      return log.lines().filter(l -> l.contains(":CONSOLE")).toList();
    }
  }

  private static Chrome chrome(Path chromium, Path page) throws Exception {
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    Path out = Files.createTempFile(dir, "dom", ".html");
    Path err = Files.createTempFile(dir, "chromium", ".log");
    Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", "--allow-file-access-from-files",
        "--dump-dom", page.toUri().toString())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
            new File("/dev/null"))).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("Chromium did not finish in 120 s on " + page);
    }
    return new Chrome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Chromium from {@code jrl.chromium}, /usr/bin/chromium or the PATH; skips the test when there is none. */
  private static Path chromium() {
    List<Path> tried = new ArrayList<>();
    String property = System.getProperty("jrl.chromium");
    if (property != null && !property.isBlank()) {
      tried.add(Path.of(property));
    }
    tried.add(Path.of("/usr/bin/chromium"));
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isEmpty()) {
        tried.add(Path.of(d, "chromium"));
      }
    }
    for (Path c : tried) {
      if (Files.isExecutable(c)) {
        return c;
      }
    }
    String message = "skipping: no Chromium (apt-get install -y chromium) at " + tried;
    System.err.println(message);
    Assumptions.abort(message);
    return null;
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
