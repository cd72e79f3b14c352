package io.jrlstream.core.train;

/** Progress callbacks from the offline trainer; called from training threads, so implementations must be thread-safe.
 * */
@FunctionalInterface
public interface TrainListener {
  /**
   * One epoch of one view (for JRL: of all views together, view = "jrl") ended.
   *
   * @param meanLoss mean loss per interaction over the epoch (content + ranking + L2)
   * @param interactions interactions trained in the epoch
   * @param seconds wall time of the epoch
   */
  void epoch(String view, int epoch, int epochs, double meanLoss, long interactions, double seconds);

  /** A listener that ignores everything. */
  TrainListener NONE = (v, e, n, l, i, s) -> { };
}
