package io.jrlstream.streams.train;

import io.jrlstream.core.eval.PrequentialMeter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest live quality of each view ({@link LiveQuality}'s reports through {@link TrainingObserver#quality}),
 * for whatever shows it: {@code jrl local}'s summary, serving, metrics. Thread-safe: the views' stream threads
 * write, any thread reads.
 */
public final class QualityBoard implements TrainingObserver {
  /**
   * One view's live quality.
   *
   * @param model the view's totals since its task started, and its last closed window (null before the first)
   * @param popularity popularity since the task started, on the same events
   */
  public record Entry(PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {}

  private final Map<String, Entry> latest = new ConcurrentHashMap<>();

  @Override
  public void quality(String view, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {
    latest.put(view, new Entry(model, popularity));
  }

  /** The latest report of each view that has reported, by view name. */
  public Map<String, Entry> latest() {
    return new TreeMap<>(latest);
  }
}
