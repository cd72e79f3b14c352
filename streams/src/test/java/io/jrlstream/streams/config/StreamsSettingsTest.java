package io.jrlstream.streams.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class StreamsSettingsTest {

  private static Properties props(String... keyValues) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", "broker:9092");
    for (int i = 0; i < keyValues.length; i += 2) {
      p.setProperty(keyValues[i], keyValues[i + 1]);
    }
    return p;
  }

  private static IllegalArgumentException rejected(Properties p) {
    return assertThrows(IllegalArgumentException.class, () -> StreamsSettings.fromProperties(p));
  }

  @Test
  void shouldUseDocumentedDefaults() {
    StreamsSettings s = StreamsSettings.fromProperties(props());

    assertEquals("jrl", s.applicationId());
    assertEquals("broker:9092", s.bootstrapServers());
    assertEquals(TopicSpec.of("jrl.reviews", 1, (short) -1), s.reviews());
    assertEquals(TopicSpec.of("jrl.ratings", 1, (short) -1), s.ratings());
    assertEquals(TopicSpec.of("jrl.image-features", 1, (short) -1), s.imageFeatures());
    assertEquals(TopicSpec.of("jrl.dead-letters", 1, (short) -1), s.deadLetters());
    assertEquals("jrl.validated", s.validatedTopic());
    assertEquals("jrl.embeddings.", s.embeddingsTopicPrefix());
    assertEquals("jrl.embeddings.review", s.embeddingsTopic("review"));
    assertEquals(100_000, s.maxTextChars());
    assertEquals(4096, s.featureDim());
    assertEquals(Map.of(), s.passthrough());
    assertEquals(s, StreamsSettings.defaults("broker:9092"));
  }

  @Test
  void shouldMatchDefaultsDeclaredInStreamsKeys() {
    StreamsSettings s = StreamsSettings.fromProperties(props());

    assertEquals(StreamsKeys.REVIEWS.name().defaultValue().orElseThrow(), s.reviews().name());
    assertEquals(StreamsKeys.MAX_TEXT_CHARS.defaultValue().orElseThrow(), s.maxTextChars());
    assertEquals(StreamsKeys.FEATURE_DIM.defaultValue().orElseThrow(), s.featureDim());
    assertTrue(StreamsKeys.BOOTSTRAP_SERVERS.defaultValue().isEmpty());
    assertEquals(Limits.DEFAULTS, s.limits());
  }

  @Test
  void shouldReadOverrides() {
    StreamsSettings s = StreamsSettings.fromProperties(props(
        "application.id", "jrl-test",
        "jrl.topic.reviews", " my.reviews ",
        "jrl.topic.reviews.partitions", "12",
        "jrl.topic.reviews.replication.factor", "3",
        "jrl.topic.ratings", "my.ratings",
        "jrl.topic.image.features", "my.features",
        "jrl.topic.image.features.partitions", "4",
        "jrl.topic.dead.letters", "my.dlq",
        "jrl.topic.dead.letters.replication.factor", "2",
        "jrl.topic.validated", "my.validated",
        "jrl.topic.embeddings.prefix", "emb-",
        "jrl.max.text.chars", "500",
        "jrl.feature.dim", "2048"));

    assertEquals("jrl-test", s.applicationId());
    assertEquals(TopicSpec.of("my.reviews", 12, (short) 3), s.reviews());
    assertEquals(TopicSpec.of("my.ratings", 1, (short) -1), s.ratings());
    assertEquals(TopicSpec.of("my.features", 4, (short) -1), s.imageFeatures());
    assertEquals(TopicSpec.of("my.dlq", 1, (short) 2), s.deadLetters());
    assertEquals(List.of(s.reviews(), s.ratings(), s.imageFeatures()), s.inputTopics());
    assertEquals("my.validated", s.validatedTopic());
    assertEquals("emb-image", s.embeddingsTopic("image"));
    assertEquals(500, s.maxTextChars());
    assertEquals(2048, s.featureDim());
  }

  @Test
  void shouldRejectUnknownJrlKeysNamingThemAndTheKnownOnes() {
    IllegalArgumentException e = rejected(props("jrl.topic.reveiws", "x", "jrl.max.txt.chars", "5"));

    assertTrue(e.getMessage().contains("jrl.max.txt.chars (file (properties)), jrl.topic.reveiws (file (properties))"),
        e.getMessage());
    assertTrue(e.getMessage().contains("jrl.topic.reviews"), e.getMessage());
  }

  @Test
  void shouldPassThroughOtherKeysAndHideSecretsInToString() {
    StreamsSettings s = StreamsSettings.fromProperties(props(
        "security.protocol", "SASL_SSL",
        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"s3cr3t\";",
        "processing.guarantee", "exactly_once_v2"));

    assertEquals(List.of("processing.guarantee", "sasl.jaas.config", "security.protocol"),
        List.copyOf(s.passthrough().keySet()));
    Properties kafka = s.kafkaProperties();
    assertEquals("SASL_SSL", kafka.getProperty("security.protocol"));
    assertEquals("exactly_once_v2", kafka.getProperty("processing.guarantee"));
    assertEquals("jrl", kafka.getProperty("application.id"));
    assertEquals("broker:9092", kafka.getProperty("bootstrap.servers"));
    assertFalse(s.toString().contains("s3cr3t"), s.toString());
    assertTrue(s.toString().contains("SASL_SSL"), s.toString());
  }

  @Test
  void shouldReadKeysFromPropertiesDefaults() {
    Properties defaults = props("jrl.feature.dim", "8");
    Properties p = new Properties(defaults);
    p.setProperty("jrl.max.text.chars", "9");

    StreamsSettings s = StreamsSettings.fromProperties(p);

    assertEquals(8, s.featureDim());
    assertEquals(9, s.maxTextChars());
  }

  @Test
  void shouldRequireBootstrapServers() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> StreamsSettings.fromProperties(new Properties()));

    assertTrue(e.getMessage().contains("bootstrap.servers is required"), e.getMessage());
  }

  @Test
  void shouldRejectValuesThatAreNotNumbers() {
    IllegalArgumentException e = rejected(props("jrl.topic.ratings.partitions", "two"));

    assertTrue(e.getMessage().contains("jrl.topic.ratings.partitions must be an integer"), e.getMessage());
    assertTrue(e.getMessage().contains("'two'"), e.getMessage());
    assertTrue(rejected(props("jrl.topic.ratings.replication.factor", "100000")).getMessage()
        .contains("from 1 to 32767"));
  }

  @Test
  void shouldRejectOutOfRangeValues() {
    assertTrue(rejected(props("jrl.topic.reviews.partitions", "0")).getMessage()
        .contains("jrl.topic.reviews.partitions must be an integer >= 1, got '0'"));
    assertTrue(rejected(props("jrl.topic.dead.letters.replication.factor", "0")).getMessage()
        .contains("jrl.topic.dead.letters.replication.factor must be -1 (the broker's default.replication.factor)"));
    assertEquals(-1, StreamsSettings.fromProperties(props("jrl.topic.dead.letters.replication.factor", "-1"))
        .deadLetters().replication());
    assertTrue(rejected(props("jrl.max.text.chars", "0")).getMessage()
        .contains("jrl.max.text.chars must be an integer >= 1, got '0'"));
    assertTrue(rejected(props("jrl.feature.dim", "-3")).getMessage()
        .contains("jrl.feature.dim must be an integer >= 1"));
    assertTrue(rejected(props("bootstrap.servers", " ")).getMessage()
        .contains("bootstrap.servers must be non-blank text, got ''"));
  }

  @Test
  void shouldRejectIllegalTopicNames() {
    assertTrue(rejected(props("jrl.topic.reviews", "my reviews")).getMessage()
        .contains("jrl.topic.reviews must be a topic name of 1 to 249 characters from [a-zA-Z0-9._-],"
            + " got 'my reviews'"));
    assertTrue(rejected(props("jrl.topic.ratings", "")).getMessage()
        .contains("jrl.topic.ratings must be a topic name"));
    assertTrue(rejected(props("jrl.topic.ratings", "r".repeat(250))).getMessage().contains("1 to 249 characters"));
    assertTrue(rejected(props("application.id", "a/b")).getMessage().contains("application.id"));
  }

  @Test
  void shouldRejectOneTopicForTwoPurposes() {
    IllegalArgumentException e = rejected(props("jrl.topic.dead.letters", "jrl.reviews"));

    assertTrue(e.getMessage().contains("topic jrl.reviews is configured for two purposes"), e.getMessage());
  }

  @Test
  void shouldRejectTopicUnderEmbeddingsPrefix() {
    IllegalArgumentException e = rejected(props("jrl.topic.embeddings.prefix", "jrl."));

    assertTrue(e.getMessage().contains("starts with the embeddings prefix 'jrl.'"), e.getMessage());
  }

  @Test
  void shouldRejectTypedKeysInPassthrough() {
    StreamsSettings s = StreamsSettings.defaults("b:1");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new StreamsSettings(
        s.applicationId(), s.bootstrapServers(), s.reviews(), s.ratings(), s.imageFeatures(),
        s.deadLetters(), s.validatedTopic(), s.embeddingsTopicPrefix(), s.maxTextChars(), s.featureDim(),
        Map.of("bootstrap.servers", "other:1")));

    assertTrue(e.getMessage().contains("must not set bootstrap.servers"), e.getMessage());
  }

  @Test
  void shouldCopyPassthroughSoLaterChangesDoNotLeakIn() {
    StreamsSettings s = StreamsSettings.defaults("b:1");
    Map<String, String> mutable = new HashMap<>(Map.of("acks", "all"));
    StreamsSettings t = new StreamsSettings(s.applicationId(), s.bootstrapServers(), s.reviews(), s.ratings(),
        s.imageFeatures(), s.deadLetters(), s.validatedTopic(), s.embeddingsTopicPrefix(), s.maxTextChars(),
        s.featureDim(), mutable);

    mutable.put("linger.ms", "5");

    assertEquals(Map.of("acks", "all"), t.passthrough());
    assertThrows(UnsupportedOperationException.class, () -> t.passthrough().put("x", "y"));
  }

  @Test
  void shouldReadLimitsAndRefuseOnesWhoseLargestValidatedEventExceedsTheRecordBound() {
    StreamsSettings s = StreamsSettings.fromProperties(props("jrl.max.id.bytes", "64", "jrl.max.header.bytes", "0",
        "jrl.min.event.time.ms", "-5", "jrl.max.event.time.ms", "5", "jrl.max.record.bytes", "2000000",
        "jrl.dead.letter.value.bytes", "100"));
    assertEquals(new Limits(64, 0, -5, 5, 2_000_000, 100), s.limits());
    assertEquals(Limits.DEFAULTS, StreamsSettings.defaults("b:1").limits());
    assertEquals(1_048_576, Limits.DEFAULTS.producerMaxRequestBytes());
    assertEquals(1_048_588, Limits.DEFAULTS.topicMaxMessageBytes());
    assertEquals(2_001_024, s.limits().producerMaxRequestBytes());
    assertTrue(s.limits().eventTimeInRange(5) && !s.limits().eventTimeInRange(6));

    IllegalArgumentException e = rejected(props("jrl.max.text.chars", "400000"));
    assertTrue(e.getMessage().contains("more than jrl.max.record.bytes = 1000000"), e.getMessage());
    e = rejected(props("jrl.min.event.time.ms", "10", "jrl.max.event.time.ms", "9"));
    assertTrue(e.getMessage().contains("jrl.min.event.time.ms (10) must not be after"), e.getMessage());
    e = rejected(props("jrl.dead.letter.value.bytes", "999000"));
    assertTrue(e.getMessage().contains("a cut dead letter"), e.getMessage());
    e = rejected(props("jrl.max.id.bytes", "0"));
    assertTrue(e.getMessage().contains("jrl.max.id.bytes must be an integer >= 1"), e.getMessage());
  }

  @Test
  void shouldReturnValidatedCopiesFromWithMethods() {
    StreamsSettings s = StreamsSettings.defaults("b:1");

    assertEquals("other:2", s.withBootstrapServers("other:2").bootstrapServers());
    assertEquals("jrl-2", s.withApplicationId("jrl-2").applicationId());
    assertEquals(7, s.withMaxTextChars(7).maxTextChars());
    assertEquals(3, s.withFeatureDim(3).featureDim());
    assertEquals("b:1", s.bootstrapServers());
    assertThrows(IllegalArgumentException.class, () -> s.withFeatureDim(0));
  }

  @Test
  void shouldRejectIllegalEmbeddingsTopic() {
    StreamsSettings s = StreamsSettings.defaults("b:1");

    assertThrows(IllegalArgumentException.class, () -> s.embeddingsTopic("my view"));
  }
}
