package io.jrlstream.streams.train;

import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.ViewKind;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.ingest.DeadLetterCounter;
import io.jrlstream.streams.ingest.IngestionTopology;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The trainer's topologies (DESIGN.md §2). Ingestion validates the input topics and writes every valid event,
 * encoded once, to the validated topic (one partition: the order every view trains in, and the history serving
 * and replay read). Each view trains in a topology of its own, straight from the validated topic (phase 1: one
 * training task per view; the pipeline runs each view as its own application, so the views train in parallel on
 * separate stream threads or instances): a {@link TrainingProcessor} over its own RocksDB store with changelog,
 * publishing changed vectors to the view's compacted embedding topic. The validated topic is also each view's
 * event log ({@link EventHistory}), so an event is written to the broker once after ingestion, not once per view.
 *
 * <p>Pure functions: nothing here creates a {@code KafkaStreams}; the results are testable with
 * {@code TopologyTestDriver}.
 */
public final class TrainingTopology {
  private TrainingTopology() {}

  /** The training of one view: the validated topic into the view's embedding topic. */
  public static Topology buildView(StreamsSettings settings, ModelConfig config, String view, TrainingOptions options,
      EventHistory history, TrainingObserver observer) {
    StreamsBuilder b = new StreamsBuilder();
    addView(b, validated(b, settings), settings, config, view, options, history, observer);
    return b.build();
  }

  /**
   * Ingestion and the training of every view in one topology, the views on one task (the compact layout: one
   * application, one training thread; the pipeline runs {@link IngestionTopology#build} and one {@link #buildView} per
   * view instead).
   */
  public static Topology build(StreamsSettings settings, ModelConfig config, List<String> views,
      TrainingOptions options, EventHistory history, TrainingObserver observer) {
    StreamsBuilder b = new StreamsBuilder();
    IngestionTopology.addWithSink(b, settings, new DeadLetterCounter(), options.flushAfterMs());
    KStream<String, byte[]> validated = validated(b, settings);
    for (String view : views) {
      addView(b, validated, settings, config, view, options, history, observer);
    }
    return b.build();
  }

  /** The validated topic as a stream of encoded events. */
  public static KStream<String, byte[]> validated(StreamsBuilder b, StreamsSettings settings) {
    return b.stream(settings.validatedTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray())
        .withName("jrl-validated-source"));
  }

  /**
   * Adds the training of {@code view} to b, fed by {@code input}: encoded events straight from the validated topic
   * (their offsets are the trainer's log positions, so nothing may re-key or re-order them), the view's store, and
   * the sink to its embedding topic. {@code observer} is told of the view's restores and checkpoints.
   */
  public static void addView(StreamsBuilder b, KStream<String, byte[]> input, StreamsSettings settings,
      ModelConfig config, String view, TrainingOptions options, EventHistory history, TrainingObserver observer) {
    config.view(view); // fails early, naming the view, when it has no configuration
    String store = TrainingProcessor.storeName(view);
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.Bytes(),
        Serdes.ByteArray()).withCachingEnabled());
    input.process(() -> new TrainingProcessor(view, config, options, store, history, observer),
            Named.as("jrl-train-" + view), store)
        .to(settings.embeddingsTopic(view), Produced.<String, byte[]>with(Serdes.String(), Serdes.ByteArray())
            .withName("jrl-embeddings-" + view));
  }

  /** Whether an event is part of a view's input (its interactions, and for the image view item features). */
  public static boolean feeds(String view, TrainingEvent e) {
    TrainingEventKind k = e.getKind();
    boolean interaction = k == TrainingEventKind.REVIEW || k == TrainingEventKind.RATING;
    return switch (ViewKind.of(view).input()) {
      case INTERACTIONS -> interaction;
      case REVIEW_TEXTS -> k == TrainingEventKind.REVIEW && e.getText() != null;
      case STARRED_INTERACTIONS -> interaction && e.getStars() != null;
      case INTERACTIONS_AND_ITEM_FEATURES -> true;
    };
  }
}
