package io.jrlstream.core.eval;

import java.util.function.Consumer;

/**
 * Live prequential quality of one model (test-then-train, Vinagre et al. 2014; DESIGN.md §1 "Evaluation", last
 * paragraph): before an event trains the model, where does its item rank for its user among the items known so
 * far that the user has not interacted with, scored with the current parameters? HR@k (1 when the rank is at
 * most k) and NDCG@k (one relevant item: 1 / log2(rank + 1) when the rank is at most k, else 0).
 *
 * <p>The same code serves the prequential protocol of {@code jrl evaluate} and a training processor that measures
 * its view as it trains: call {@link #measure} with the event's sequence number <em>before</em> the trainer
 * accepts the event. What happens to an event:
 * <ul>
 *   <li>not sampled: only every {@code sampleEvery}-th sequence number is measured (sequence mod sampleEvery = 0),
 *       a function of the input alone, so the sample is the same on every run and after a restart;</li>
 *   <li>repeat: the user already had the item, so no ranking over the items the user has not had can hold it;
 *       skipped and counted;</li>
 *   <li>cold user: the model holds nothing for the user yet ({@link RankSource#prepare} said so); skipped and
 *       counted (serving answers such users from popularity);</li>
 *   <li>new item: the item is not among the {@code itemsKnown} items (or the model has no row for it): it cannot
 *       be ranked, so it is a miss, counted;</li>
 *   <li>ranked: the rank is 1 + the number of other candidates that score higher, or equal with a lower index
 *       (the tie-break of {@link TopN}); NaN ranks last. The count stops at k (a miss is a miss), so a typical
 *       miss scores a fraction of the items.</li>
 * </ul>
 * Candidates are the item indices {@code [0, itemsKnown)}: items must be numbered in order of first appearance
 * (as a stream's id index numbers them), so that the known items are a prefix.
 *
 * <p>Aggregates: totals over the events from sequence {@code warmUp} on (the warm-up's events are left out of the
 * totals, not of the windows), and windows of {@code window} sequence numbers ([i·window, (i+1)·window)), each
 * handed to the listener when the first event of a later window arrives or on {@link #finish}; a window in which
 * no event was measured is not reported.
 *
 * <p>Cost: one {@link RankSource#score} per candidate until k better items are found (a dot product of the
 * view's dimension), no allocation per event (a window's record is allocated when it closes). Measured (README,
 * Figures, "Live quality"; CPU time on the 2-core machine): at Beauty scale (12,101 items) 33–46 µs per ranked
 * event for a K=64 collaborative view, against about 10 µs of training per event; with 900 items 8–12 µs for K=64
 * to K=300 views, against 240 µs of training for the review view. A hit costs a full scan, so a better model costs
 * more. The meter's state is not part of a trainer's checkpoint: after a restart it
 * starts counting again. Not thread-safe: the training thread measures; other threads read {@link #latest()},
 * which is published at each window's close.
 */
public final class PrequentialMeter {
  /**
   * @param k the cut-off of HR and NDCG (10), at least 1
   * @param window sequence numbers per window, at least 1
   * @param warmUp events (by sequence number) left out of the totals, at least 0
   * @param sampleEvery measure the events whose sequence number is a multiple of this, at least 1
   */
  public record Settings(int k, int window, long warmUp, int sampleEvery) {
    public Settings {
      if (k < 1) {
        throw new IllegalArgumentException("k must be at least 1, got " + k);
      }
      if (window < 1) {
        throw new IllegalArgumentException("window must be at least 1 event, got " + window);
      }
      if (warmUp < 0) {
        throw new IllegalArgumentException("warmUp must be at least 0 events, got " + warmUp);
      }
      if (sampleEvery < 1) {
        throw new IllegalArgumentException("sampleEvery must be at least 1, got " + sampleEvery);
      }
    }

    /** k = 10, windows of 1,000 events, no warm-up, every event measured. */
    public static Settings defaults() {
      return new Settings(10, 1_000, 0, 1);
    }
  }

  /** What {@link #measure} did with an event. */
  public enum Outcome {
    NOT_SAMPLED,
    REPEAT,
    COLD_USER,
    NEW_ITEM,
    RANKED
  }

  /**
   * One closed window.
   *
   * @param index window number (first sequence number / window)
   * @param firstSequence first sequence number the window covers
   * @param ranked events ranked in it (new items included, as misses)
   * @param hits ranked events whose item was in the top k
   * @param ndcgSum sum of their NDCG@k
   */
  public record Window(long index, long firstSequence, long ranked, long hits, double ndcgSum) {
    /** HR@k over the window, 0 when nothing was ranked. */
    public double hitRate() {
      return ranked == 0 ? 0 : (double) hits / ranked;
    }

    /** NDCG@k over the window, 0 when nothing was ranked. */
    public double ndcg() {
      return ranked == 0 ? 0 : ndcgSum / ranked;
    }
  }

  /**
   * Totals after the warm-up and the last closed window.
   *
   * @param measured sampled events after the warm-up
   * @param ranked of those, events ranked (new items included as misses)
   * @param hits ranked events with the item in the top k
   * @param ndcgSum sum of NDCG@k over the ranked events
   * @param repeats sampled events after the warm-up skipped because the user already had the item
   * @param coldUsers sampled events after the warm-up skipped because the model had nothing for the user
   * @param newItems ranked events whose item was not known yet (misses)
   * @param last the last closed window, or null before the first closes
   */
  public record Snapshot(long measured, long ranked, long hits, double ndcgSum, long repeats, long coldUsers,
      long newItems, Window last) {
    /** HR@k after the warm-up, 0 when nothing was ranked. */
    public double hitRate() {
      return ranked == 0 ? 0 : (double) hits / ranked;
    }

    /** NDCG@k after the warm-up, 0 when nothing was ranked. */
    public double ndcg() {
      return ranked == 0 ? 0 : ndcgSum / ranked;
    }
  }

  private final Settings settings;
  private final Consumer<Window> listener;
  /** gain[r] = 1 / log2(r + 1) for ranks 1..k. */
  private final double[] gain;

  private long lastSequence = -1;
  private long windowIndex = -1;
  private long windowRanked;
  private long windowHits;
  private double windowNdcg;
  private boolean windowMeasured;

  private long measured;
  private long ranked;
  private long hits;
  private double ndcgSum;
  private long repeats;
  private long coldUsers;
  private long newItems;
  private Window last;
  private int lastRank;
  private volatile Snapshot latest = new Snapshot(0, 0, 0, 0, 0, 0, 0, null);

  /**
   * @param settings cut-off, window, warm-up and sampling
   * @param listener receives each window as it closes (on the measuring thread), or null
   */
  public PrequentialMeter(Settings settings, Consumer<Window> listener) {
    this.settings = settings;
    this.listener = listener;
    gain = new double[settings.k() + 1];
    for (int r = 1; r <= settings.k(); r++) {
      gain[r] = 1.0 / (Math.log(r + 1) / Math.log(2));
    }
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Measures the event with sequence number {@code sequence} before it trains; see the class description.
   *
   * @param sequence the event's position in the stream, never below an earlier call's
   * @param model the model, with the parameters trained on the events before this one
   * @param user the event's user
   * @param item the event's item
   * @param interacted the user's items before this event
   * @param itemsKnown items known before this event: candidates are {@code [0, itemsKnown)}
   * @throws IllegalArgumentException when the sequence number goes back
   */
  public Outcome measure(long sequence, RankSource model, int user, int item, InteractedItems interacted,
      int itemsKnown) {
    advance(sequence);
    lastRank = 0;
    if (sequence % settings.sampleEvery() != 0) {
      return Outcome.NOT_SAMPLED;
    }
    windowMeasured = true;
    boolean counted = sequence >= settings.warmUp();
    if (counted) {
      measured++;
    }
    if (interacted.interacted(user, item)) {
      if (counted) {
        repeats++;
      }
      return Outcome.REPEAT;
    }
    if (!model.prepare(user)) {
      if (counted) {
        coldUsers++;
      }
      return Outcome.COLD_USER;
    }
    int limit = Math.min(itemsKnown, model.itemLimit());
    if (item < 0 || item >= limit) {
      record(counted, settings.k() + 1);
      if (counted) {
        newItems++;
      }
      return Outcome.NEW_ITEM;
    }
    int r = rank(model, user, item, interacted, limit, settings.k());
    lastRank = r;
    record(counted, r);
    return Outcome.RANKED;
  }

  /**
   * The rank of the last event {@link #measure} ranked: 1..k, k + 1 for "below the top k", 0 when the last
   * event was not ranked.
   */
  public int lastRank() {
    return lastRank;
  }

  /** NDCG@k of a rank as {@link #lastRank} gives it: 1 / log2(rank + 1) within the top k, else 0. */
  public double gain(int rank) {
    return rank >= 1 && rank <= settings.k() ? gain[rank] : 0;
  }

  /**
   * Closes the current window if {@code sequence} lies beyond it, as {@link #measure} would: for a caller that
   * reports windows as they end without measuring the event that starts the next one yet.
   *
   * @throws IllegalArgumentException when the sequence number goes back
   */
  public void advanceTo(long sequence) {
    advance(sequence);
  }

  /** Closes the current window (end of a finite stream), handing it to the listener. */
  public void finish() {
    closeWindow();
    windowIndex = -1;
  }

  /** The totals and the last closed window now (for the measuring thread). */
  public Snapshot snapshot() {
    return new Snapshot(measured, ranked, hits, ndcgSum, repeats, coldUsers, newItems, last);
  }

  /** The totals as of the last closed window: safe to read from any thread. */
  public Snapshot latest() {
    return latest;
  }

  /**
   * The rank of {@code item} for the prepared user among the candidates {@code [0, limit)} the user has not
   * interacted with: 1 + the candidates scoring higher, or equal with a lower index (NaN as −∞); k + 1 as soon as
   * k candidates rank higher.
   *
   * @param model a source prepared for {@code user}
   */
  public static int rank(RankSource model, int user, int item, InteractedItems interacted, int limit, int k) {
    float target = key(model.score(item));
    int better = 0;
    for (int j = 0; j < limit; j++) {
      if (j == item) {
        continue;
      }
      float s = key(model.score(j));
      if ((s > target || (s == target && j < item)) && !interacted.interacted(user, j)) {
        better++;
        if (better >= k) {
          return k + 1;
        }
      }
    }
    return better + 1;
  }

  private static float key(float s) {
    return s != s ? Float.NEGATIVE_INFINITY : s;
  }

  private void record(boolean counted, int rank) {
    double g = gain(rank);
    boolean hit = g > 0;
    windowRanked++;
    windowNdcg += g;
    if (hit) {
      windowHits++;
    }
    if (counted) {
      ranked++;
      ndcgSum += g;
      if (hit) {
        hits++;
      }
    }
  }

  private void advance(long sequence) {
    if (sequence < lastSequence) {
      throw new IllegalArgumentException("sequence numbers must not go back: " + sequence + " after "
          + lastSequence);
    }
    lastSequence = sequence;
    long index = sequence / settings.window();
    if (index != windowIndex) {
      closeWindow();
      windowIndex = index;
    }
  }

  private void closeWindow() {
    if (windowIndex >= 0 && windowMeasured) {
      last = new Window(windowIndex, windowIndex * settings.window(), windowRanked, windowHits, windowNdcg);
      latest = snapshot();
      if (listener != null) {
        listener.accept(last);
      }
    }
    windowRanked = 0;
    windowHits = 0;
    windowNdcg = 0;
    windowMeasured = false;
  }
}
