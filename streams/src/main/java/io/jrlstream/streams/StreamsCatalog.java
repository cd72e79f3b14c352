package io.jrlstream.streams;

import io.jrlstream.streams.config.Catalog;
import io.jrlstream.streams.config.StreamsKeys;
import io.jrlstream.streams.image.ImageKeys;
import io.jrlstream.streams.serve.ServeKeys;
import io.jrlstream.streams.shard.ShardKeys;
import io.jrlstream.streams.train.TrainingKeys;

/**
 * Every key the streams module reads, in the order the configuration template lists them: cluster, topics, input limits
 * ({@link StreamsKeys}), training ({@link TrainingKeys}), sharding ({@link ShardKeys}), RocksDB, image extraction
 * ({@link ImageKeys}), serving ({@link ServeKeys}). The application that wires the modules adds its own groups with
 * {@link Catalog#plus}.
 *
 * <p>In the module's root package because it lists the keys of every package; a class of its own so that the keys
 * classes never refer to one another while they are initialised.
 */
public final class StreamsCatalog {
  private StreamsCatalog() {}

  /** The streams module's settings. */
  public static final Catalog CATALOG = Catalog.of(StreamsKeys.CLUSTER, StreamsKeys.TOPICS, StreamsKeys.INPUT_LIMITS,
      TrainingKeys.TRAINING, ShardKeys.SHARDING, TrainingKeys.ROCKSDB, ImageKeys.IMAGE, ServeKeys.SERVE);
}
