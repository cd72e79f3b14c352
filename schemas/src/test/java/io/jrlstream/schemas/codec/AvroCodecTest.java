package io.jrlstream.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroCodecTest {

  private final AvroCodec<ReviewEvent> reviews = AvroCodec.of(ReviewEvent.class);

  static List<SpecificRecord> samples() {
    return Samples.all();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void shouldRoundTripEveryRecordType(SpecificRecord sample) {
    AvroCodec<SpecificRecord> codec = codecFor(sample);

    byte[] bytes = codec.encode(sample);

    assertEquals(sample, codec.decode(bytes));
  }

  @ParameterizedTest
  @MethodSource("samples")
  void shouldWriteStandardSingleObjectEncoding(SpecificRecord sample) throws Exception {
    AvroCodec<SpecificRecord> codec = codecFor(sample);
    byte[] ours = codec.encode(sample);

    byte[] avros = toArray(new BinaryMessageEncoder<SpecificRecord>(SpecificData.get(), codec.schema()).encode(sample));
    GenericRecord readByAvro = new BinaryMessageDecoder<GenericRecord>(
        GenericData.get(), codec.schema(), SchemaHistory.standard()).decode(ours);

    assertArrayEquals(avros, ours);
    assertEquals((byte) 0xC3, ours[0]);
    assertEquals((byte) 0x01, ours[1]);
    assertEquals(codec.fingerprint(), AvroCodec.fingerprintOf(ours));
    assertEquals(sample.getSchema().getFullName(), readByAvro.getSchema().getFullName());
  }

  @Test
  void shouldRoundTripReviewWithoutStars() {
    ReviewEvent review = Samples.review();
    review.setStars(null);

    assertNull(reviews.decode(reviews.encode(review)).getStars());
  }

  @Test
  void shouldReadOlderWriterVersionIntoCurrentClassWithDefaultFilled() throws Exception {
    SchemaVersion v1 = SchemaHistory.standard().versions(ReviewEvent.getClassSchema().getFullName()).get(0);
    ReviewEvent expected = Samples.review();
    GenericRecord old = new GenericRecordBuilder(v1.schema())
        .set("eventId", expected.getEventId()).set("eventTime", expected.getEventTime().toEpochMilli())
        .set("userId", expected.getUserId()).set("itemId", expected.getItemId())
        .set("stars", expected.getStars()).set("summary", expected.getSummary())
        .set("reviewText", expected.getReviewText())
        .build();
    byte[] oldBytes = toArray(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1.schema()).encode(old));

    ReviewEvent decoded = reviews.decode(oldBytes);

    assertEquals(1, v1.version());
    assertEquals(v1.fingerprint(), AvroCodec.fingerprintOf(oldBytes));
    assertEquals(0, decoded.getHelpfulVotes());
    expected.setHelpfulVotes(0);
    assertEquals(expected, decoded);
  }

  @Test
  void shouldReadAVersion1RatingAndRoundTripAnInteractionWithoutStars() throws Exception {
    AvroCodec<RatingEvent> ratings = AvroCodec.of(RatingEvent.class);
    SchemaVersion v1 = SchemaHistory.standard().versions(RatingEvent.getClassSchema().getFullName()).get(0);
    RatingEvent expected = Samples.rating();
    GenericRecord old = new GenericRecordBuilder(v1.schema())
        .set("eventId", expected.getEventId()).set("eventTime", expected.getEventTime().toEpochMilli())
        .set("userId", expected.getUserId()).set("itemId", expected.getItemId())
        .set("stars", expected.getStars()).build();
    byte[] oldBytes = toArray(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1.schema()).encode(old));

    assertEquals(expected, ratings.decode(oldBytes));
    expected.setStars(null);
    assertNull(ratings.decode(ratings.encode(expected)).getStars());
  }

  @Test
  void shouldRejectUnknownFingerprintNamingItAndTheExpectedType() {
    byte[] bytes = reviews.encode(Samples.review());
    long unknown = 0x0123456789abcdefL;
    for (int i = 0; i < 8; i++) {
      bytes[2 + i] = (byte) (unknown >>> (8 * i));
    }

    UnknownSchemaException e = assertThrows(UnknownSchemaException.class, () -> reviews.decode(bytes));

    assertEquals(unknown, e.fingerprint());
    assertEquals("0123456789abcdef", e.fingerprintHex());
    assertEquals("io.jrlstream.schemas.ReviewEvent", e.expectedType());
    assertTrue(e.getMessage().contains("0123456789abcdef"), e.getMessage());
    assertTrue(e.getMessage().contains("io.jrlstream.schemas.ReviewEvent"), e.getMessage());
  }

  @Test
  void shouldRejectUnpublishedWriterSchema() throws Exception {
    Schema v3 = SchemaBuilder.record("ReviewEvent").namespace("io.jrlstream.schemas").fields()
        .requiredString("eventId").requiredLong("eventTime").requiredString("userId")
        .requiredString("itemId").optionalInt("stars").requiredString("summary")
        .requiredString("reviewText").name("helpfulVotes").type().intType().intDefault(0)
        .name("source").type().stringType().stringDefault("web")
        .endRecord();
    GenericRecord record = new GenericRecordBuilder(v3)
        .set("eventId", "e").set("eventTime", 1L).set("userId", "u").set("itemId", "i")
        .set("summary", "").set("reviewText", "").build();
    byte[] bytes = toArray(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v3).encode(record));

    UnknownSchemaException e = assertThrows(UnknownSchemaException.class, () -> reviews.decode(bytes));

    assertTrue(e.getMessage().contains("no published schema"), e.getMessage());
  }

  @Test
  void shouldRejectMessageOfAnotherRecordType() {
    AvroCodec<RatingEvent> ratings = AvroCodec.of(RatingEvent.class);
    byte[] rating = ratings.encode(Samples.rating());

    UnknownSchemaException e = assertThrows(UnknownSchemaException.class, () -> reviews.decode(rating));

    assertEquals(ratings.fingerprint(), e.fingerprint());
    assertTrue(e.getMessage().contains("io.jrlstream.schemas.RatingEvent v2"), e.getMessage());
  }

  @Test
  void shouldRejectBadMagic() {
    byte[] bytes = reviews.encode(Samples.review());
    bytes[0] = 0x4f;

    MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> reviews.decode(bytes));

    assertTrue(e.getMessage().contains("magic"), e.getMessage());
    assertThrows(MalformedMessageException.class, () -> AvroCodec.fingerprintOf(bytes));
  }

  @Test
  void shouldRejectInputShorterThanHeader() {
    byte[] bytes = reviews.encode(Samples.review());

    for (int length = 0; length < AvroCodec.HEADER_LENGTH; length++) {
      byte[] prefix = Arrays.copyOf(bytes, length);
      MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> reviews.decode(prefix));
      assertTrue(e.getMessage().contains("too short"), e.getMessage());
    }
  }

  @ParameterizedTest
  @MethodSource("samples")
  void shouldRejectEveryTruncatedBody(SpecificRecord sample) {
    AvroCodec<SpecificRecord> codec = codecFor(sample);
    byte[] bytes = codec.encode(sample);

    for (int length = AvroCodec.HEADER_LENGTH; length < bytes.length; length++) {
      byte[] prefix = Arrays.copyOf(bytes, length);
      assertThrows(MalformedMessageException.class, () -> codec.decode(prefix), "length " + length);
    }
  }

  @Test
  void shouldRejectTrailingBytes() {
    byte[] bytes = reviews.encode(Samples.review());
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);

    MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> reviews.decode(longer));

    assertTrue(e.getMessage().contains("trailing"), e.getMessage());
  }

  @Test
  void shouldRejectCorruptBody() {
    byte[] bytes = reviews.encode(Samples.review());
    bytes[AvroCodec.HEADER_LENGTH] = 0x01; // zig-zag -1: a negative length for eventId

    assertThrows(MalformedMessageException.class, () -> reviews.decode(bytes));
  }

  @Test
  void shouldRejectHugeDeclaredLengthWithoutAllocatingIt() {
    byte[] bytes = reviews.encode(Samples.review());
    byte[] corrupt = Arrays.copyOf(bytes, bytes.length + 4);
    // eventId's length becomes the varint of zig-zag(2_000_000_000), then the original body
    System.arraycopy(bytes, AvroCodec.HEADER_LENGTH, corrupt, AvroCodec.HEADER_LENGTH + 5,
        bytes.length - AvroCodec.HEADER_LENGTH - 1);
    long zigzag = 4_000_000_000L;
    for (int i = 0; i < 5; i++) {
      corrupt[AvroCodec.HEADER_LENGTH + i] = (byte) ((zigzag & 0x7F) | (i < 4 ? 0x80 : 0));
      zigzag >>>= 7;
    }

    MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> reviews.decode(corrupt));

    assertTrue(e.getMessage().contains("EOFException"), e.getMessage());
  }

  @Test
  void shouldRejectRecordThatBreaksItsSchemaOnEncode() {
    ReviewEvent review = Samples.review();
    review.setUserId(null);

    SchemaException e = assertThrows(SchemaException.class, () -> reviews.encode(review));

    assertTrue(e.getMessage().contains("ReviewEvent"), e.getMessage());
  }

  @Test
  void shouldDecodeWithoutSerializablePackagesPropertyOrGlobalValidatorChange() {
    assertNull(System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES"));

    reviews.decode(reviews.encode(Samples.review()));

    assertSame(ClassSecurityValidator.DEFAULT, ClassSecurityValidator.getGlobal());
  }

  @Test
  void shouldBeSafeToShareBetweenThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        results.add(pool.submit(() -> {
          for (int i = 0; i < 2_000; i++) {
            ReviewEvent review = Samples.review();
            review.setEventId("ev-" + seed + "-" + i);
            if (!review.equals(reviews.decode(reviews.encode(review)))) {
              return false;
            }
          }
          return true;
        }));
      }
      for (Future<Boolean> result : results) {
        assertTrue(result.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shouldRefuseCodecForTypeWhoseCurrentSchemaIsNotInHistory() {
    SchemaHistory onlyRatings = SchemaHistory.load(SchemaHistory.class.getClassLoader(),
        SchemaHistory.RESOURCE_ROOT, List.of(RatingEvent.getClassSchema()));

    SchemaException e = assertThrows(SchemaException.class, () -> AvroCodec.of(ReviewEvent.class, onlyRatings));

    assertTrue(e.getMessage().contains("io.jrlstream.schemas.ReviewEvent"), e.getMessage());
  }

  @SuppressWarnings("unchecked")
  private static AvroCodec<SpecificRecord> codecFor(SpecificRecord sample) {
    return (AvroCodec<SpecificRecord>) (AvroCodec<?>) AvroCodec.of(sample.getClass());
  }

  private static byte[] toArray(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
