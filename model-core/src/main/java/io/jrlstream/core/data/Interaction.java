package io.jrlstream.core.data;

/**
 * One user-item event in dense-index form: the unit every view trains on.
 *
 * @param user dense user index (see {@link IdIndex})
 * @param item dense item index
 * @param stars star rating 1–5, or {@link Float#NaN} when the event carries none
 * @param review index of the review text in the {@link Content}, or -1 when the event has no text
 * @param time event time in epoch milliseconds (0 when unknown)
 */
public record Interaction(int user, int item, float stars, int review, long time) {
  public boolean hasStars() {
    return !Float.isNaN(stars);
  }

  public boolean hasReview() {
    return review >= 0;
  }
}
