package io.jrlstream.streams.ingest;

import io.jrlstream.schemas.TrainingEvent;
import java.time.Duration;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Bounds freshness on a quiet stream, deterministically (DESIGN.md §2 "Training state"): a view trains a
 * mini-batch when it holds {@code batch.size} interactions, so on a quiet stream the last events would wait for
 * more; instead, once the oldest validated event written since the last marker has waited {@code maxWaitMs}
 * (wall clock), this node writes a flush marker — a record with a null value — into the validated topic, and every
 * view trains its half-collected batch when it reads the marker. The decision is taken once, by the wall clock,
 * and recorded in the input log itself, so a replay after a crash (or a backfill) cuts the batch at the same place.
 *
 * <p>Markers come at most once per {@code maxWaitMs} and only after events: an idle stream gets none, a busy one
 * about one a second at the default, cutting each view's batch short once in a while. Checked by a wall-clock
 * punctuation every quarter of the wait, so an event waits at most about 1.25 × {@code maxWaitMs} for its marker.
 *
 * <p>Lifecycle: one instance per ingestion task, on its stream thread; not thread-safe.
 */
public final class FlushMarkers implements Processor<String, TrainingEvent, String, TrainingEvent> {
  private final long maxWaitMs;
  private ProcessorContext<String, TrainingEvent> context;
  /** Wall-clock time of the first event forwarded since the last marker, -1 when none. */
  private long firstUnmarkedMs = -1;

  /** @param maxWaitMs the longest a written event waits for its marker (> 0) */
  FlushMarkers(long maxWaitMs) {
    if (maxWaitMs <= 0) {
      throw new IllegalArgumentException("a flush marker's wait must be positive, got " + maxWaitMs + " ms");
    }
    this.maxWaitMs = maxWaitMs;
  }

  /** Whether a validated record is a flush marker rather than an event. */
  public static boolean isMarker(Object value) {
    return value == null;
  }

  @Override
  public void init(ProcessorContext<String, TrainingEvent> context) {
    this.context = context;
    context.schedule(Duration.ofMillis(Math.max(1, maxWaitMs / 4)), PunctuationType.WALL_CLOCK_TIME, this::check);
  }

  @Override
  public void process(Record<String, TrainingEvent> record) {
    if (firstUnmarkedMs < 0) {
      firstUnmarkedMs = context.currentSystemTimeMs();
    }
    context.forward(record);
  }

  private void check(long now) {
    if (firstUnmarkedMs >= 0 && now - firstUnmarkedMs >= maxWaitMs) {
      context.forward(new Record<>(null, null, now));
      firstUnmarkedMs = -1;
    }
  }
}
