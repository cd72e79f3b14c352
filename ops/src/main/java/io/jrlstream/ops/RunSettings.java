package io.jrlstream.ops;

import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.replay.ReplayKeys;
import io.jrlstream.ops.serve.HttpSettings;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.ConfigurationException;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.image.ImageSettings;
import io.jrlstream.streams.serve.ServeSettings;
import io.jrlstream.streams.shard.ShardKeys;
import io.jrlstream.streams.train.RocksDbBounds;
import io.jrlstream.streams.train.TrainingKeys;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Everything {@code jrl run} reads from its configuration, typed and validated before anything connects: so a
 * configuration file can be checked without a cluster ({@code jrl config --effective}, the template round-trip
 * test), and {@code jrl run} fails on a bad value before it starts a client, naming the key and where its value came
 * from.
 *
 * @param streams           cluster, topics, limits and pass-through Kafka properties
 * @param views             the views to train ({@code jrl.views})
 * @param training          the trainers' batching, checkpoints and publication
 * @param rocksDb           the RocksDB memory bound
 * @param image             image feature extraction, when {@code jrl.image.model} is set
 * @param serve             the serving topology's settings
 * @param http              the serving HTTP API's settings
 * @param model             the model: defaults, then {@code jrl.model.*}, then the command line's model options;
 *                          the image view's feature dimension is {@code jrl.feature.dim}
 * @param stateDir          where the instance's stores live
 * @param healthGrace       how long a failed Kafka Streams client is tolerated before the process exits
 * @param viewVersionsTopic the control topic of {@code jrl replay}
 * @param readyMaxTrainerLag the most records of the validated topic a trainer may be behind while {@code /ready}
 *                          answers 200 (0: no bound)
 * @param sharding          each view's tasks and rounds ({@code jrl.views.VIEW.*}, {@link ShardKeys})
 */
record RunSettings(StreamsSettings streams, List<String> views, TrainingOptions training, RocksDbBounds rocksDb,
    Optional<ImageSettings> image, ServeSettings serve, HttpSettings http, ModelConfig model, Path stateDir,
    Duration healthGrace, String viewVersionsTopic, long readyMaxTrainerLag, Map<String, ShardSettings> sharding) {

  RunSettings {
    Objects.requireNonNull(streams, "streams");
    views = List.copyOf(views);
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(rocksDb, "rocksDb");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(serve, "serve");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(healthGrace, "healthGrace");
    Objects.requireNonNull(viewVersionsTopic, "viewVersionsTopic");
    OpsKeys.READY_MAX_TRAINER_LAG.require(readyMaxTrainerLag);
    sharding = Map.copyOf(sharding);
    ShardKeys.requireFlushMarkers(views, sharding, training.flushAfterMs());
  }

  /**
   * Reads and checks every setting a run uses.
   *
   * @param c               the configuration (file, environment, command line)
   * @param modelOptions    the command line's model options, applied after the configuration's model keys
   * @param defaultStateDir the state directory when {@code state.dir} is empty
   * @throws ConfigurationException naming the first key that is missing, malformed or out of range, with its
   *     origin
   */
  static RunSettings from(Configuration c, UnaryOperator<ModelConfig> modelOptions, String defaultStateDir) {
    StreamsSettings s = StreamsSettings.from(c);
    List<String> views = c.get(TrainingKeys.VIEWS);
    ModelConfig model = ModelKeys.apply(ModelConfig.defaults().withSeed(c.get(TrainingKeys.SEED)), c);
    model = modelOptions.apply(model);
    model = model.withImage(new ImageView.Settings(model.image().lambda(), s.featureDim(), model.image().layers()));
    return new RunSettings(s, views, TrainingOptions.from(c), RocksDbBounds.from(c), ImageSettings.from(c),
        ServeSettings.from(c, views), HttpSettings.from(c), model, StateDirOption.of(c, defaultStateDir),
        Duration.ofMillis(c.get(OpsKeys.HEALTH_EXIT_GRACE_MS)), c.get(ReplayKeys.VIEW_VERSIONS_TOPIC),
        c.get(OpsKeys.READY_MAX_TRAINER_LAG), ShardKeys.from(c));
  }

  /** @return how the pipeline runs: these views, state directory, RocksDB bound and training options */
  Pipeline.Options pipeline() {
    return new Pipeline.Options(views, stateDir, rocksDb.streamsProperties(), training, sharding);
  }
}
