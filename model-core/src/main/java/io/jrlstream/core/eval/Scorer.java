package io.jrlstream.core.eval;

/**
 * Scores every item for one user: s(u, v) for all items v (DESIGN.md §1 "Score"), the input of top-N
 * selection in the {@link Evaluator} and in serving. Higher is better.
 *
 * <p>Implementations must be safe to call concurrently from several threads, each with its own
 * {@code out} array, and must be deterministic (the same user gives the same scores while the model
 * does not change), so that evaluation results do not depend on the thread count.
 */
@FunctionalInterface
public interface Scorer {
  /**
   * Writes s(user, v) into {@code out[v]} for every item index v in {@code [0, out.length)}.
   *
   * @param user a dense user index; it may be one the model never trained on
   * @param out modified: one slot per item, all overwritten
   */
  void scoreAll(int user, float[] out);
}
