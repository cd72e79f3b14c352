package io.jrlstream.streams.train;

/**
 * How a view's {@link TrainingProcessor} batches, checkpoints and publishes. Validated on construction;
 * {@code withX} returns a copy.
 *
 * @param batchSize positive interactions per mini-batch (count-based, so batch boundaries depend only on the
 *     input)
 * @param checkpointBatches mini-batches between checkpoints of the parameter rows: a restart re-trains at most
 *     this many batches from the event log; a checkpoint writes every row changed since the previous one
 * @param publishIntervalMs the least wall-clock time between two publications of changed vectors. 0 publishes
 *     the rows each mini-batch changed right after it (the sequence of published records is then a function
 *     of the input). Larger values coalesce: a row changed by several batches within the interval is
 *     published once, with its latest value, at the first batch end after the interval or by a wall-clock
 *     punctuation at most one interval later, whichever comes first. The trained parameters never depend on
 *     it; only which intermediate values reach the embedding topics does, and how often.
 */
public record TrainingOptions(int batchSize, int checkpointBatches, long publishIntervalMs) {
  /** Default mini-batch size. */
  public static final int BATCH_SIZE = 64;
  /** Default checkpoint interval in mini-batches (see {@link TrainingTopology#CHECKPOINT_BATCHES}). */
  public static final int CHECKPOINT_BATCHES = TrainingTopology.CHECKPOINT_BATCHES;
  /**
   * Default publication interval: 100 ms, the exactly-once commit interval the pipeline runs with, so that
   * publication adds at most one commit interval to the freshness of a vector.
   */
  public static final long PUBLISH_INTERVAL_MS = 100;

  public TrainingOptions {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
    }
    if (checkpointBatches < 1) {
      throw new IllegalArgumentException("checkpoint interval must be ≥ 1 batch, got " + checkpointBatches);
    }
    if (publishIntervalMs < 0) {
      throw new IllegalArgumentException("publish interval must be ≥ 0 ms, got " + publishIntervalMs);
    }
  }

  /** Batch size 64, a checkpoint every 500 batches, publication at most every 100 ms. */
  public static TrainingOptions defaults() {
    return new TrainingOptions(BATCH_SIZE, CHECKPOINT_BATCHES, PUBLISH_INTERVAL_MS);
  }

  public TrainingOptions withBatchSize(int n) {
    return new TrainingOptions(n, checkpointBatches, publishIntervalMs);
  }

  public TrainingOptions withCheckpointBatches(int n) {
    return new TrainingOptions(batchSize, n, publishIntervalMs);
  }

  public TrainingOptions withPublishIntervalMs(long ms) {
    return new TrainingOptions(batchSize, checkpointBatches, ms);
  }
}
