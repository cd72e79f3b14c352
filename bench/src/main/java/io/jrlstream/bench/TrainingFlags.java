package io.jrlstream.bench;

import io.jrlstream.streams.train.TrainingKeys;
import io.jrlstream.streams.train.TrainingOptions;
import picocli.CommandLine.Option;

/**
 * The trainer options a benchmark may change, each defaulting to its key's default ({@link TrainingKeys}), so that a
 * benchmark runs what {@code jrl run} runs unless told otherwise (or unless the benchmark starts from other options
 * and says so in its description: {@link #options(TrainingOptions)}).
 */
final class TrainingFlags {
  @Option(names = "--batch-size", paramLabel = "N", description = "Mini-batch size (default: jrl.batch.size's).")
  Integer batchSize;

  @Option(names = "--checkpoint-batches", paramLabel = "N",
      description = "Least mini-batches between checkpoints of a view's rows (default: jrl.checkpoint.batches').")
  Integer checkpointBatches;

  @Option(names = "--checkpoint-events-per-row", paramLabel = "N",
      description = "Interactions per re-written row a checkpoint waits for; 0 = every --checkpoint-batches "
          + "(default: jrl.checkpoint.events.per.row's).")
  Integer checkpointEventsPerRow;

  @Option(names = "--checkpoint-spread-batches", paramLabel = "N",
      description = "Mini-batches over which a checkpoint's rows are written, a share after each (at most "
          + "--checkpoint-batches); 0 or 1 = all at once (default: jrl.checkpoint.spread.batches').")
  Integer checkpointSpreadBatches;

  @Option(names = "--publish-interval-ms", paramLabel = "MS",
      description = "Least ms between publications of changed vectors; 0 = after every batch (default: "
          + "jrl.publish.interval.ms').")
  Long publishIntervalMs;

  @Option(names = "--publish-refresh-ms", paramLabel = "MS",
      description = "Least ms between refreshes that publish every changed vector; publications in between publish "
          + "only the new events' users (default: jrl.publish.refresh.ms').")
  Long publishRefreshMs;

  /** The defaults with every option given applied (checked by {@link TrainingOptions}, errors name the key). */
  TrainingOptions options() {
    return options(TrainingOptions.defaults());
  }

  /** {@code base} with every option given applied. */
  TrainingOptions options(TrainingOptions base) {
    TrainingOptions t = base;
    if (batchSize != null) {
      t = t.withBatchSize(batchSize);
    }
    if (checkpointBatches != null) {
      t = t.withCheckpointBatches(checkpointBatches);
    }
    if (checkpointEventsPerRow != null) {
      t = t.withCheckpointEventsPerRow(checkpointEventsPerRow);
    }
    if (checkpointSpreadBatches != null) {
      t = t.withCheckpointSpreadBatches(checkpointSpreadBatches);
    }
    if (publishIntervalMs != null) {
      t = t.withPublishIntervalMs(publishIntervalMs);
    }
    if (publishRefreshMs != null) {
      t = t.withPublishRefreshMs(publishRefreshMs);
    }
    return t;
  }
}
