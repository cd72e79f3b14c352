package io.jrlstream.schemas.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.schemas.ReviewEvent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

class SchemaHistoryTest {

  /**
   * Fingerprints of every published version. They are in messages already written, so they must
   * never change: add a line when publishing a version, never edit one.
   */
  private static final Map<String, String> PUBLISHED = published();

  private static Map<String, String> published() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("io.jrlstream.schemas.ReviewEvent v1", "be4ec9f066ba975b");
    m.put("io.jrlstream.schemas.ReviewEvent v2", "f450fe58fef03f26");
    m.put("io.jrlstream.schemas.RatingEvent v1", "51b2f4e59bd8d0b7");
    m.put("io.jrlstream.schemas.RatingEvent v2", "1eeb3713af958357");
    m.put("io.jrlstream.schemas.ImageEvent v1", "a7cc8e85f7d9da04");
    m.put("io.jrlstream.schemas.ImageFeatureEvent v1", "d1d0ba87a631d44b");
    m.put("io.jrlstream.schemas.EmbeddingRecord v1", "694bda4cd77071cf");
    m.put("io.jrlstream.schemas.TrainingEvent v1", "058b9dcff293fb53");
    return m;
  }

  private final SchemaHistory history = SchemaHistory.standard();

  @Test
  void shouldListEveryPublishedVersion() {
    assertEquals(List.of("io.jrlstream.schemas.ReviewEvent", "io.jrlstream.schemas.RatingEvent",
        "io.jrlstream.schemas.ImageEvent", "io.jrlstream.schemas.ImageFeatureEvent",
        "io.jrlstream.schemas.EmbeddingRecord", "io.jrlstream.schemas.TrainingEvent"),
        List.copyOf(history.recordNames()));
    assertEquals(List.copyOf(PUBLISHED.keySet()),
        history.all().stream().map(v -> v.fullName() + " v" + v.version()).toList());
    assertEquals(List.of(1, 2),
        history.versions("io.jrlstream.schemas.ReviewEvent").stream().map(SchemaVersion::version).toList());
  }

  @Test
  void shouldKeepPublishedFingerprintsStable() {
    for (SchemaVersion v : history.all()) {
      assertEquals(PUBLISHED.get(v.fullName() + " v" + v.version()), v.fingerprintHex(), v.toString());
      assertEquals(SchemaNormalization.parsingFingerprint64(v.schema()), v.fingerprint(), v.toString());
    }
  }

  @Test
  void shouldHaveEachCurrentSchemaAsLatestVersion() {
    for (Class<? extends SpecificRecord> type : SchemaHistory.recordTypes()) {
      Schema current = SchemaHistory.schemaOf(type);
      SchemaVersion latest = history.latest(current.getFullName()).orElseThrow();
      assertEquals(SchemaNormalization.parsingFingerprint64(current), latest.fingerprint(), type.getName());
    }
  }

  @Test
  void shouldFindEveryVersionByFingerprint() {
    for (SchemaVersion v : history.all()) {
      assertEquals(Optional.of(v), history.byFingerprint(v.fingerprint()));
      assertSame(v.schema(), history.findByFingerprint(v.fingerprint()));
    }
    assertEquals(Optional.empty(), history.byFingerprint(0x0123456789abcdefL));
    assertNull(history.findByFingerprint(0x0123456789abcdefL));
  }

  @Test
  void shouldAnswerEmptyForUnknownType() {
    assertEquals(List.of(), history.versions("io.jrlstream.schemas.Nope"));
    assertEquals(Optional.empty(), history.latest("io.jrlstream.schemas.Nope"));
  }

  @Test
  void shouldRejectCurrentSchemaThatIsNotPublished() {
    Schema edited = SchemaBuilder.record("ReviewEvent").namespace("io.jrlstream.schemas").fields()
        .requiredString("eventId").requiredString("extra").endRecord();

    SchemaException e = assertThrows(SchemaException.class, () -> load(SchemaHistory.RESOURCE_ROOT, edited));

    assertTrue(e.getMessage().contains("io/jrlstream/schemas/history/ReviewEvent.v3.avsc"), e.getMessage());
  }

  @Test
  void shouldRejectTypeWithoutHistory() {
    Schema unpublished = SchemaBuilder.record("Nope").namespace("io.jrlstream.schemas").fields()
        .requiredString("eventId").endRecord();

    SchemaException e = assertThrows(SchemaException.class, () -> load(SchemaHistory.RESOURCE_ROOT, unpublished));

    assertTrue(e.getMessage().contains("Nope.v1.avsc"), e.getMessage());
  }

  @Test
  void shouldRejectHistoryThatCurrentSchemaCannotRead() {
    Schema thingV2 = SchemaBuilder.record("Thing").namespace("test.jrl").fields()
        .requiredString("a").requiredInt("b").endRecord();

    SchemaException e = assertThrows(SchemaException.class,
        () -> load("io/jrlstream/schemas/codec/incompatible/", thingV2));

    assertTrue(e.getMessage().contains("cannot read data written with test.jrl.Thing v1"), e.getMessage());
  }

  @Test
  void shouldLoadSameFingerprintsFromResourcesEveryTime() {
    SchemaHistory again = SchemaHistory.load(SchemaHistory.class.getClassLoader(), SchemaHistory.RESOURCE_ROOT,
        SchemaHistory.recordTypes().stream().map(SchemaHistory::schemaOf).toList());

    assertEquals(history.all(), again.all());
    // The generated class's schema adds "avro.java.string" properties, which the canonical form drops.
    assertEquals(SchemaNormalization.parsingFingerprint64(ReviewEvent.getClassSchema()),
        again.latest("io.jrlstream.schemas.ReviewEvent").orElseThrow().fingerprint());
  }

  private static SchemaHistory load(String root, Schema current) {
    return SchemaHistory.load(SchemaHistory.class.getClassLoader(), root, List.of(current));
  }
}
