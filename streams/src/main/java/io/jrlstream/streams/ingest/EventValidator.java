package io.jrlstream.streams.ingest;

import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.schemas.codec.SchemaException;
import io.jrlstream.schemas.codec.UnknownSchemaException;
import io.jrlstream.streams.config.Limits;
import io.jrlstream.streams.config.StreamsKeys;
import io.jrlstream.streams.config.StreamsSettings;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decodes one input record's value and turns it into a validated, normalised {@link TrainingEvent},
 * or rejects it with an {@link InvalidEventException} carrying a {@link RejectReason}.
 *
 * <p>Checks, in order: the bytes decode as a published version of the topic's record type
 * ({@code UNDECODABLE}, {@code UNKNOWN_SCHEMA}); no id is blank ({@code MISSING_ID}), longer than
 * {@link Limits#maxIdBytes()} in UTF-8 ({@code ID_TOO_LONG}) or holds U+FFFD, what invalid UTF-8 decodes to
 * ({@code INVALID_UTF8}); the event time lies in [{@link Limits#minEventTimeMs()}, {@link Limits#maxEventTimeMs()}]
 * ({@code EVENT_TIME_OUT_OF_RANGE}); stars lie in
 * 1–5 ({@code STARS_OUT_OF_RANGE}; a review or a rating event may have none, a rating event without stars
 * being a plain interaction); a review's text is at most
 * {@code maxTextChars} chars ({@code TEXT_TOO_LONG}) and holds a word ({@code EMPTY_TEXT}); a feature
 * vector has its declared length and the configured {@code featureDim} ({@code WRONG_DIMENSION}) and
 * only finite values ({@code BAD_VECTOR}).
 *
 * <p>Normalisation follows the offline reader of model-core ({@code AmazonReviewReader}), so that
 * streaming and offline training see the same events: ids are stripped of surrounding white space; a
 * review's text is {@code summary + " " + reviewText}, or just the non-empty one of the two; a word is a
 * run of letters a–z after lower-casing, as {@code Lexicon.tokenize} defines it; integer stars become
 * floats.
 *
 * <p>Messages quote ids cut to {@value #QUOTED_ID_CHARS} chars, so that a huge id cannot make a huge dead-letter
 * header.
 *
 * <p>Stateless apart from its immutable codecs: thread-safe, one instance can serve every task.
 */
public final class EventValidator {

  private final AvroCodec<ReviewEvent> reviews = AvroCodec.of(ReviewEvent.class);
  private final AvroCodec<RatingEvent> ratings = AvroCodec.of(RatingEvent.class);
  private final AvroCodec<ImageFeatureEvent> features = AvroCodec.of(ImageFeatureEvent.class);
  /** Longest id quoted in a message, in chars. */
  static final int QUOTED_ID_CHARS = 64;

  private final int maxTextChars;
  private final int featureDim;
  private final Limits limits;

  /**
   * @param maxTextChars longest accepted review text, in chars; >= 1
   * @param featureDim   length every feature vector must have; >= 1
   */
  public EventValidator(int maxTextChars, int featureDim) {
    this(maxTextChars, featureDim, Limits.DEFAULTS);
  }

  /**
   * @param maxTextChars longest accepted review text, in chars; >= 1
   * @param featureDim   length every feature vector must have; >= 1
   * @param limits       id and event-time limits
   */
  public EventValidator(int maxTextChars, int featureDim, Limits limits) {
    if (maxTextChars < 1 || featureDim < 1) {
      throw new IllegalArgumentException("maxTextChars and featureDim must be >= 1, got " + maxTextChars
          + " and " + featureDim);
    }
    this.maxTextChars = maxTextChars;
    this.featureDim = featureDim;
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * @param settings where the limits come from
   * @return a validator with the settings' {@code maxTextChars} and {@code featureDim}
   */
  public static EventValidator of(StreamsSettings settings) {
    return new EventValidator(settings.maxTextChars(), settings.featureDim(), settings.limits());
  }

  /**
   * Validates one record.
   *
   * @param kind      which record type the topic carries
   * @param value     the record's value bytes; not modified; may be null
   * @param topic     topic the record was read from, copied into the event
   * @param partition its partition
   * @param offset    its offset
   * @return the validated, normalised event
   * @throws InvalidEventException when the record is rejected
   */
  public TrainingEvent validate(TrainingEventKind kind, byte[] value, String topic, int partition, long offset) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(topic, "topic");
    return switch (kind) {
      case REVIEW -> review(decode(reviews, value), topic, partition, offset);
      case RATING -> rating(decode(ratings, value), topic, partition, offset);
      case FEATURES -> features(decode(features, value), topic, partition, offset);
    };
  }

  /**
   * Decodes one record value, as {@link #validate} does first (also used by the image path).
   *
   * @param codec the topic's record type
   * @param value the value bytes; may be null
   * @param <T>   the record type
   * @return the decoded record
   * @throws InvalidEventException {@code UNDECODABLE} for null or malformed bytes, {@code UNKNOWN_SCHEMA} for an
   *                               unpublished schema
   */
  public static <T extends SpecificRecord> T decode(AvroCodec<T> codec, byte[] value) {
    if (value == null) {
      throw new InvalidEventException(RejectReason.UNDECODABLE,
          codec.schema().getName() + " record has no value (null)");
    }
    try {
      return codec.decode(value);
    } catch (UnknownSchemaException e) {
      throw new InvalidEventException(RejectReason.UNKNOWN_SCHEMA, e.getMessage(), e);
    } catch (SchemaException e) {
      throw new InvalidEventException(RejectReason.UNDECODABLE, e.getMessage(), e);
    }
  }

  private TrainingEvent review(ReviewEvent e, String topic, int partition, long offset) {
    String eventId = id(e.getEventId(), "review", "eventId");
    String what = "review " + quote(eventId);
    String userId = id(e.getUserId(), what, "userId");
    String itemId = id(e.getItemId(), what, "itemId");
    eventTime(e.getEventTime(), what);
    Integer stars = e.getStars();
    if (stars != null && (stars < 1 || stars > 5)) {
      throw new InvalidEventException(RejectReason.STARS_OUT_OF_RANGE, what + ": stars " + stars + " outside 1-5");
    }
    String text = text(e.getSummary(), e.getReviewText(), what);
    return new TrainingEvent(eventId, e.getEventTime(), TrainingEventKind.REVIEW, userId, itemId,
        stars == null ? null : (float) stars, text, null, null, null, topic, partition, offset);
  }

  private TrainingEvent rating(RatingEvent e, String topic, int partition, long offset) {
    String eventId = id(e.getEventId(), "rating", "eventId");
    String what = "rating " + quote(eventId);
    String userId = id(e.getUserId(), what, "userId");
    String itemId = id(e.getItemId(), what, "itemId");
    eventTime(e.getEventTime(), what);
    Float stars = e.getStars(); // null: an interaction without a rating (RatingEvent version 2)
    if (stars != null && !(stars >= 1 && stars <= 5)) { // also rejects NaN
      throw new InvalidEventException(RejectReason.STARS_OUT_OF_RANGE, what + ": stars " + stars + " outside 1-5");
    }
    return new TrainingEvent(eventId, e.getEventTime(), TrainingEventKind.RATING, userId, itemId,
        stars, null, null, null, null, topic, partition, offset);
  }

  private TrainingEvent features(ImageFeatureEvent e, String topic, int partition, long offset) {
    String eventId = id(e.getEventId(), "image features", "eventId");
    String what = "image features " + quote(eventId);
    String itemId = id(e.getItemId(), what, "itemId");
    String modelId = id(e.getModelId(), what, "modelId");
    bounded(e.getModelVersion(), what, "modelVersion");
    eventTime(e.getEventTime(), what);
    List<Float> v = e.getFeatures();
    if (v.size() != e.getDimension()) {
      throw new InvalidEventException(RejectReason.WRONG_DIMENSION,
          what + ": declares dimension " + e.getDimension() + " but has " + v.size() + " features");
    }
    if (v.size() != featureDim) {
      throw new InvalidEventException(RejectReason.WRONG_DIMENSION, what + ": has " + v.size()
          + " features, expected " + featureDim + " (" + StreamsKeys.FEATURE_DIM.key() + ")");
    }
    for (int i = 0, n = v.size(); i < n; i++) {
      float x = v.get(i);
      if (!Float.isFinite(x)) {
        throw new InvalidEventException(RejectReason.BAD_VECTOR, what + ": feature " + i + " of " + n + " is " + x);
      }
    }
    return new TrainingEvent(eventId, e.getEventTime(), TrainingEventKind.FEATURES, null, itemId,
        null, null, v, modelId, e.getModelVersion(), topic, partition, offset);
  }

  /** summary + " " + body (the non-empty one alone if the other is empty), as AmazonReviewReader builds it. */
  private String text(String summary, String body, String what) {
    long length = summary.isEmpty() || body.isEmpty()
        ? summary.length() + body.length()
        : summary.length() + 1L + body.length();
    if (length > maxTextChars) {
      throw new InvalidEventException(RejectReason.TEXT_TOO_LONG, what + ": text of " + length
          + " chars is longer than " + maxTextChars + " (" + StreamsKeys.MAX_TEXT_CHARS.key() + ")");
    }
    String text = summary.isEmpty() ? body : body.isEmpty() ? summary : summary + " " + body;
    if (!hasWord(text)) {
      throw new InvalidEventException(RejectReason.EMPTY_TEXT,
          what + ": summary and text hold no word (no letter a-z)");
    }
    return text;
  }

  /** Whether Lexicon.tokenize finds a word in s: a letter a-z after lower-casing. */
  static boolean hasWord(CharSequence s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = Character.toLowerCase(s.charAt(i));
      if (c >= 'a' && c <= 'z') {
        return true;
      }
    }
    return false;
  }

  /**
   * The id stripped of surrounding white space; rejected when that leaves nothing, when it is longer than the
   * limit, or when it holds U+FFFD.
   */
  private String id(String raw, String what, String field) {
    String id = raw.strip();
    if (id.isEmpty()) {
      throw new InvalidEventException(RejectReason.MISSING_ID, what + ": " + field + " is blank");
    }
    return bounded(id, what, field);
  }

  /** {@code s} unchanged, unless it is longer than the id limit or holds U+FFFD (then rejected). */
  private String bounded(String s, String what, String field) {
    long bytes = utf8Length(s, limits.maxIdBytes());
    if (bytes > limits.maxIdBytes()) {
      throw new InvalidEventException(RejectReason.ID_TOO_LONG, what + ": " + field + " " + quote(s) + " of "
          + bytes + " bytes is longer than " + limits.maxIdBytes() + " (" + StreamsKeys.MAX_ID_BYTES.key() + ")");
    }
    if (s.indexOf('\uFFFD') >= 0) {
      throw new InvalidEventException(RejectReason.INVALID_UTF8, what + ": " + field + " " + quote(s)
          + " holds U+FFFD (invalid UTF-8 decodes to it, so distinct ids could collide)");
    }
    return s;
  }

  private void eventTime(Instant time, String what) {
    long millis;
    try {
      millis = time.toEpochMilli();
    } catch (ArithmeticException e) {
      millis = time.isBefore(Instant.EPOCH) ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    if (!limits.eventTimeInRange(millis)) {
      throw new InvalidEventException(RejectReason.EVENT_TIME_OUT_OF_RANGE, what + ": event time " + millis
          + " ms is outside " + limits.eventTimeRange() + " (" + StreamsKeys.MIN_EVENT_TIME_MS.key() + ", "
          + StreamsKeys.MAX_EVENT_TIME_MS.key() + ")");
    }
  }

  /**
   * The UTF-8 length of {@code s} when it may exceed {@code limit}; otherwise some value not above {@code limit}
   * (a string whose chars cannot reach it is not scanned: a UTF-16 unit takes at most 3 bytes).
   */
  static long utf8Length(CharSequence s, int limit) {
    int n = s.length();
    if (3L * n <= limit) {
      return n;
    }
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** {@code s}, or its first {@value #QUOTED_ID_CHARS} chars and its length when it is longer. */
  static String quote(String s) {
    return s.length() <= QUOTED_ID_CHARS ? s : s.substring(0, QUOTED_ID_CHARS) + "... (" + s.length() + " chars)";
  }
}
