package io.jrlstream.streams.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.schemas.codec.MalformedMessageException;
import io.jrlstream.schemas.codec.UnknownSchemaException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private final AvroSerde<RatingEvent> serde = AvroSerde.of(RatingEvent.class);

  private static RatingEvent rating() {
    return RatingEvent.newBuilder().setEventId("e1").setEventTime(Instant.ofEpochMilli(1234))
        .setUserId("u").setItemId("i").setStars(4f).build();
  }

  @Test
  void shouldRoundTrip() {
    byte[] bytes = serde.serializer().serialize("t", rating());

    assertEquals(rating(), serde.deserializer().deserialize("t", bytes));
    assertEquals(serde.codec().fingerprint(), AvroCodec.fingerprintOf(bytes));
  }

  @Test
  void shouldMapNullToNull() {
    assertNull(serde.serializer().serialize("t", null));
    assertNull(serde.deserializer().deserialize("t", null));
  }

  @Test
  void shouldThrowCodecExceptionForAnotherType() {
    byte[] review = AvroSerde.of(ReviewEvent.class).serializer().serialize("t", ReviewEvent.newBuilder()
        .setEventId("e").setEventTime(Instant.EPOCH).setUserId("u").setItemId("i").setStars(null)
        .setSummary("s").setReviewText("t").build());

    UnknownSchemaException e = assertThrows(UnknownSchemaException.class,
        () -> serde.deserializer().deserialize("t", review));

    assertTrue(e.getMessage().contains("io.jrlstream.schemas.RatingEvent"), e.getMessage());
  }

  @Test
  void shouldThrowCodecExceptionForGarbage() {
    assertThrows(MalformedMessageException.class,
        () -> serde.deserializer().deserialize("t", new byte[] {1, 2, 3}));
  }
}
