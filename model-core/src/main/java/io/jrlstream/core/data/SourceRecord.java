package io.jrlstream.core.data;

/**
 * One record of a data file as written there, before ids are interned or text tokenised: what a streaming
 * consumer of a file (such as {@code jrl import}) needs, where {@link Dataset} keeps only what training needs.
 *
 * <p>Which fields are set depends on the record's {@link Kind}: a review has its summary and body as written
 * (either may be null, together they hold a word), a rating has stars and no text, a pair has neither
 * (stars NaN), an item's image features have no user, stars or text.
 *
 * @param user the user's id (stripped), or null for image features
 * @param item the item's id (stripped)
 * @param stars star rating 1–5, or {@link Float#NaN} when the record carries none
 * @param summary review summary as written, or null
 * @param body review text as written, or null
 * @param time event time in epoch milliseconds, 0 when the file has none
 * @param features the item's image feature vector, or null when this is not an image feature record
 */
public record SourceRecord(String user, String item, float stars, String summary, String body, long time,
    float[] features) {
  /** What a record holds. */
  public enum Kind {
    /** A review: text (summary and/or body holding a word), usually stars. */
    REVIEW,
    /** Stars and no text. */
    RATING,
    /** A user-item interaction with neither stars nor text (the pairs TSV). */
    PAIR,
    /** An item's image feature vector. */
    FEATURES
  }

  /** A record of the Amazon JSON or the pairs format. */
  public static SourceRecord interaction(String user, String item, float stars, String summary, String body,
      long time) {
    return new SourceRecord(user, item, stars, summary, body, time, null);
  }

  /** An item's image features (the caller hands over {@code features}). */
  public static SourceRecord features(String item, float[] features) {
    return new SourceRecord(null, item, Float.NaN, null, null, 0L, features);
  }

  /** The record's kind, from the fields that are set. */
  public Kind kind() {
    if (features != null) {
      return Kind.FEATURES;
    }
    if (text() != null) {
      return Kind.REVIEW;
    }
    return Float.isNaN(stars) ? Kind.PAIR : Kind.RATING;
  }

  /** summary + " " + body as the views read it, or null when together they hold no word. */
  public String text() {
    return AmazonReviewReader.reviewText(summary, body);
  }
}
