package io.jrlstream.streams.train;

import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.ConfigurationException;
import io.jrlstream.streams.ingest.FlushMarkers;
import java.util.Objects;

/**
 * How a view's {@link TrainingProcessor} batches, checkpoints and publishes. Keys, defaults and meanings are
 * declared in {@link TrainingKeys}; {@link #from} reads them. Validated on construction, failures name the key;
 * {@code withX} returns a copy.
 *
 * @param batchSize positive interactions per mini-batch (count-based, so batch boundaries depend only on the
 *     input)
 * @param checkpointBatches the least mini-batches between checkpoints of the parameter rows; a checkpoint writes
 *     every row changed since the previous one
 * @param checkpointEventsPerRow with {@code n > 0}, a checkpoint also waits until the interactions trained since the
 *     previous one are at least n times the rows it would write again (rows that existed at the previous one), so
 *     that re-writing old rows costs at most one row write per n interactions however large the state grows (the
 *     review view's link negatives touch the old review vectors of its window all over); rows created since are
 *     written once in any case. A restart re-trains at most max(checkpointBatches × batchSize, n × rows at the
 *     previous checkpoint) interactions, plus those of a checkpoint still being written
 *     ({@link #checkpointSpreadBatches()}). 0 checkpoints every {@code checkpointBatches} batches exactly.
 * @param publishIntervalMs the least wall-clock time between two publications of changed vectors. 0 publishes
 *     the rows each mini-batch changed right after it (the sequence of published records is then a function
 *     of the input). Larger values coalesce: a row changed by several batches within the interval is
 *     published once, with its latest value, at the first batch end after the interval or by a wall-clock
 *     punctuation at most one interval later, whichever comes first. The trained parameters never depend on
 *     it; only which intermediate values reach the embedding topics does, and how often.
 * @param checkpointSpreadBatches the mini-batches over which a checkpoint's rows are written to the store: the
 *     rows are copied (encoded) when the checkpoint is taken and about 1/n of them written after each of the
 *     next n batches (the one that took it included), so that no single transaction writes them all; the
 *     checkpoint counts only once the last is written. n is at most {@code checkpointBatches}, so checkpoints
 *     stay that far apart. 0 or 1 writes them all in the batch that takes the checkpoint.
 * @param flushAfterMs the longest a validated event waits (wall clock) before a flush marker in the validated topic
 *     makes every view train its half-collected mini-batch ({@link FlushMarkers}): bounds freshness on a quiet
 *     stream, and since the marker is in the input log, batches stay a function of the input. 0: no markers (a
 *     half-collected batch waits for more events).
 * @param quality how each view measures its live prequential quality ({@link Quality})
 * @param publishRefreshMs with a publication interval above 0, the least wall-clock time between two refreshes: a
 *     publication forwards only the users of the new events of its batches (what a user notices when she acts,
 *     {@link FreshRows}), a refresh every row changed since the last refresh (what experience replay and negative
 *     sampling moved, and the events' items), so that such a change reaches the embedding topics at most this much
 *     later and the embedding traffic follows the new events. A refresh also precedes every checkpoint's snapshot,
 *     and a publication that finds no batch applied since the last one (a quiet stream) is a refresh.
 *     At most {@code publishIntervalMs}: every publication is a refresh (each changed row published once per
 *     interval)
 */
public record TrainingOptions(int batchSize, int checkpointBatches, long publishIntervalMs,
    int checkpointEventsPerRow, int checkpointSpreadBatches, long flushAfterMs, Quality quality,
    long publishRefreshMs) {
  /**
   * Live prequential quality (DESIGN.md §1 "Evaluation"): before a sampled event trains, the view ranks its item for
   * its user with the current vectors ({@link io.jrlstream.core.eval.PrequentialMeter}), and popularity since the
   * task started ranks it too, on the same events.
   *
   * @param sampleEvery measure the events whose sequence number (per view) is a multiple of this: a function of
   *     the input, so the same events on every run; 0 turns measuring off
   * @param window events (sequence numbers) per reported window
   */
  public record Quality(int sampleEvery, int window) {
    /** No measuring. */
    public static final Quality OFF = new Quality(0, 10_000);

    public Quality {
      TrainingKeys.QUALITY_SAMPLE_EVERY.require(sampleEvery);
      TrainingKeys.QUALITY_WINDOW.require(window);
    }

    /** Every n-th event ({@link TrainingKeys#QUALITY_SAMPLE_EVERY}), windows of {@link TrainingKeys#QUALITY_WINDOW}. */
    public static Quality from(Configuration c) {
      return c.build(x -> new Quality(x.get(TrainingKeys.QUALITY_SAMPLE_EVERY), x.get(TrainingKeys.QUALITY_WINDOW)));
    }
  }

  /**
   * @throws IllegalArgumentException naming the key ({@link TrainingKeys}) whose value is out of range
   */
  public TrainingOptions {
    TrainingKeys.BATCH_SIZE.require(batchSize);
    TrainingKeys.CHECKPOINT_BATCHES.require(checkpointBatches);
    TrainingKeys.PUBLISH_INTERVAL_MS.require(publishIntervalMs);
    TrainingKeys.CHECKPOINT_EVENTS_PER_ROW.require(checkpointEventsPerRow);
    TrainingKeys.CHECKPOINT_SPREAD_BATCHES.require(checkpointSpreadBatches);
    TrainingKeys.FLUSH_AFTER_MS.require(flushAfterMs);
    Objects.requireNonNull(quality, "quality");
    TrainingKeys.PUBLISH_REFRESH_MS.require(publishRefreshMs);
  }

  /**
   * The declared defaults ({@link TrainingKeys}): batch size 64, checkpoints at least 500 batches and 4 interactions
   * per re-written row apart and written over 125 batches, publication at most every 100 ms (the exactly-once commit
   * interval the pipeline runs with, so publication adds at most one commit interval to a vector's freshness) and
   * a refresh of every changed row each second, flush
   * markers after 1 s, live quality of every 50th event in windows of 10,000.
   */
  public static TrainingOptions defaults() {
    return DEFAULTS;
  }

  private static final TrainingOptions DEFAULTS = from(Configuration.defaults(TrainingKeys.CATALOG));

  /**
   * @return the options {@code c} sets, with the defaults of {@link TrainingKeys} where absent
   * @throws ConfigurationException naming a key whose value is malformed or out of range, and its origin
   */
  public static TrainingOptions from(Configuration c) {
    return c.build(x -> new TrainingOptions(x.get(TrainingKeys.BATCH_SIZE), x.get(TrainingKeys.CHECKPOINT_BATCHES),
        x.get(TrainingKeys.PUBLISH_INTERVAL_MS), x.get(TrainingKeys.CHECKPOINT_EVENTS_PER_ROW),
        x.get(TrainingKeys.CHECKPOINT_SPREAD_BATCHES), x.get(TrainingKeys.FLUSH_AFTER_MS), Quality.from(x),
        x.get(TrainingKeys.PUBLISH_REFRESH_MS)));
  }

  /**
   * Whether every publication publishes every changed row: after each batch (an interval of 0), or with a refresh
   * interval no longer than the publication interval.
   */
  public boolean everyPublicationRefreshes() {
    return publishIntervalMs == 0 || publishRefreshMs <= publishIntervalMs;
  }

  public TrainingOptions withBatchSize(int n) {
    return new TrainingOptions(n, checkpointBatches, publishIntervalMs, checkpointEventsPerRow,
        checkpointSpreadBatches, flushAfterMs, quality, publishRefreshMs);
  }

  public TrainingOptions withCheckpointBatches(int n) {
    return new TrainingOptions(batchSize, n, publishIntervalMs, checkpointEventsPerRow, checkpointSpreadBatches,
        flushAfterMs, quality, publishRefreshMs);
  }

  public TrainingOptions withPublishIntervalMs(long ms) {
    return new TrainingOptions(batchSize, checkpointBatches, ms, checkpointEventsPerRow, checkpointSpreadBatches,
        flushAfterMs, quality, publishRefreshMs);
  }

  public TrainingOptions withCheckpointEventsPerRow(int n) {
    return new TrainingOptions(batchSize, checkpointBatches, publishIntervalMs, n, checkpointSpreadBatches,
        flushAfterMs, quality, publishRefreshMs);
  }

  public TrainingOptions withCheckpointSpreadBatches(int n) {
    return new TrainingOptions(batchSize, checkpointBatches, publishIntervalMs, checkpointEventsPerRow, n,
        flushAfterMs, quality, publishRefreshMs);
  }

  public TrainingOptions withQuality(Quality q) {
    return new TrainingOptions(batchSize, checkpointBatches, publishIntervalMs, checkpointEventsPerRow,
        checkpointSpreadBatches, flushAfterMs, q, publishRefreshMs);
  }

  public TrainingOptions withPublishRefreshMs(long ms) {
    return new TrainingOptions(batchSize, checkpointBatches, publishIntervalMs, checkpointEventsPerRow,
        checkpointSpreadBatches, flushAfterMs, quality, ms);
  }

  public TrainingOptions withFlushAfterMs(long ms) {
    return new TrainingOptions(batchSize, checkpointBatches, publishIntervalMs, checkpointEventsPerRow,
        checkpointSpreadBatches, ms, quality, publishRefreshMs);
  }
}
