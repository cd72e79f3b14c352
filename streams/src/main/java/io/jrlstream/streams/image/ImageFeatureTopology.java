package io.jrlstream.streams.image;

import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.ingest.DeadLetterCounter;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.UsePartitionTimeOnInvalidTimestamp;
import org.apache.kafka.streams.state.Stores;

/**
 * The image feature extraction sub-topology (DESIGN.md §2: {@code images ─► ONNX CNN ─► image-features}): the
 * images topic, read as bytes, through an {@link ImageFeatureProcessor} (decode, validate, micro-batch, ONNX) to
 * the image-features topic, which ingestion validates and the image view trains on; bad images to the
 * dead-letter topic. Its own sub-topology: it shares no node with ingestion or training, only topics.
 *
 * <p>Node names: source {@value #SOURCE}, processor {@value #PROCESSOR} with its store
 * {@value ImageFeatureProcessor#STORE}, sinks {@value ImageFeatureProcessor#FEATURES_CHILD} (image-features topic)
 * and {@value ImageFeatureProcessor#DEAD_LETTER_CHILD} (dead-letter topic).
 *
 * <p>Pure functions of their arguments: nothing here creates a {@code KafkaStreams}, touches a broker or opens an
 * ONNX session (each processor opens its own in {@code init}; call {@link OnnxSessions#verify()} at start-up to
 * refuse a mismatched model early).
 */
public final class ImageFeatureTopology {
  /** Name of the source node that reads the images topic. */
  public static final String SOURCE = "jrl-image-source";
  /** Name of the {@link ImageFeatureProcessor} node. */
  public static final String PROCESSOR = "jrl-image-extract";

  private ImageFeatureTopology() {}

  /**
   * Extraction alone.
   *
   * @param settings dead-letter and image-features topics
   * @param sessions the image settings and the sessions of this application
   * @param counter  counts dead letters
   * @return a new topology
   */
  public static Topology build(StreamsSettings settings, OnnxSessions sessions, DeadLetterCounter counter) {
    return addTo(new Topology(), settings, sessions, counter);
  }

  /**
   * Adds extraction to {@code topology} (e.g. the trainer's, so one application extracts and trains).
   *
   * @param topology where to add the nodes; modified
   * @param settings dead-letter and image-features topics
   * @param sessions the image settings and the sessions of this application
   * @param counter  counts dead letters
   * @return {@code topology}
   */
  public static Topology addTo(Topology topology, StreamsSettings settings, OnnxSessions sessions,
      DeadLetterCounter counter) {
    ImageSettings s = sessions.settings();
    topology.addSource(AutoOffsetReset.earliest(), SOURCE, new UsePartitionTimeOnInvalidTimestamp(),
        new ByteArrayDeserializer(), new ByteArrayDeserializer(), s.images().name());
    topology.addProcessor(PROCESSOR, () -> new ImageFeatureProcessor(sessions, counter, settings.limits()),
        SOURCE);
    // Cached: an image put and deleted again between two commits (a batch that fills and runs within one commit
    // interval) never reaches the changelog but as a tombstone; what a commit covers is flushed before it, so a
    // half-collected batch is still in the changelog when the offsets that cover it are committed.
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ImageFeatureProcessor.STORE),
        Serdes.Bytes(), Serdes.ByteArray()).withCachingEnabled(), PROCESSOR);
    topology.addSink(ImageFeatureProcessor.FEATURES_CHILD, settings.imageFeatures().name(), new StringSerializer(),
        new ImageFeatureSerializer(), PROCESSOR);
    topology.addSink(ImageFeatureProcessor.DEAD_LETTER_CHILD, settings.deadLetters().name(),
        new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
    return topology;
  }
}
