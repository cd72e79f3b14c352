package io.jrlstream.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.schemas.codec.SchemaHistory;
import io.jrlstream.schemas.codec.SchemaVersion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What docs/producers.md states about the wire format, checked against the code: the fingerprint table lists every
 * published schema version, the Python example's own Parsing Canonical Form gives Java's fingerprints (for every
 * published version and for a schema using every construct of the specification), and the Java example's bytes are
 * plain Avro single-object messages.
 */
class ProducerGuideTest {
  /** A table row of the guide: | `ReviewEvent` | 2 | `f450fe58fef03f26` | … */
  private static final Pattern ROW = Pattern.compile("^\\| `(\\w+)` \\| (\\d+) \\| `([0-9a-f]{16})` \\|",
      Pattern.MULTILINE);

  @TempDir
  Path dir;

  @Test
  void shouldListEveryPublishedFingerprintInTheGuide() throws Exception {
    String guide = Files.readString(RepoFiles.path("docs/producers.md"), StandardCharsets.UTF_8);
    Map<String, String> listed = new LinkedHashMap<>();
    Matcher m = ROW.matcher(guide);
    while (m.find()) {
      listed.put(m.group(1) + " v" + m.group(2), m.group(3));
    }
    Map<String, String> published = new LinkedHashMap<>();
    for (SchemaVersion v : SchemaHistory.standard().all()) {
      published.put(v.schema().getName() + " v" + v.version(), v.fingerprintHex());
    }
    assertEquals(published, listed, "the fingerprint table of docs/producers.md against SchemaHistory");
  }

  @Test
  void shouldComputeJavasFingerprintForEveryPublishedVersionInThePythonExample() throws Exception {
    assumeTrue(PythonExample.available(), () -> "skipped: no " + PythonExample.PYTHON);
    Path history = RepoFiles.path("schemas/src/main/resources/" + SchemaHistory.RESOURCE_ROOT);
    List<String> args = new ArrayList<>(List.of(RepoFiles.path("examples/python/produce_reviews.py").toString(),
        "--print-fingerprints"));
    Map<String, String> expected = new LinkedHashMap<>();
    for (SchemaVersion v : SchemaHistory.standard().all()) {
      Path file = history.resolve(v.schema().getName() + ".v" + v.version() + ".avsc");
      args.add(file.toString());
      expected.put(file.toString(), v.fingerprintHex() + " " + v.fullName());
    }
    Map<String, String> printed = new LinkedHashMap<>();
    PythonExample.Result run = PythonExample.run(args, 60);
    assertEquals(0, run.exit(), run.output());
    for (String line : run.output().strip().split("\n")) {
      String[] f = line.split(" ");
      printed.put(f[2], f[0] + " " + f[1]);
    }
    assertEquals(expected, printed);
  }

  /**
   * Every rule of the specification's canonical form at once: namespaces inherited and overridden, a named type
   * used again by (short) name, fixed, enum, map, nested array, unions, logical types on long, int, bytes and
   * fixed, and attributes to strip (doc, default, aliases, order, custom properties). The Python example must
   * agree with Avro's Java implementation; a canonical form that kept {@code {"type":"long"}} for a logical type,
   * as python3-avro 1.11's does, would not.
   */
  @Test
  void shouldAgreeWithJavaOnTheCanonicalFormOfEveryConstruct() throws Exception {
    assumeTrue(PythonExample.available(), () -> "skipped: no " + PythonExample.PYTHON);
    String schema = """
        {"type": "record", "name": "Outer", "namespace": "org.example", "doc": "d", "aliases": ["Old"],
         "custom": {"x": 1}, "fields": [
          {"name": "when", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "t"},
          {"name": "day", "type": {"type": "int", "logicalType": "date"}},
          {"name": "money", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
          {"name": "id", "type": {"type": "fixed", "name": "Id", "size": 16, "logicalType": "uuid"}},
          {"name": "other", "type": ["null", "Id"], "default": null},
          {"name": "inner", "type": {"type": "record", "name": "Inner", "namespace": "net.elsewhere", "fields": [
            {"name": "colour", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN"],
              "default": "RED"}},
            {"name": "again", "type": ["null", "Colour"]},
            {"name": "outer", "type": ["null", "org.example.Id"]}]}},
          {"name": "tags", "type": {"type": "map", "values": {"type": "array", "items": "string"}},
           "order": "ignore"},
          {"name": "kind", "type": "net.elsewhere.Colour", "aliases": ["k"]},
          {"name": "score", "type": {"type": "double"}, "default": 0.5},
          {"name": "text", "type": ["null", {"type": "string", "avro.java.string": "String"}]}]}
        """;
    Path file = dir.resolve("Outer.avsc");
    Files.writeString(file, schema, StandardCharsets.UTF_8);
    PythonExample.Result run = PythonExample.run(List.of(
        RepoFiles.path("examples/python/produce_reviews.py").toString(), "--print-fingerprints", file.toString()), 60);
    assertEquals(0, run.exit(), run.output());
    long java = SchemaNormalization.parsingFingerprint64(new Schema.Parser().parse(schema));
    assertEquals(SchemaVersion.hex(java) + " " + "org.example.Outer " + file, run.output().strip());
  }

  /**
   * The guide's wire format: C3 01, the fingerprint little-endian, the body; byte for byte what plain Avro's
   * {@code BinaryMessageEncoder} writes ({@code event.toByteBuffer()}), and read back by plain Avro's decoder with
   * {@link SchemaHistory} as its schema store. The record is keyed by user id.
   */
  @Test
  void shouldWriteSingleObjectMessagesThatPlainAvroWritesAndReads() throws Exception {
    ReviewEvent e = ReviewEvent.newBuilder().setEventId("shop-1:42")
        .setEventTime(Instant.ofEpochMilli(1_700_000_000_123L)).setUserId("u-7").setItemId("i-3").setStars(4)
        .setSummary("Warm").setReviewText("a warm, bright tone").setHelpfulVotes(2).build();
    ProducerRecord<String, byte[]> r = ProduceEvents.review("jrl.reviews", e);
    assertEquals("u-7", r.key());
    byte[] value = r.value();
    assertEquals((byte) 0xC3, value[0]);
    assertEquals((byte) 0x01, value[1]);
    long fingerprint = ByteBuffer.wrap(value, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals("f450fe58fef03f26", SchemaVersion.hex(fingerprint));
    assertEquals(AvroCodec.of(ReviewEvent.class).fingerprint(), fingerprint);

    ByteBuffer plain = e.toByteBuffer();
    byte[] plainBytes = new byte[plain.remaining()];
    plain.get(plainBytes);
    assertArrayEquals(plainBytes, value, "AvroCodec and Avro's BinaryMessageEncoder write the same bytes");

    // Generic records: Avro's specific decoder would want the class trusted (org.apache.avro.SERIALIZABLE_PACKAGES).
    BinaryMessageDecoder<GenericRecord> decoder =
        new BinaryMessageDecoder<>(GenericData.get(), ReviewEvent.SCHEMA$, SchemaHistory.standard());
    GenericRecord read = decoder.decode(value);
    assertEquals("shop-1:42", read.get("eventId").toString());
    assertEquals(1_700_000_000_123L, read.get("eventTime"));
    assertEquals("a warm, bright tone", read.get("reviewText").toString());
    assertEquals(2, read.get("helpfulVotes"));
  }
}
