package io.jrlstream.streams.ingest;

import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.config.TopicSpec;
import io.jrlstream.streams.serde.AvroSerde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.UsePartitionTimeOnInvalidTimestamp;

/**
 * The ingestion sub-topology (DESIGN.md §2, "Bad input"): reads the review, rating and image-feature
 * topics as raw bytes, validates every record with a {@link ValidatingProcessor}, sends rejected
 * records to the dead-letter topic, and yields the validated {@link TrainingEvent}s that every view's
 * trainer consumes.
 *
 * <p>Input is consumed with byte-array serdes, so no bytes can fail deserialisation inside Kafka
 * Streams: decoding happens in the processor, where a failure becomes a dead letter. Records with an
 * invalid Kafka timestamp take the partition time instead of stopping the application.
 *
 * <p>Node names: source {@value #SOURCE}, processor {@value #VALIDATOR}, its children
 * {@value ValidatingProcessor#VALID_CHILD} and {@value ValidatingProcessor#DEAD_LETTER_CHILD} (the
 * dead-letter sink), and, in {@link #build} and {@link #addWithSink}, the sink {@value #VALIDATED_SINK}.
 *
 * <p>Pure functions of their arguments: nothing here creates a {@code KafkaStreams} or touches a
 * broker. Stateless; the returned topology is for one {@code KafkaStreams} instance.
 */
public final class IngestionTopology {

  /** Name of the source node that reads every input topic. */
  public static final String SOURCE = "jrl-ingest-source";
  /** Name of the {@link ValidatingProcessor} node. */
  public static final String VALIDATOR = "jrl-ingest-validate";
  /** Name of the sink of validated events in {@link #build}. */
  public static final String VALIDATED_SINK = "jrl-ingest-validated-sink";
  /** Name of the node that writes flush markers before {@link #VALIDATED_SINK} (see {@link FlushMarkers}). */
  public static final String FLUSH_MARKERS = "jrl-ingest-flush-markers";

  private IngestionTopology() {
  }

  /**
   * Adds ingestion to {@code builder}, counting dead letters in a counter nobody reads. See
   * {@link #addTo(StreamsBuilder, StreamsSettings, DeadLetterCounter)}.
   *
   * @param builder  the builder to add to
   * @param settings topics and validation limits
   * @return the validated events, keyed by user id (item id for image features)
   */
  public static KStream<String, TrainingEvent> addTo(StreamsBuilder builder, StreamsSettings settings) {
    return addTo(builder, settings, new DeadLetterCounter());
  }

  /**
   * Adds ingestion to {@code builder}: one source over the three input topics, the validator, and the
   * dead-letter sink.
   *
   * <p>The returned stream's key is not the input's partitioning key, and Kafka Streams knows it: a
   * downstream key-based stateful operation repartitions first (or call {@code repartition()}).
   *
   * @param builder  the builder to add to; the input topics must not be sources in it already
   * @param settings topics and validation limits
   * @param counter  counts dead letters per reason
   * @return the validated events in input order per partition, keyed by user id (item id for image
   *         features); values are never null
   */
  public static KStream<String, TrainingEvent> addTo(StreamsBuilder builder, StreamsSettings settings,
      DeadLetterCounter counter) {
    KStream<byte[], byte[]> raw = builder.stream(
        settings.inputTopics().stream().map(TopicSpec::name).toList(),
        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
            .withTimestampExtractor(new UsePartitionTimeOnInvalidTimestamp())
            .withName(SOURCE));
    KStream<Object, Object> routed = raw.process(ValidatingProcessor.supplier(settings, counter),
        Named.as(VALIDATOR));
    IngestionTopology.<byte[], byte[]>retype(routed).to(settings.deadLetters().name(),
        Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(ValidatingProcessor.DEAD_LETTER_CHILD));
    // A pass-through node, so that the valid records have a child of the agreed name to go to.
    return IngestionTopology.<String, TrainingEvent>retype(
        routed.peek((key, value) -> { }, Named.as(ValidatingProcessor.VALID_CHILD)));
  }

  /**
   * The ingestion topology as production runs it, counting dead letters in a counter nobody reads and writing no
   * flush markers. See {@link #build(StreamsSettings, DeadLetterCounter, long)}.
   *
   * @param settings topics and validation limits
   * @return a new topology
   */
  public static Topology build(StreamsSettings settings) {
    return build(settings, new DeadLetterCounter(), 0);
  }

  /** {@link #build(StreamsSettings, DeadLetterCounter, long)} without flush markers. */
  public static Topology build(StreamsSettings settings, DeadLetterCounter counter) {
    return build(settings, counter, 0);
  }

  /**
   * The ingestion topology as production runs it (the pipeline's ingestion application and the tests build
   * this same topology): the input topics into {@link StreamsSettings#validatedTopic()}, String keys and
   * single-object-encoded {@link TrainingEvent} values ({@link AvroSerde}), plus the dead letters.
   *
   * @param settings topics and validation limits
   * @param counter  counts dead letters per reason
   * @param flushAfterMs with a value above 0, a flush marker (a null value) follows validated events once the oldest
   *                 of them has waited this long, so that views train a half-collected mini-batch
   *                 ({@link FlushMarkers}); 0: no markers
   * @return a new topology
   */
  public static Topology build(StreamsSettings settings, DeadLetterCounter counter, long flushAfterMs) {
    StreamsBuilder builder = new StreamsBuilder();
    addWithSink(builder, settings, counter, flushAfterMs);
    return builder.build();
  }

  /**
   * Adds ingestion to {@code builder} with its sink of validated events, as {@link #build} has it: for a
   * topology that also holds other sub-topologies (the trainers' compact layout).
   *
   * @param builder  the builder to add to; the input topics must not be sources in it already
   * @param settings topics and validation limits
   * @param counter  counts dead letters per reason
   * @param flushAfterMs see {@link #build(StreamsSettings, DeadLetterCounter, long)}
   */
  public static void addWithSink(StreamsBuilder builder, StreamsSettings settings, DeadLetterCounter counter,
      long flushAfterMs) {
    KStream<String, TrainingEvent> validated = addTo(builder, settings, counter);
    if (flushAfterMs > 0) {
      validated = validated.process(() -> new FlushMarkers(flushAfterMs), Named.as(FLUSH_MARKERS));
    }
    validated.to(settings.validatedTopic(),
        Produced.with(Serdes.String(), AvroSerde.of(TrainingEvent.class)).withName(VALIDATED_SINK));
  }

  /**
   * The validator forwards each type only to the child wired for it (see {@link ValidatingProcessor}),
   * so the cast is safe per child although the DSL sees one {@code Object} stream.
   */
  @SuppressWarnings("unchecked")
  private static <K, V> KStream<K, V> retype(KStream<?, ?> stream) {
    return (KStream<K, V>) stream;
  }
}
