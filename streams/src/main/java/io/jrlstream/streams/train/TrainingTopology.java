package io.jrlstream.streams.train;

import io.jrlstream.core.view.CollaborativeView;
import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.RatingView;
import io.jrlstream.core.view.ReviewView;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.ingest.IngestionTopology;
import io.jrlstream.schemas.codec.AvroCodec;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The training sub-topologies (DESIGN.md §2): one per view, each fed by the validated events the view
 * accepts, repartitioned to a single partition (phase 1: one training task per view, views in parallel on
 * separate stream threads or instances), trained by a {@link TrainingProcessor} over its own RocksDB
 * store with changelog, and publishing changed vectors to the view's compacted embedding topic.
 *
 * <p>Pure functions: nothing here creates a {@code KafkaStreams}; the result is testable with
 * {@code TopologyTestDriver}.
 */
public final class TrainingTopology {
  /**
   * Default mini-batches between checkpoints of a view's parameter rows (see {@link TrainingProcessor}):
   * a checkpoint writes every row changed since the previous one (for the review view at K=300 about the
   * whole vocabulary, tens of MB), a restart re-trains at most this many batches from the event log.
   */
  public static final int CHECKPOINT_BATCHES = 500;

  private TrainingTopology() {}

  /** Ingestion, validation and training of {@code views}: the whole trainer application. */
  public static Topology build(StreamsSettings settings, ModelConfig config, List<String> views, int batchSize) {
    return build(settings, config, views, TrainingOptions.defaults().withBatchSize(batchSize));
  }

  /** As {@link #build(StreamsSettings, ModelConfig, List, int)} with a checkpoint interval in batches. */
  public static Topology build(StreamsSettings settings, ModelConfig config, List<String> views, int batchSize,
      int checkpointBatches) {
    return build(settings, config, views,
        TrainingOptions.defaults().withBatchSize(batchSize).withCheckpointBatches(checkpointBatches));
  }

  /** Ingestion, validation and training of {@code views} with the given training options. */
  public static Topology build(StreamsSettings settings, ModelConfig config, List<String> views,
      TrainingOptions options) {
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, TrainingEvent> valid = IngestionTopology.addTo(b, settings);
    addTo(b, valid, settings, config, views, options, true);
    return b.build();
  }

  /** Name of the sink node that writes the validated events to {@link StreamsSettings#validatedTopic()}. */
  public static final String VALIDATED_SINK = "jrl-validated-sink";

  /**
   * Adds one training sub-topology per view to b, fed by {@code valid}, and with {@code writeValidated} writes
   * every valid event to the validated topic (keyed as {@code valid}; the history that serving and replay
   * read). Each valid event is encoded once (not once per view); its bytes go to the validated topic and
   * through the views' repartition topics into their event logs.
   */
  public static void addTo(StreamsBuilder b, KStream<String, TrainingEvent> valid, StreamsSettings settings,
      ModelConfig config, List<String> views, TrainingOptions options, boolean writeValidated) {
    AvroCodec<TrainingEvent> codec = AvroCodec.of(TrainingEvent.class);
    KStream<String, Encoded> encoded = valid.mapValues(e -> new Encoded(e, codec.encode(e)));
    if (writeValidated) {
      encoded.mapValues(Encoded::bytes, Named.as(VALIDATED_SINK + "-bytes"))
          .to(settings.validatedTopic(), Produced.<String, byte[]>with(Serdes.String(), Serdes.ByteArray())
              .withName(VALIDATED_SINK));
    }
    for (String view : views) {
      config.view(view); // fails early, naming the view, when it has no configuration
      String store = TrainingProcessor.storeName(view);
      b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.Bytes(),
          Serdes.ByteArray()).withCachingEnabled());
      encoded.filter((k, e) -> feeds(view, e.event())).mapValues(Encoded::bytes)
          .repartition(Repartitioned.<String, byte[]>as(repartitionName(view)).withKeySerde(Serdes.String())
              .withValueSerde(Serdes.ByteArray()).withNumberOfPartitions(1))
          .process(() -> new TrainingProcessor(view, config, options, store), store)
          .to(settings.embeddingsTopic(view), Produced.with(Serdes.String(), Serdes.ByteArray()));
    }
  }

  /** A validated event with its encoding, within the ingestion task (never serialised as such). */
  private record Encoded(TrainingEvent event, byte[] bytes) {}

  /** The name of a view's repartition step; Kafka Streams names its topic {@link #repartitionTopic}. */
  static String repartitionName(String view) {
    return "jrl-train-" + view;
  }

  /** The internal topic that carries a view's input to its single training task. */
  public static String repartitionTopic(String applicationId, String view) {
    return applicationId + "-" + repartitionName(view) + "-repartition";
  }

  /** Whether an event is part of a view's input (its interactions, and for the image view item features). */
  static boolean feeds(String view, TrainingEvent e) {
    TrainingEventKind k = e.getKind();
    boolean interaction = k == TrainingEventKind.REVIEW || k == TrainingEventKind.RATING;
    return switch (view) {
      case CollaborativeView.NAME -> interaction;
      case ReviewView.NAME -> k == TrainingEventKind.REVIEW && e.getText() != null;
      case RatingView.NAME -> interaction && e.getStars() != null;
      case ImageView.NAME -> true;
      default -> throw new IllegalArgumentException("unknown view '" + view + "'");
    };
  }
}
