package io.jrlstream.streams.train;

/**
 * Where a {@link TrainingProcessor} re-reads the events it has already trained when it restores: its own input
 * topic (the validated topic), which the processor therefore does not copy into a log of its own. A checkpoint in
 * the processor's store holds the trainer as of one offset; restoring reads the input from the offset after it (from
 * the first offset the processor ever trained when there is none yet, or for a store of the layout before
 * checkpoints held the structure) up to the last one its store covers.
 *
 * <p>The input topic must retain that range (older records may be gone): a gap (records deleted by retention, or a
 * topic recreated) is reported as an {@link IllegalStateException} naming the missing offsets, never skipped.
 */
public interface EventHistory {
  /** Receives one record of the history. */
  @FunctionalInterface
  interface Sink {
    void accept(long offset, byte[] value);
  }

  /**
   * Calls {@code sink} with each committed record of {@code partition} whose offset lies in {@code [from, to]}, in
   * offset order (offsets of aborted records and transaction markers are absent).
   *
   * @throws IllegalStateException when the records at {@code from} or {@code to} are no longer there, or the
   *                               topic cannot be read
   */
  void read(int partition, long from, long to, Sink sink);

  /** A history for a processor that must never restore from one (it fails naming the range it was asked for). */
  static EventHistory none() {
    return (partition, from, to, sink) -> {
      throw new IllegalStateException("no event history to restore offsets " + from + ".." + to + " of partition "
          + partition + " from");
    };
  }
}
