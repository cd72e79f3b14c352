package io.jrlstream.core.eval;

/**
 * A model as a prequential measurement sees it: the scores s(u, v) of one user at a time, item by item, with
 * the current parameters (DESIGN.md §1 "Evaluation", last paragraph). {@link PrequentialMeter} calls
 * {@link #prepare} once per measured event and then {@link #score} for candidate items, so a source keeps the
 * user's state (its vector row) between the calls; a source therefore serves one thread.
 *
 * <p>Implementations must allocate nothing in {@link #prepare} or {@link #score} (the meter runs before every
 * sampled event of a training stream) and be deterministic: the same parameters give the same scores.
 */
public interface RankSource {
  /**
   * Readies the scores of {@code user}.
   *
   * @return false when the model holds nothing for this user yet (a user it never trained on): the event is
   *     then a cold-user event, not ranked
   */
  boolean prepare(int user);

  /** Items this source can score: indices {@code [0, itemLimit())}. */
  int itemLimit();

  /** s(user, item) for the prepared user; higher ranks first, NaN ranks last. */
  float score(int item);
}
