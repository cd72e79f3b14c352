package io.jrlstream.streams.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.schemas.codec.SchemaHistory;
import io.jrlstream.schemas.codec.SchemaVersion;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serde.AvroSerde;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IngestionTopologyTest {

  private static final Instant T = Instant.ofEpochMilli(1_400_000_000_123L);
  private static final int DIM = 4;
  private static final int MAX_TEXT = 60;

  private static final AvroCodec<ReviewEvent> REVIEW_CODEC = AvroCodec.of(ReviewEvent.class);
  private static final AvroCodec<RatingEvent> RATING_CODEC = AvroCodec.of(RatingEvent.class);
  private static final AvroCodec<ImageFeatureEvent> FEATURE_CODEC = AvroCodec.of(ImageFeatureEvent.class);

  private final StreamsSettings settings = settings();
  private final DeadLetterCounter counter = new DeadLetterCounter();

  private static StreamsSettings settings() {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", "unused:9092");
    p.setProperty("application.id", "ingest-test");
    p.setProperty("jrl.feature.dim", Integer.toString(DIM));
    p.setProperty("jrl.max.text.chars", Integer.toString(MAX_TEXT));
    return StreamsSettings.fromProperties(p);
  }

  /** The input topics of the test settings. */
  enum Input {
    REVIEWS, RATINGS, FEATURES;

    String topic(StreamsSettings s) {
      return switch (this) {
        case REVIEWS -> s.reviews().name();
        case RATINGS -> s.ratings().name();
        case FEATURES -> s.imageFeatures().name();
      };
    }

    /** A valid record of this topic's type. */
    byte[] good(String eventId) {
      return switch (this) {
        case REVIEWS -> REVIEW_CODEC.encode(review(eventId, "u-" + eventId, "i1", 4, "Nice", "works well"));
        case RATINGS -> RATING_CODEC.encode(rating(eventId, "u-" + eventId, "i1", 3f));
        case FEATURES -> FEATURE_CODEC.encode(features(eventId, "i-" + eventId, DIM, 1f, 2f, 3f, 4f));
      };
    }
  }

  /** One driver with typed access to the ingestion topics; closed by try-with-resources. */
  private final class Pipeline implements AutoCloseable {
    final TopologyTestDriver driver;
    final TestOutputTopic<String, TrainingEvent> valid;
    final TestOutputTopic<byte[], byte[]> dead;

    Pipeline() {
      driver = new TopologyTestDriver(IngestionTopology.build(settings, counter), settings.kafkaProperties());
      valid = driver.createOutputTopic(settings.validatedTopic(), new StringDeserializer(),
          AvroSerde.of(TrainingEvent.class).deserializer());
      dead = driver.createOutputTopic(settings.deadLetters().name(), new ByteArrayDeserializer(),
          new ByteArrayDeserializer());
    }

    TestInputTopic<byte[], byte[]> in(Input input) {
      return driver.createInputTopic(input.topic(settings), new ByteArraySerializer(), new ByteArraySerializer());
    }

    void pipe(Input input, byte[] value) {
      in(input).pipeInput(null, value, T);
    }

    @Override
    public void close() {
      driver.close();
    }
  }

  static ReviewEvent review(String eventId, String user, String item, Integer stars, String summary, String text) {
    return ReviewEvent.newBuilder().setEventId(eventId).setEventTime(T).setUserId(user).setItemId(item)
        .setStars(stars).setSummary(summary).setReviewText(text).build();
  }

  static RatingEvent rating(String eventId, String user, String item, float stars) {
    return RatingEvent.newBuilder().setEventId(eventId).setEventTime(T).setUserId(user).setItemId(item)
        .setStars(stars).build();
  }

  static ImageFeatureEvent features(String eventId, String item, int dimension, float... values) {
    List<Float> list = new ArrayList<>();
    for (float v : values) {
      list.add(v);
    }
    return ImageFeatureEvent.newBuilder().setEventId(eventId).setEventTime(T).setItemId(item)
        .setModelId("resnet50").setModelVersion("1").setDimension(dimension).setFeatures(list).build();
  }

  private static TrainingEvent expected(TrainingEventKind kind, String eventId, String user, String item, Float stars,
      String text, String topic, long offset) {
    return new TrainingEvent(eventId, T, kind, user, item, stars, text, null, null, null, topic, 0, offset);
  }

  private static String header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private static byte[] withFingerprint(byte[] message, long fingerprint) {
    byte[] copy = message.clone();
    for (int i = 0; i < 8; i++) {
      copy[2 + i] = (byte) (fingerprint >>> (8 * i));
    }
    return copy;
  }

  static Stream<Arguments> badRecords() {
    byte[] goodReview = REVIEW_CODEC.encode(review("r", "u", "i", 5, "s", "t"));
    return Stream.of(
        Arguments.of(Input.REVIEWS, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, RejectReason.UNDECODABLE,
            "does not start with the single-object magic"),
        Arguments.of(Input.REVIEWS, new byte[] {(byte) 0xC3, 1, 5}, RejectReason.UNDECODABLE, "too short"),
        Arguments.of(Input.REVIEWS, Arrays.copyOf(goodReview, goodReview.length - 3),
            RejectReason.UNDECODABLE, "cannot decode"),
        Arguments.of(Input.RATINGS, null, RejectReason.UNDECODABLE, "has no value (null)"),
        Arguments.of(Input.REVIEWS, withFingerprint(goodReview, 0x0123456789abcdefL),
            RejectReason.UNKNOWN_SCHEMA, "unknown schema fingerprint 0123456789abcdef"),
        Arguments.of(Input.RATINGS, goodReview, RejectReason.UNKNOWN_SCHEMA,
            "io.jrlstream.schemas.ReviewEvent v2"),
        Arguments.of(Input.REVIEWS, REVIEW_CODEC.encode(review(" ", "u", "i", 5, "s", "t")),
            RejectReason.MISSING_ID, "review: eventId is blank"),
        Arguments.of(Input.REVIEWS, REVIEW_CODEC.encode(review("e1", " \t", "i", 5, "s", "t")),
            RejectReason.MISSING_ID, "review e1: userId is blank"),
        Arguments.of(Input.RATINGS, RATING_CODEC.encode(rating("e2", "u", "", 5f)),
            RejectReason.MISSING_ID, "rating e2: itemId is blank"),
        Arguments.of(Input.FEATURES, FEATURE_CODEC.encode(features("e3", " ", DIM, 1, 2, 3, 4)),
            RejectReason.MISSING_ID, "image features e3: itemId is blank"),
        Arguments.of(Input.REVIEWS, REVIEW_CODEC.encode(review("e4", "u", "i", 0, "s", "t")),
            RejectReason.STARS_OUT_OF_RANGE, "review e4: stars 0 outside 1-5"),
        Arguments.of(Input.REVIEWS, REVIEW_CODEC.encode(review("e5", "u", "i", 6, "s", "t")),
            RejectReason.STARS_OUT_OF_RANGE, "stars 6 outside 1-5"),
        Arguments.of(Input.RATINGS, RATING_CODEC.encode(rating("e6", "u", "i", 0.5f)),
            RejectReason.STARS_OUT_OF_RANGE, "rating e6: stars 0.5 outside 1-5"),
        Arguments.of(Input.RATINGS, RATING_CODEC.encode(rating("e7", "u", "i", 5.01f)),
            RejectReason.STARS_OUT_OF_RANGE, "stars 5.01 outside 1-5"),
        Arguments.of(Input.RATINGS, RATING_CODEC.encode(rating("e8", "u", "i", Float.NaN)),
            RejectReason.STARS_OUT_OF_RANGE, "stars NaN outside 1-5"),
        Arguments.of(Input.REVIEWS, REVIEW_CODEC.encode(review("e9", "u", "i", 5, "", "")),
            RejectReason.EMPTY_TEXT, "review e9: summary and text hold no word"),
        Arguments.of(Input.REVIEWS, REVIEW_CODEC.encode(review("e10", "u", "i", null, "!!!", "42 \u2603 \u00e9")),
            RejectReason.EMPTY_TEXT, "hold no word"),
        Arguments.of(Input.REVIEWS, REVIEW_CODEC.encode(review("e11", "u", "i", 5, "a".repeat(30), "b".repeat(30))),
            RejectReason.TEXT_TOO_LONG, "review e11: text of 61 chars is longer than 60"),
        Arguments.of(Input.FEATURES, FEATURE_CODEC.encode(features("e12", "i", DIM, 1, 2, Float.NaN, 4)),
            RejectReason.BAD_VECTOR, "image features e12: feature 2 of 4 is NaN"),
        Arguments.of(Input.FEATURES, FEATURE_CODEC.encode(features("e13", "i", DIM, Float.NEGATIVE_INFINITY, 2, 3, 4)),
            RejectReason.BAD_VECTOR, "feature 0 of 4 is -Infinity"),
        Arguments.of(Input.FEATURES, FEATURE_CODEC.encode(features("e14", "i", 5, 1, 2, 3, 4)),
            RejectReason.WRONG_DIMENSION, "declares dimension 5 but has 4 features"),
        Arguments.of(Input.FEATURES, FEATURE_CODEC.encode(features("e15", "i", 3, 1, 2, 3)),
            RejectReason.WRONG_DIMENSION, "has 3 features, expected 4 (jrl.feature.dim)"),
        Arguments.of(Input.FEATURES, FEATURE_CODEC.encode(features("e16", "i", 0)),
            RejectReason.WRONG_DIMENSION, "has 0 features, expected 4"),
        Arguments.of(Input.REVIEWS, REVIEW_CODEC.encode(review("e17", "u".repeat(1025), "i", 5, "s", "t")),
            RejectReason.ID_TOO_LONG, "review e17: userId uuuu"),
        Arguments.of(Input.RATINGS, RATING_CODEC.encode(rating("e18", "u", "\u00e9".repeat(513), 5f)),
            RejectReason.ID_TOO_LONG, "itemId \u00e9\u00e9\u00e9"),
        Arguments.of(Input.RATINGS, RATING_CODEC.encode(rating("e".repeat(2000), "u", "i", 5f)),
            RejectReason.ID_TOO_LONG, "... (2000 chars) of 2000 bytes is longer than 1024 (jrl.max.id.bytes)"),
        Arguments.of(Input.FEATURES, FEATURE_CODEC.encode(ImageFeatureEvent.newBuilder(features("e19", "i", DIM, 1,
            2, 3, 4)).setModelVersion("v".repeat(1025)).build()), RejectReason.ID_TOO_LONG, "modelVersion"),
        Arguments.of(Input.RATINGS, invalidUtf8User(), RejectReason.INVALID_UTF8,
            "rating e20: userId u\uFFFD( holds U+FFFD"),
        Arguments.of(Input.RATINGS, RATING_CODEC.encode(RatingEvent.newBuilder(rating("e21", "u", "i", 5f))
            .setEventTime(Instant.ofEpochMilli(-1)).build()), RejectReason.EVENT_TIME_OUT_OF_RANGE,
            "rating e21: event time -1 ms is outside 1970-01-01T00:00:00Z..2100-01-01T00:00:00Z"),
        Arguments.of(Input.REVIEWS, REVIEW_CODEC.encode(ReviewEvent.newBuilder(review("e22", "u", "i", 5, "s", "t"))
            .setEventTime(Instant.ofEpochMilli(9_000_000_000_000_000L)).build()),
            RejectReason.EVENT_TIME_OUT_OF_RANGE, "event time 9000000000000000 ms"));
  }

  /** A rating whose user id holds the bytes 0xC3 0x28: not UTF-8 (it decodes to U+FFFD and '('). */
  private static byte[] invalidUtf8User() {
    byte[] v = RATING_CODEC.encode(rating("e20", "u\u0001\u0001", "i", 5f));
    for (int i = 0; i + 2 < v.length; i++) {
      if (v[i] == 'u' && v[i + 1] == 1 && v[i + 2] == 1) {
        v[i + 1] = (byte) 0xC3;
        v[i + 2] = 0x28;
        return v;
      }
    }
    throw new AssertionError("user id not found in the encoding");
  }

  @Test
  void shouldAcceptIdsEventTimesAndHeadersAtTheirLimits() {
    Headers atLimit = new RecordHeaders().add("h", new byte[16384 - 3 - 10]);
    Headers over = new RecordHeaders().add("h", new byte[16384 - 3 - 10 + 1]);
    try (Pipeline p = new Pipeline()) {
      TestInputTopic<byte[], byte[]> in = p.in(Input.RATINGS);
      in.pipeInput(null, RATING_CODEC.encode(rating("a", "u".repeat(1024), "\u00e9".repeat(512), 5f)), T);
      in.pipeInput(null, RATING_CODEC.encode(RatingEvent.newBuilder(rating("b", "u", "i", 5f))
          .setEventTime(Instant.EPOCH).build()), T);
      in.pipeInput(null, RATING_CODEC.encode(RatingEvent.newBuilder(rating("c", "u", "i", 5f))
          .setEventTime(Instant.parse("2100-01-01T00:00:00Z")).build()), T);
      in.pipeInput(new TestRecord<>(null, Input.RATINGS.good("d"), atLimit, T));
      in.pipeInput(new TestRecord<>(null, Input.RATINGS.good("e"), over, T));

      assertEquals(List.of("a", "b", "c", "d"), p.valid.readRecordsToList().stream()
          .map(r -> r.value().getEventId()).toList());
      TestRecord<byte[], byte[]> letter = p.dead.readRecord();
      assertEquals(RejectReason.HEADERS_TOO_LARGE.name(), header(letter.headers(), DeadLetterHeaders.ERROR));
      assertEquals("record headers of 16385 bytes are more than 16384 (jrl.max.header.bytes)",
          header(letter.headers(), DeadLetterHeaders.REASON));
      assertTrue(p.dead.isEmpty());
    }
  }

  @Test
  void shouldCutADeadLetterThatWouldNotFitARequestAndNameTheOriginalSizes() {
    byte[] garbage = new byte[1_048_400];
    Arrays.fill(garbage, (byte) 7);
    byte[] key = new byte[5000];
    Headers original = new RecordHeaders().add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
    try (Pipeline p = new Pipeline()) {
      p.in(Input.REVIEWS).pipeInput(new TestRecord<>(key, garbage, original, T));
      p.pipe(Input.REVIEWS, Input.REVIEWS.good("after"));

      TestRecord<byte[], byte[]> letter = p.dead.readRecord();
      assertEquals(65536, letter.value().length);
      assertArrayEquals(Arrays.copyOf(garbage, 65536), letter.value());
      assertEquals(1024, letter.key().length);
      assertEquals("1048400", header(letter.headers(), DeadLetterHeaders.ORIGINAL_VALUE_BYTES));
      assertEquals("5000", header(letter.headers(), DeadLetterHeaders.ORIGINAL_KEY_BYTES));
      assertEquals(Long.toString(DeadLetterHeaders.bytes(original)),
          header(letter.headers(), DeadLetterHeaders.ORIGINAL_HEADER_BYTES));
      assertNull(header(letter.headers(), "trace-id"), "a cut dead letter keeps none of the original headers");
      assertEquals(RejectReason.UNDECODABLE.name(), header(letter.headers(), DeadLetterHeaders.ERROR));
      assertEquals("0", header(letter.headers(), DeadLetterHeaders.SOURCE_OFFSET));
      assertEquals("after", p.valid.readRecord().value().getEventId());
    }
  }

  @ParameterizedTest(name = "[{index}] {2} on {0}: {3}")
  @MethodSource("badRecords")
  void shouldDeadLetterBadRecordWithOriginalBytesAndHeadersBetweenGoodOnes(Input input, byte[] bad,
      RejectReason reason, String reasonText) {
    byte[] badKey = {(byte) 0xFF, 0, 7};
    Headers original = new RecordHeaders().add("trace-id", "abc".getBytes(StandardCharsets.UTF_8));
    try (Pipeline p = new Pipeline()) {
      TestInputTopic<byte[], byte[]> in = p.in(input);
      in.pipeInput(null, input.good("g1"), T);
      in.pipeInput(new TestRecord<>(badKey, bad, original, T.plusSeconds(1)));
      in.pipeInput(null, input.good("g2"), T);

      List<TestRecord<String, TrainingEvent>> valid = p.valid.readRecordsToList();
      List<TestRecord<byte[], byte[]>> dead = p.dead.readRecordsToList();

      assertEquals(List.of("g1", "g2"), valid.stream().map(r -> r.value().getEventId()).toList());
      assertEquals(List.of(0L, 2L), valid.stream().map(r -> r.value().getSourceOffset()).toList());
      assertEquals(1, dead.size());
      TestRecord<byte[], byte[]> letter = dead.get(0);
      assertArrayEquals(badKey, letter.key());
      assertArrayEquals(bad, letter.value());
      assertEquals(T.plusSeconds(1), letter.getRecordTime());
      assertEquals(reason.name(), header(letter.headers(), DeadLetterHeaders.ERROR));
      String why = header(letter.headers(), DeadLetterHeaders.REASON);
      assertTrue(why.contains(reasonText), why);
      assertEquals(input.topic(settings), header(letter.headers(), DeadLetterHeaders.SOURCE_TOPIC));
      assertEquals("0", header(letter.headers(), DeadLetterHeaders.SOURCE_PARTITION));
      assertEquals("1", header(letter.headers(), DeadLetterHeaders.SOURCE_OFFSET));
      assertEquals("abc", header(letter.headers(), "trace-id"));
      assertEquals(1, counter.count(reason));
      assertEquals(1, counter.total());
    }
  }

  @Test
  void shouldPassGoodRecordsAroundBadOnesInOrderCorrectlyNormalised() {
    try (Pipeline p = new Pipeline()) {
      p.pipe(Input.REVIEWS, REVIEW_CODEC.encode(review("r1", " u1 ", "i1", 4, "Great", "Works well")));
      p.pipe(Input.REVIEWS, new byte[] {0});
      p.pipe(Input.RATINGS, RATING_CODEC.encode(rating("a1", "u2", "i2", 2.5f)));
      p.pipe(Input.REVIEWS, REVIEW_CODEC.encode(review("r2", "u3", "i3", null, "", "Only the body")));
      p.pipe(Input.RATINGS, RATING_CODEC.encode(rating("a2", "u2", "i2", 9f)));
      p.pipe(Input.REVIEWS, REVIEW_CODEC.encode(review(" r3 ", "u1", " i4", 1, "Only the summary", "")));
      p.pipe(Input.FEATURES, FEATURE_CODEC.encode(features("f1", "i5", DIM, 0.5f, -1f, 0f, 2f)));
      p.pipe(Input.REVIEWS, REVIEW_CODEC.encode(review("r4", "u4", "i1", 5, "", "")));
      p.pipe(Input.RATINGS, RATING_CODEC.encode(rating("a3", "u5", "i6", 1f)));

      List<TestRecord<String, TrainingEvent>> valid = p.valid.readRecordsToList();
      String reviews = settings.reviews().name();
      String ratings = settings.ratings().name();
      TrainingEvent features = new TrainingEvent("f1", T, TrainingEventKind.FEATURES, null, "i5", null, null,
          List.of(0.5f, -1f, 0f, 2f), "resnet50", "1", settings.imageFeatures().name(), 0, 0L);
      assertEquals(List.of(
          expected(TrainingEventKind.REVIEW, "r1", "u1", "i1", 4f, "Great Works well", reviews, 0),
          expected(TrainingEventKind.RATING, "a1", "u2", "i2", 2.5f, null, ratings, 0),
          expected(TrainingEventKind.REVIEW, "r2", "u3", "i3", null, "Only the body", reviews, 2),
          expected(TrainingEventKind.REVIEW, "r3", "u1", "i4", 1f, "Only the summary", reviews, 3),
          features,
          expected(TrainingEventKind.RATING, "a3", "u5", "i6", 1f, null, ratings, 2)),
          valid.stream().map(TestRecord::value).toList());
      assertEquals(List.of("u1", "u2", "u3", "u1", "i5", "u5"), valid.stream().map(TestRecord::key).toList());
      assertEquals(List.of("1", "1", "4"), p.dead.readRecordsToList().stream()
          .map(r -> header(r.headers(), DeadLetterHeaders.SOURCE_OFFSET)).toList());
      assertEquals(Map.of(RejectReason.UNDECODABLE, 1L, RejectReason.STARS_OUT_OF_RANGE, 1L,
          RejectReason.EMPTY_TEXT, 1L), nonZero(counter));
    }
  }

  /** A rating event without stars (version 2: a plain interaction, e.g. from a pairs file) is valid. */
  @Test
  void shouldAcceptARatingEventWithoutStarsAsAnInteraction() {
    try (Pipeline p = new Pipeline()) {
      RatingEvent pair = rating("p1", "u7", "i7", 1f);
      pair.setStars(null);
      p.pipe(Input.RATINGS, RATING_CODEC.encode(pair));

      assertEquals(List.of(expected(TrainingEventKind.RATING, "p1", "u7", "i7", null, null,
          settings.ratings().name(), 0)), p.valid.readRecordsToList().stream().map(TestRecord::value).toList());
      assertTrue(p.dead.readRecordsToList().isEmpty());
    }
  }

  private static Map<RejectReason, Long> nonZero(DeadLetterCounter c) {
    Map<RejectReason, Long> m = new EnumMap<>(RejectReason.class);
    c.snapshot().forEach((r, n) -> {
      if (n > 0) {
        m.put(r, n);
      }
    });
    return m;
  }

  @Test
  void shouldAcceptReviewFromOlderWriterVersion() {
    SchemaVersion v1 = SchemaHistory.standard().versions(ReviewEvent.getClassSchema().getFullName()).get(0);
    GenericRecord old = new GenericRecordBuilder(v1.schema())
        .set("eventId", "old-1").set("eventTime", T.toEpochMilli()).set("userId", "u9").set("itemId", "i9")
        .set("stars", 3).set("summary", "Old").set("reviewText", "writer").build();
    byte[] bytes;
    try {
      ByteBuffer buffer = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1.schema()).encode(old);
      bytes = Arrays.copyOfRange(buffer.array(), buffer.arrayOffset() + buffer.position(),
          buffer.arrayOffset() + buffer.limit());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertEquals(1, v1.version());
    assertNotEquals(REVIEW_CODEC.fingerprint(), AvroCodec.fingerprintOf(bytes));

    try (Pipeline p = new Pipeline()) {
      p.pipe(Input.REVIEWS, bytes);

      assertEquals(expected(TrainingEventKind.REVIEW, "old-1", "u9", "i9", 3f, "Old writer",
          settings.reviews().name(), 0), p.valid.readValue());
      assertTrue(p.dead.isEmpty());
    }
  }

  @Test
  void shouldKeepTimestampAndHeadersOfValidRecords() {
    try (Pipeline p = new Pipeline()) {
      Headers headers = new RecordHeaders().add("trace-id", new byte[] {1});
      p.in(Input.RATINGS).pipeInput(new TestRecord<>(null, Input.RATINGS.good("a"), headers, T.plusMillis(7)));

      TestRecord<String, TrainingEvent> out = p.valid.readRecord();

      assertEquals(T.plusMillis(7), out.getRecordTime());
      assertArrayEquals(new byte[] {1}, out.headers().lastHeader("trace-id").value());
    }
  }

  @Test
  void shouldReplaceDeadLetterHeadersOfAReplayedDeadLetter() {
    try (Pipeline p = new Pipeline()) {
      Headers stale = new RecordHeaders()
          .add(DeadLetterHeaders.ERROR, "OLD".getBytes(StandardCharsets.UTF_8))
          .add(DeadLetterHeaders.SOURCE_OFFSET, "99".getBytes(StandardCharsets.UTF_8));
      p.in(Input.REVIEWS).pipeInput(new TestRecord<>(null, new byte[] {9}, stale, T));

      Headers headers = p.dead.readRecord().headers();

      assertEquals(5, headers.toArray().length); // the two stale ones replaced, not repeated
      assertEquals("UNDECODABLE", header(headers, DeadLetterHeaders.ERROR));
      assertEquals("0", header(headers, DeadLetterHeaders.SOURCE_OFFSET));
    }
  }

  @Test
  void shouldCountDeadLettersPerReason() {
    try (Pipeline p = new Pipeline()) {
      p.pipe(Input.REVIEWS, new byte[] {1});
      p.pipe(Input.RATINGS, new byte[] {2});
      p.pipe(Input.RATINGS, RATING_CODEC.encode(rating("x", "u", "i", 0f)));

      assertEquals(2, counter.count(RejectReason.UNDECODABLE));
      assertEquals(1, counter.count(RejectReason.STARS_OUT_OF_RANGE));
      assertEquals(0, counter.count(RejectReason.BAD_VECTOR));
      assertEquals(3, counter.total());
      assertEquals(RejectReason.values().length, counter.snapshot().size());
    }
  }

  @Test
  void shouldNameNodesAndReadEveryInputTopicInOneSource() {
    Topology topology = IngestionTopology.build(settings);

    String description = topology.describe().toString();

    for (String name : List.of(IngestionTopology.SOURCE, IngestionTopology.VALIDATOR,
        ValidatingProcessor.VALID_CHILD, ValidatingProcessor.DEAD_LETTER_CHILD,
        IngestionTopology.VALIDATED_SINK, settings.reviews().name(), settings.ratings().name(),
        settings.imageFeatures().name(), settings.deadLetters().name(), settings.validatedTopic())) {
      assertTrue(description.contains(name), name + " in " + description);
    }
    assertEquals(1, topology.describe().subtopologies().size());
  }

  @Test
  void shouldRepartitionBeforeKeyedStateDownstreamOfAddTo() {
    StreamsBuilder builder = new StreamsBuilder();
    IngestionTopology.addTo(builder, settings, counter)
        .groupByKey(Grouped.with("by-user", Serdes.String(), AvroSerde.of(TrainingEvent.class)))
        .count(Materialized.as("count-by-user"));

    Topology topology = builder.build();

    assertEquals(2, topology.describe().subtopologies().size());
    assertTrue(topology.describe().toString().contains("by-user-repartition"), topology.describe().toString());
  }

  @Test
  void shouldDeadLetterNullValueWithNullKey() {
    try (Pipeline p = new Pipeline()) {
      p.pipe(Input.FEATURES, null);

      TestRecord<byte[], byte[]> letter = p.dead.readRecord();

      assertNull(letter.key());
      assertNull(letter.value());
      assertTrue(p.valid.isEmpty());
    }
  }
}
