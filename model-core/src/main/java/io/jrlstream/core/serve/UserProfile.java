package io.jrlstream.core.serve;

import java.util.List;
import java.util.Map;

/**
 * What serving knows about one user: the vector of each view that has one, and the items the user
 * interacted with (excluded from recommendations). Immutable.
 *
 * @param vectors view name → the user's vector in that view (views without one are absent)
 * @param interacted the user's interacted item ids, oldest first
 */
public record UserProfile(Map<String, UserVector> vectors, List<String> interacted) {
  public UserProfile {
    vectors = Map.copyOf(vectors);
    interacted = List.copyOf(interacted);
  }

  /** A user serving has never seen. */
  public static UserProfile unknown() {
    return new UserProfile(Map.of(), List.of());
  }

  /**
   * One view's user vector with its version.
   *
   * @param vector the embedding; not modified by readers
   * @param updateCount the trainer's update count when it was published (its version)
   * @param eventTime event time of the latest training event that changed it, ms since the epoch
   */
  public record UserVector(float[] vector, long updateCount, long eventTime) {}
}
