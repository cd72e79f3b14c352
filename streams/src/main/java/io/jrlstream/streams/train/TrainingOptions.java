package io.jrlstream.streams.train;

import io.jrlstream.streams.ingest.FlushMarkers;
import java.util.Objects;

/**
 * How a view's {@link TrainingProcessor} batches, checkpoints and publishes. Validated on construction;
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
 */
public record TrainingOptions(int batchSize, int checkpointBatches, long publishIntervalMs,
    int checkpointEventsPerRow, int checkpointSpreadBatches, long flushAfterMs, Quality quality) {
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
    /**
     * Every 50th event, windows of 10,000 events: the meter costs 8-46 µs per measured event (README "Live
     * quality"), under 1 µs per event spread over 50, against 100-300 µs of training per event.
     */
    public static final Quality DEFAULTS = new Quality(50, 10_000);
    /** No measuring. */
    public static final Quality OFF = new Quality(0, 10_000);

    public Quality {
      if (sampleEvery < 0) {
        throw new IllegalArgumentException("quality sampling must be every n ≥ 0 events, got " + sampleEvery);
      }
      if (window < 1) {
        throw new IllegalArgumentException("quality window must be ≥ 1 event, got " + window);
      }
    }
  }

  /** Default mini-batch size. */
  public static final int BATCH_SIZE = 64;
  /** Default checkpoint interval in mini-batches (see {@link TrainingTopology#CHECKPOINT_BATCHES}). */
  public static final int CHECKPOINT_BATCHES = TrainingTopology.CHECKPOINT_BATCHES;
  /**
   * Default publication interval: 100 ms, the exactly-once commit interval the pipeline runs with, so that
   * publication adds at most one commit interval to the freshness of a vector.
   */
  public static final long PUBLISH_INTERVAL_MS = 100;
  /**
   * Default interactions per re-written row: 4. A row write (3.6 KB at K=300 with Adam state, through the
   * changelog, the broker and RocksDB) was measured at about as much CPU as training one interaction, so re-writing
   * old rows costs at most about a quarter of the training.
   */
  public static final int CHECKPOINT_EVENTS_PER_ROW = 4;
  /** Default spread of a checkpoint's writes: 125 batches, a quarter of the default checkpoint interval. */
  public static final int CHECKPOINT_SPREAD_BATCHES = 125;
  /** Default wait before a flush marker: 1 s, so a quiet stream's last events are trained within about 1.3 s. */
  public static final long FLUSH_AFTER_MS = 1000;

  /** With the default {@link #CHECKPOINT_EVENTS_PER_ROW} and {@link #CHECKPOINT_SPREAD_BATCHES}. */
  public TrainingOptions(int batchSize, int checkpointBatches, long publishIntervalMs) {
    this(batchSize, checkpointBatches, publishIntervalMs, CHECKPOINT_EVENTS_PER_ROW);
  }

  /** With the default {@link #CHECKPOINT_SPREAD_BATCHES} and {@link #FLUSH_AFTER_MS}. */
  public TrainingOptions(int batchSize, int checkpointBatches, long publishIntervalMs, int checkpointEventsPerRow) {
    this(batchSize, checkpointBatches, publishIntervalMs, checkpointEventsPerRow, CHECKPOINT_SPREAD_BATCHES);
  }

  /** With the default {@link #FLUSH_AFTER_MS}. */
  public TrainingOptions(int batchSize, int checkpointBatches, long publishIntervalMs, int checkpointEventsPerRow,
      int checkpointSpreadBatches) {
    this(batchSize, checkpointBatches, publishIntervalMs, checkpointEventsPerRow, checkpointSpreadBatches,
        FLUSH_AFTER_MS);
  }

  /** With the default {@link Quality#DEFAULTS}. */
  public TrainingOptions(int batchSize, int checkpointBatches, long publishIntervalMs, int checkpointEventsPerRow,
      int checkpointSpreadBatches, long flushAfterMs) {
    this(batchSize, checkpointBatches, publishIntervalMs, checkpointEventsPerRow, checkpointSpreadBatches,
        flushAfterMs, Quality.DEFAULTS);
  }

  public TrainingOptions {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
    }
    if (checkpointBatches < 1) {
      throw new IllegalArgumentException("checkpoint interval must be ≥ 1 batch, got " + checkpointBatches);
    }
    if (checkpointEventsPerRow < 0) {
      throw new IllegalArgumentException("checkpoint events per row must be ≥ 0, got " + checkpointEventsPerRow);
    }
    if (checkpointSpreadBatches < 0) {
      throw new IllegalArgumentException("checkpoint spread must be ≥ 0 batches, got " + checkpointSpreadBatches);
    }
    if (publishIntervalMs < 0) {
      throw new IllegalArgumentException("publish interval must be ≥ 0 ms, got " + publishIntervalMs);
    }
    if (flushAfterMs < 0) {
      throw new IllegalArgumentException("flush marker wait must be ≥ 0 ms, got " + flushAfterMs);
    }
    Objects.requireNonNull(quality, "quality");
  }

  /**
   * Batch size 64, checkpoints at least 500 batches and 4 interactions per re-written row apart and written over 125
   * batches, publication at most every 100 ms.
   */
  public static TrainingOptions defaults() {
    return new TrainingOptions(BATCH_SIZE, CHECKPOINT_BATCHES, PUBLISH_INTERVAL_MS);
  }

  public TrainingOptions withBatchSize(int n) {
    return new TrainingOptions(n, checkpointBatches, publishIntervalMs, checkpointEventsPerRow,
        checkpointSpreadBatches, flushAfterMs, quality);
  }

  public TrainingOptions withCheckpointBatches(int n) {
    return new TrainingOptions(batchSize, n, publishIntervalMs, checkpointEventsPerRow, checkpointSpreadBatches,
        flushAfterMs, quality);
  }

  public TrainingOptions withPublishIntervalMs(long ms) {
    return new TrainingOptions(batchSize, checkpointBatches, ms, checkpointEventsPerRow, checkpointSpreadBatches,
        flushAfterMs, quality);
  }

  public TrainingOptions withCheckpointEventsPerRow(int n) {
    return new TrainingOptions(batchSize, checkpointBatches, publishIntervalMs, n, checkpointSpreadBatches,
        flushAfterMs, quality);
  }

  public TrainingOptions withCheckpointSpreadBatches(int n) {
    return new TrainingOptions(batchSize, checkpointBatches, publishIntervalMs, checkpointEventsPerRow, n,
        flushAfterMs, quality);
  }

  public TrainingOptions withQuality(Quality q) {
    return new TrainingOptions(batchSize, checkpointBatches, publishIntervalMs, checkpointEventsPerRow,
        checkpointSpreadBatches, flushAfterMs, q);
  }

  public TrainingOptions withFlushAfterMs(long ms) {
    return new TrainingOptions(batchSize, checkpointBatches, publishIntervalMs, checkpointEventsPerRow,
        checkpointSpreadBatches, ms, quality);
  }
}
