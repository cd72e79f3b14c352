package io.jrlstream.ops.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.RecordReader;
import io.jrlstream.core.data.SourceRecord;
import io.jrlstream.ops.Jrl;
import io.jrlstream.ops.importer.ImportProgress;
import io.jrlstream.ops.importer.Importer;
import io.jrlstream.ops.kafka.ChildJvm;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code jrl import} against a real broker: every good line becomes one event with its original time and text,
 * malformed lines are reported with number and reason, a re-run adds nothing, and an import interrupted inside
 * a transaction resumes without duplicates or gaps. One broker serves the class; each test has its own topics.
 */
class ImportTest {
  @TempDir static Path dir;
  private static LocalBroker broker;
  private static final AvroCodec<ReviewEvent> REVIEWS = AvroCodec.of(ReviewEvent.class);
  private static final AvroCodec<RatingEvent> RATINGS = AvroCodec.of(RatingEvent.class);
  private static final AvroCodec<ImageFeatureEvent> FEATURES = AvroCodec.of(ImageFeatureEvent.class);

  @BeforeAll
  static void startBroker() {
    broker = LocalBroker.start(dir.resolve("broker"));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** Settings whose topics are this test's own, and the matching config file for the command line. */
  private static StreamsSettings settings(String test) throws Exception {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", broker.bootstrapServers());
    p.setProperty("jrl.topic.reviews", test + ".reviews");
    p.setProperty("jrl.topic.ratings", test + ".ratings");
    p.setProperty("jrl.topic.image.features", test + ".features");
    p.setProperty("jrl.topic.imports", test + ".imports");
    p.setProperty("jrl.feature.dim", "8");
    try (var w = Files.newBufferedWriter(dir.resolve(test + ".properties"))) {
      p.store(w, null);
    }
    p.remove("jrl.topic.imports");
    return StreamsSettings.fromProperties(p);
  }

  private static String[] run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Jrl.commandLine(Map.of());
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    assertEquals(0, code, "exit code; stderr: " + err);
    return new String[] {out.toString(), err.toString()};
  }

  private static String review(String user, String item, double stars, String summary, String text, long time) {
    return "{\"reviewerID\": \"" + user + "\", \"asin\": \"" + item + "\", \"overall\": " + stars + ", \"summary\": \""
        + summary + "\", \"reviewText\": \"" + text + "\", \"unixReviewTime\": " + time + "}";
  }

  @Test
  void shouldImportEveryGoodLineOnceReportTheBadOnesAndAddNothingOnARerun() throws Exception {
    StreamsSettings s = settings("cli");
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 40; i++) {
      lines.add(review("U" + (i % 7), "I" + (i % 5), 1 + i % 5, "Sum " + i, "Text, as WRITTEN: " + i + "!",
          1_300_000_000L + i));
    }
    lines.set(2, "{\"reviewerID\": \"U1\", \"asin\": \"I1\", \"overall\": 9.0}"); // line 3
    lines.set(9, "not json at all"); // line 10
    lines.set(19, ""); // line 20: blank, not malformed
    lines.set(29, "{\"reviewerID\": \"U1\", \"asin\": \"I2\", \"overall\": 4.0, \"summary\": \"!!\"}"); // a rating
    Path file = Files.write(dir.resolve("reviews.json"), lines);
    String config = dir.resolve("cli.properties").toString();

    String[] first = run("import", "--data", file.toString(), "--config", config, "--chunk-lines", "7");
    assertTrue(first[1].contains("  line 3: overall 9.0 outside 1-5"), first[1]);
    assertTrue(first[1].contains("  line 10: invalid JSON"), first[1]);
    assertTrue(first[0].contains("37 new events (36 reviews, 1 rating) from 40 lines"), first[0]);
    assertTrue(first[0].contains("2 malformed lines"), first[0]);

    List<ConsumerRecord<String, byte[]>> reviews = TrainerFixtures.readCommitted(broker.bootstrapServers(),
        s.reviews().name());
    List<ConsumerRecord<String, byte[]>> ratings = TrainerFixtures.readCommitted(broker.bootstrapServers(),
        s.ratings().name());
    assertEquals(36, reviews.size());
    assertEquals(1, ratings.size());
    String fp = Importer.fingerprint(file);
    List<Long> positions = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : reviews) {
      ReviewEvent e = REVIEWS.decode(r.value());
      long line = Long.parseLong(e.getEventId().substring(fp.length() + 1));
      positions.add(line);
      assertEquals(fp + ":" + line, e.getEventId());
      assertEquals("Text, as WRITTEN: " + line + "!", e.getReviewText()); // the original text, not tokens
      assertEquals("Sum " + line, e.getSummary());
      assertEquals(Instant.ofEpochSecond(1_300_000_000L + line), e.getEventTime());
      assertEquals(1 + (int) (line % 5), e.getStars());
      assertEquals("U" + (line % 7), r.key());
    }
    List<Long> expected = new ArrayList<>();
    for (long l = 1; l <= 40; l++) {
      if (l != 3 && l != 10 && l != 20 && l != 30) {
        expected.add(l);
      }
    }
    assertEquals(expected, positions);
    RatingEvent rating = RATINGS.decode(ratings.get(0).value());
    assertEquals(fp + ":30", rating.getEventId());
    assertEquals(4f, rating.getStars());

    String[] again = run("import", "--data", file.toString(), "--config", config);
    assertTrue(again[1].contains("nothing new to import"), again[1]);
    assertTrue(again[0].contains(": 0 new events from 0 lines"), again[0]);
    assertEquals(36, TrainerFixtures.readCommitted(broker.bootstrapServers(), s.reviews().name()).size());
    assertEquals(1, TrainerFixtures.readCommitted(broker.bootstrapServers(), s.ratings().name()).size());
  }

  @Test
  void shouldResumeAnImportInterruptedInsideATransactionWithoutDuplicatesOrGaps() throws Exception {
    StreamsSettings s = settings("resume");
    List<String> lines = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      lines.add(i == 17 ? "only-one-column" : "user" + (i % 9) + "\titem" + i);
    }
    Path file = Files.write(dir.resolve("pairs.tsv"), lines);
    Importer.Options o = Importer.Options.defaults().withChunkLines(10);
    // A real crash: the child JVM halts with the third chunk's events sent and its transaction open.
    try (ChildJvm child = ChildJvm.start(ImportChildMain.class,
        dir.resolve("logs"), List.of("-Xmx128m"), List.of(broker.bootstrapServers(), file.toString(), "resume",
            "10", "30"))) {
      child.awaitOutput(ImportChildMain.HALTING, Duration.ofSeconds(60));
      assertEquals(OptionalInt.of(137), child.waitFor(Duration.ofSeconds(30)));
    }
    // Only the two committed chunks are visible: the third chunk's events were sent, never committed.
    assertEquals(19, TrainerFixtures.readCommitted(broker.bootstrapServers(), s.ratings().name()).size());

    List<Long> malformed = new ArrayList<>();
    Importer.Result r = Importer.run(file, s, "resume.imports", o, new Importer.Listener() {
      @Override
      public void malformed(long position, String reason) {
        malformed.add(position);
      }
    });
    assertEquals(20, r.before().position());
    assertEquals(19, r.before().events());
    assertEquals(1, r.before().malformed());
    assertEquals(30, r.events());
    assertEquals(List.of(), malformed); // line 17 was reported by the first run, in a committed chunk
    assertEquals(new ImportProgress("pairs.tsv", "PAIRS_TSV", 50, 49, 1, true), r.after());
    assertEquals(30L, r.byKind().get(SourceRecord.Kind.PAIR));

    String fp = Importer.fingerprint(file);
    List<String> ids = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> rec : TrainerFixtures.readCommitted(broker.bootstrapServers(),
        s.ratings().name())) {
      RatingEvent e = RATINGS.decode(rec.value());
      assertNull(e.getStars()); // a pair: an interaction without a rating
      assertEquals(Instant.EPOCH, e.getEventTime());
      ids.add(e.getEventId());
    }
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      if (i != 17) {
        expected.add(fp + ":" + i);
      }
    }
    assertEquals(expected, ids);
  }

  @Test
  void shouldImportImageFeaturesAndReportATruncatedRecord() throws Exception {
    StreamsSettings s = settings("features");
    ByteBuffer b = ByteBuffer.allocate(3 * (10 + 32) + 5).order(ByteOrder.LITTLE_ENDIAN);
    for (int r = 0; r < 3; r++) {
      b.put(String.format("B%09d", r).getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 8; i++) {
        b.putFloat(r * 10 + i);
      }
    }
    Path file = Files.write(dir.resolve("image_features_Test.b"), b.array());
    List<String> problems = new ArrayList<>();
    Importer.Result r = Importer.run(file, s, "features.imports",
        Importer.Options.defaults().withReadOptions(new RecordReader.Options(8,
            ByteOrder.LITTLE_ENDIAN)), new Importer.Listener() {
              @Override
              public void malformed(long position, String reason) {
                problems.add(position + ": " + reason);
              }
            });
    assertEquals(List.of("4: truncated: 5 of 42 bytes (the file ends inside the record)"), problems);
    assertEquals(3, r.events());
    List<ConsumerRecord<String, byte[]>> recs = TrainerFixtures.readCommitted(broker.bootstrapServers(),
        s.imageFeatures().name());
    assertEquals(3, recs.size());
    ImageFeatureEvent e = FEATURES.decode(recs.get(2).value());
    assertEquals("B000000002", e.getItemId());
    assertEquals("B000000002", recs.get(2).key());
    assertEquals(8, e.getDimension());
    float[] v = new float[8];
    for (int i = 0; i < 8; i++) {
      v[i] = e.getFeatures().get(i);
    }
    assertArrayEquals(new float[] {20, 21, 22, 23, 24, 25, 26, 27}, v);
    assertEquals("caffe-reference-fc7", e.getModelId());
  }
}
