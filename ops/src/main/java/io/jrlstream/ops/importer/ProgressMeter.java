package io.jrlstream.ops.importer;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress display for long jobs on standard error: on a terminal one line redrawn in place (a bar, percent,
 * count, rate and ETA), elsewhere (a log file, a pipe) a plain line every few seconds. Messages printed through
 * {@link #message} appear above the bar without mangling it.
 *
 * <p>Not thread-safe: called by the thread doing the work. Draws at most every 100 ms (terminal) or 5 s (plain).
 */
public final class ProgressMeter {
  private static final int WIDTH = 30;
  private final PrintWriter err;
  private final boolean terminal;
  private final String unit;
  private final long start = System.nanoTime();
  private long lastDraw;
  private boolean drawn;
  private long lastCount = -1;

  /**
   * @param err where to draw
   * @param terminal whether err is a terminal (redraw in place) or not (plain lines)
   * @param unit what is counted, plural (e.g. "lines")
   */
  public ProgressMeter(PrintWriter err, boolean terminal, String unit) {
    this.err = err;
    this.terminal = terminal;
    this.unit = unit;
  }

  /** Whether standard error is most likely a terminal (the JVM has a console: stdin and stdout are). */
  public static boolean stderrIsTerminal() {
    return System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
  }

  /**
   * Shows progress (rate-limited).
   *
   * @param fraction done, 0–1 (NaN when unknown)
   * @param count units done in this run
   */
  public void update(double fraction, long count) {
    long now = System.nanoTime();
    if (now - lastDraw < (terminal ? 100_000_000L : 5_000_000_000L)) {
      return;
    }
    lastDraw = now;
    draw(fraction, count, now);
  }

  /** Draws the final state and ends the bar's line. */
  public void finish(double fraction, long count) {
    if (terminal || count != lastCount || lastDraw == 0) { // a plain line for this state is there already
      draw(fraction, count, System.nanoTime());
    }
    if (terminal) {
      err.println();
      drawn = false;
    }
    err.flush();
  }

  /** Prints a line of its own (e.g. a malformed line's report), keeping the bar below it. */
  public void message(String line) {
    if (terminal && drawn) {
      err.print("\r\033[K");
    }
    err.println(line);
    drawn = false;
    lastDraw = 0;
    err.flush();
  }

  private void draw(double fraction, long count, long now) {
    lastCount = count;
    double secs = (now - start) / 1e9;
    double rate = count / Math.max(secs, 1e-9);
    String eta = fraction > 0 && fraction < 1 ? time(secs * (1 - fraction) / fraction) : fraction >= 1 ? "0:00" : "?";
    String pct = Double.isNaN(fraction) ? "  ?%" : String.format(Locale.ROOT, "%3.0f%%", 100 * fraction);
    String text = String.format(Locale.ROOT, "%s %,d %s  %,.0f %s/s  elapsed %s  ETA %s", pct, count, unit, rate,
        unit, time(secs), eta);
    if (terminal) {
      int full = Double.isNaN(fraction) ? 0 : (int) Math.round(WIDTH * Math.min(1, fraction));
      err.print("\r\033[K[" + "#".repeat(full) + ".".repeat(WIDTH - full) + "] " + text);
      drawn = true;
    } else {
      err.println("  " + text);
    }
    err.flush();
  }

  /** m:ss or h:mm:ss. */
  static String time(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
