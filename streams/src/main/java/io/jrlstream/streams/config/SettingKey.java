package io.jrlstream.streams.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Every configuration key that {@link StreamsSettings#fromProperties} reads, with its default: the one
 * place where the keys are documented. Any key that is neither one of these nor starts with
 * {@value #PREFIX} is passed through unchanged to the Kafka clients (e.g. {@code security.protocol},
 * {@code sasl.jaas.config}, {@code processing.guarantee}); an unknown {@value #PREFIX} key is an error.
 *
 * <p>Each constant's arguments are its key, its default (null: required) and a one-line description;
 * {@link #describeAll()} prints them all, e.g. for {@code jrl run --help}. Topic keys come in threes:
 * {@code jrl.topic.X} (name), {@code jrl.topic.X.partitions} and {@code jrl.topic.X.replication.factor}
 * (used when the topic is created).
 *
 * <p>Immutable and thread-safe.
 */
public enum SettingKey {
  APPLICATION_ID("application.id", "jrl", "Kafka Streams application id"),
  BOOTSTRAP_SERVERS("bootstrap.servers", null, "Kafka cluster to connect to, e.g. localhost:9092 (required)"),
  TOPIC_REVIEWS("jrl.topic.reviews", "jrl.reviews", "ReviewEvent input topic"),
  TOPIC_REVIEWS_PARTITIONS("jrl.topic.reviews.partitions", "1", "partitions of the reviews topic"),
  TOPIC_REVIEWS_REPLICATION("jrl.topic.reviews.replication.factor", "1", "replication factor of the reviews topic"),
  TOPIC_RATINGS("jrl.topic.ratings", "jrl.ratings", "RatingEvent input topic"),
  TOPIC_RATINGS_PARTITIONS("jrl.topic.ratings.partitions", "1", "partitions of the ratings topic"),
  TOPIC_RATINGS_REPLICATION("jrl.topic.ratings.replication.factor", "1", "replication factor of the ratings topic"),
  TOPIC_IMAGE_FEATURES("jrl.topic.image.features", "jrl.image-features", "ImageFeatureEvent input topic"),
  TOPIC_IMAGE_FEATURES_PARTITIONS("jrl.topic.image.features.partitions", "1",
      "partitions of the image-features topic"),
  TOPIC_IMAGE_FEATURES_REPLICATION("jrl.topic.image.features.replication.factor", "1",
      "replication factor of the image-features topic"),
  TOPIC_DEAD_LETTERS("jrl.topic.dead.letters", "jrl.dead-letters", "dead-letter topic for rejected records"),
  TOPIC_DEAD_LETTERS_PARTITIONS("jrl.topic.dead.letters.partitions", "1", "partitions of the dead-letter topic"),
  TOPIC_DEAD_LETTERS_REPLICATION("jrl.topic.dead.letters.replication.factor", "1",
      "replication factor of the dead-letter topic"),
  TOPIC_VALIDATED("jrl.topic.validated", "jrl.validated",
      "validated TrainingEvent topic: written by the trainer in the order its views read them (jrl replay trains from it) and by the stand-alone ingestion topology"),
  TOPIC_EMBEDDINGS_PREFIX("jrl.topic.embeddings.prefix", "jrl.embeddings.",
      "prefix of the embedding topics; view V publishes to prefix + V"),
  MAX_TEXT_CHARS("jrl.max.text.chars", "100000", "longest accepted review text, in chars"),
  FEATURE_DIM("jrl.feature.dim", "4096", "expected image feature dimension"),
  // Limits every input record is checked against before anything is written for it (issue 13; Limits).
  MAX_ID_BYTES("jrl.max.id.bytes", "1024",
      "longest accepted id (event, user, item, model id and version), in UTF-8 bytes"),
  MAX_HEADER_BYTES("jrl.max.header.bytes", "16384",
      "most bytes of an input record's headers (names and values) that its validated event keeps"),
  MIN_EVENT_TIME_MS("jrl.min.event.time.ms", "0", "earliest accepted event time, epoch ms (0: 1970-01-01T00:00:00Z)"),
  MAX_EVENT_TIME_MS("jrl.max.event.time.ms", "4102444800000",
      "latest accepted event time, epoch ms (default 2100-01-01T00:00:00Z)"),
  MAX_RECORD_BYTES("jrl.max.record.bytes", "1000000",
      "largest record the application writes (validated events, dead letters); producers get max.request.size and"
      + " created topics max.message.bytes above it by Kafka's overheads"),
  DEAD_LETTER_VALUE_BYTES("jrl.dead.letter.value.bytes", "65536",
      "a dead letter larger than jrl.max.record.bytes keeps this many bytes of its value (the original stays in"
      + " its input topic)"),
  VIEWS("jrl.views", "collaborative,review,rating", "views to train, comma-separated (collaborative, review, rating, image)"),
  BATCH_SIZE("jrl.batch.size", "64", "positive interactions per mini-batch"),
  CHECKPOINT_BATCHES("jrl.checkpoint.batches", "500",
      "least mini-batches between checkpoints of a view's parameter rows"),
  CHECKPOINT_EVENTS_PER_ROW("jrl.checkpoint.events.per.row", "4",
      "a checkpoint also waits for this many interactions per old row it re-writes (0: every"
      + " jrl.checkpoint.batches exactly); a restart re-trains at most max(batches x batch size, this x rows)"),
  CHECKPOINT_SPREAD_BATCHES("jrl.checkpoint.spread.batches", "125",
      "mini-batches over which a checkpoint's rows are written, a share after each (at most"
      + " jrl.checkpoint.batches; 0 or 1: all in the batch that takes it)"),
  FLUSH_AFTER_MS("jrl.flush.after.ms", "1000",
      "longest a validated event waits before a flush marker in the validated topic makes every view train its"
      + " half-collected mini-batch (bounds freshness on a quiet stream; 0: never)"),
  PUBLISH_INTERVAL_MS("jrl.publish.interval.ms", "100",
      "least wall-clock ms between publications of changed vectors (a row changed within it is published once);"
      + " 0 publishes after every mini-batch"),
  SEED("jrl.seed", "1", "run seed: every random draw derives from it, the view and the event's position"),
  ROCKSDB_CACHE_BYTES("jrl.rocksdb.cache.bytes", "268435456",
      "RocksDB memory bound of the process: shared block cache including memtables"),
  ROCKSDB_WRITE_BUFFER_BYTES("jrl.rocksdb.write.buffer.bytes", "67108864",
      "part of the RocksDB bound that memtables may take"),
  // Image feature extraction with ONNX Runtime (issue 5; io.jrlstream.streams.image.ImageSettings reads these).
  // The model's expected output dimension is jrl.feature.dim, the dimension ingestion checks.
  TOPIC_IMAGES("jrl.topic.images", "jrl.images", "ImageEvent input topic of the feature extractor"),
  TOPIC_IMAGES_PARTITIONS("jrl.topic.images.partitions", "1",
      "partitions of the images topic (each partition's task holds its own ONNX session)"),
  TOPIC_IMAGES_REPLICATION("jrl.topic.images.replication.factor", "1", "replication factor of the images topic"),
  IMAGE_MODEL("jrl.image.model", "",
      "ONNX feature extractor (.onnx file); empty: no image extraction"),
  IMAGE_MODEL_ID("jrl.image.model.id", "", "model id written into feature events (empty: the file name without .onnx)"),
  IMAGE_MODEL_VERSION("jrl.image.model.version", "1", "model version written into feature events"),
  IMAGE_INPUT_NAME("jrl.image.input.name", "input", "name of the model's image input (float, N x 3 x H x W)"),
  IMAGE_OUTPUT_NAME("jrl.image.output.name", "features",
      "name of the model's feature output (N x jrl.feature.dim, or N x dim x 1 x 1)"),
  IMAGE_INPUT_SIZE("jrl.image.input.size", "224", "model input height and width: S or HxW"),
  IMAGE_RESIZE("jrl.image.resize", "256",
      "shorter side after resizing, before the centre crop to the input size (0: resize straight to it)"),
  IMAGE_MEAN("jrl.image.mean", "0.485,0.456,0.406", "per-channel mean subtracted after scaling, in channel order"),
  IMAGE_STD("jrl.image.std", "0.229,0.224,0.225", "per-channel standard deviation divided by, in channel order"),
  IMAGE_PIXEL_SCALE("jrl.image.pixel.scale", "255", "pixels 0-255 are divided by this before the mean (1: Caffe style)"),
  IMAGE_CHANNEL_ORDER("jrl.image.channel.order", "RGB", "channel order of the model input: RGB or BGR"),
  IMAGE_BATCH_SIZE("jrl.image.batch.size", "32", "images per inference micro-batch"),
  IMAGE_MAX_WAIT_MS("jrl.image.max.wait.ms", "200",
      "longest an image waits for its micro-batch to fill, wall clock (0: batches by count only)"),
  IMAGE_MAX_BYTES("jrl.image.max.bytes", "16777216", "largest accepted encoded image, in bytes"),
  IMAGE_MAX_PIXELS("jrl.image.max.pixels", "40000000", "largest accepted image, width x height, checked before decoding"),
  IMAGE_PROVIDER("jrl.image.provider", "auto",
      "ONNX Runtime execution provider: auto (CUDA when it loads, else CPU), cpu or cuda"),
  IMAGE_CUDA_DEVICE("jrl.image.cuda.device", "0", "CUDA device id for the cuda provider"),
  IMAGE_INTRA_THREADS("jrl.image.threads.intra", "0", "ONNX Runtime intra-op threads per session (0: its default)"),
  IMAGE_INTER_THREADS("jrl.image.threads.inter", "0", "ONNX Runtime inter-op threads per session (0: its default)"),
  IMAGE_THREADS_SPIN("jrl.image.threads.spin", "false",
      "let ONNX Runtime's idle threads spin between batches (lower latency; burns CPU the stream threads need)"),
  IMAGE_OPTIMIZATION("jrl.image.optimization", "all", "ONNX Runtime graph optimisation: none, basic, extended or all"),
  // Serving (issue 4): the serving topology and its HTTP API (io.jrlstream.streams.serve, io.jrlstream.ops.serve).
  SERVE_VIEWS("jrl.serve.views", "", "views to serve, comma-separated (empty: the trained views, jrl.views)"),
  SERVE_WEIGHTS("jrl.serve.weights", "",
      "default per-view weights w_k of s(u,v), e.g. review=1,rating=0.5 (a view not named: 1)"),
  SERVE_PARTITIONS("jrl.serve.partitions", "4",
      "partitions of the serving user stores (the unit of ownership across serving instances)"),
  SERVE_MAX_N("jrl.serve.max.n", "1000", "largest n a query may ask for"),
  SERVE_HISTORY_CAP("jrl.serve.history.cap", "10000",
      "most interacted items kept per user for exclusion (the oldest are dropped beyond it)"),
  SERVE_HTTP_PORT("jrl.serve.http.port", "8080", "HTTP port of the serving API (0: a free one)"),
  SERVE_HTTP_BIND("jrl.serve.http.bind", "127.0.0.1", "address the HTTP API binds to (0.0.0.0: every interface)"),
  SERVE_HTTP_TOKEN("jrl.serve.http.token", "", "bearer token the HTTP API requires (empty: no authentication)"),
  SERVE_HTTP_THREADS("jrl.serve.http.threads", "8", "HTTP worker threads (requests beyond them queue, bounded)"),
  SERVE_HTTP_MAX_CONNECTIONS("jrl.serve.http.max.connections", "512",
      "most open HTTP connections; at the limit no new one is accepted and idle ones are closed after 1 s"),
  SERVE_HTTP_IDLE_TIMEOUT_MS("jrl.serve.http.idle.timeout.ms", "30000",
      "an HTTP connection that sends nothing (or reads nothing) for this long is closed"),
  SERVE_HTTP_HEADER_TIMEOUT_MS("jrl.serve.http.header.timeout.ms", "10000",
      "a new HTTP connection must send a whole request within this time (slow-header clients are closed)"),
  SERVE_HTTP_ADVERTISED("jrl.serve.http.advertised", "",
      "host:port other serving instances use to forward to this one (application.server); empty: the bind address"
      + " (this machine's name when it is 0.0.0.0 or ::) and the bound port"),
  HEALTH_EXIT_GRACE_MS("jrl.health.exit.grace.ms", "30000",
      "a long-running command exits with status 1 once a Kafka Streams client of the instance has failed (ERROR, or"
      + " no live stream thread) for this long; /health answers 503 from the first check"),
  // Operations (issue 14, helper "prod"): metrics and readiness. Read by io.jrlstream.ops (RunCommand, LocalCommand,
  // TrainerLag); for the lead to reconcile with the settings layer.
  METRICS_PORT("jrl.metrics.port", "9464",
      "port of GET /metrics, /health and /ready when the instance serves no HTTP API (jrl run --no-serve); with"
      + " serving they are on jrl.serve.http.port. 0: a free one, -1: none. Binds to jrl.serve.http.bind"),
  READY_MAX_TRAINER_LAG("jrl.ready.max.trainer.lag", "100000",
      "/ready answers 503 while a view's trainer in this instance is more than this many records of"
      + " jrl.validated behind (committed offsets, checked every 5 s); 0: lag never makes it unready"),
  // jrl import (issue 6): progress markers, committed in the same transaction as the events they cover.
  TOPIC_IMPORTS("jrl.topic.imports", "jrl.imports",
      "compacted topic of jrl import's progress markers (source fingerprint -> lines done)"),
  IMPORT_CHUNK_LINES("jrl.import.chunk.lines", "5000",
      "lines (records) jrl import commits per transaction, together with its progress marker"),
  // jrl replay (issue 6): each view's versions and the one serving uses.
  TOPIC_VIEW_VERSIONS("jrl.topic.view.versions", "jrl.view-versions",
      "compacted control topic of jrl replay: per view its versions, whether each caught up, the active one");

  /** Keys starting with this belong to this application; an unknown one is rejected. */
  public static final String PREFIX = "jrl.";

  private static final List<SettingKey> ALL = List.of(values());

  private final String key;
  private final String defaultValue;
  private final String description;

  SettingKey(String key, String defaultValue, String description) {
    this.key = key;
    this.defaultValue = defaultValue;
    this.description = description;
  }

  /** @return the property name, e.g. {@code jrl.topic.reviews} */
  public String key() {
    return key;
  }

  /** @return the default as written in a properties file, or empty when the key is required */
  public Optional<String> defaultValue() {
    return Optional.ofNullable(defaultValue);
  }

  /** @return one line saying what the key sets */
  public String description() {
    return description;
  }

  /**
   * @param key a property name
   * @return the setting with that name, or empty when it is not one of these keys
   */
  public static Optional<SettingKey> forKey(String key) {
    return ALL.stream().filter(k -> k.key.equals(key)).findFirst();
  }

  /** @return every key, one per line with its default and description, e.g. for command-line help */
  public static String describeAll() {
    StringBuilder sb = new StringBuilder();
    Arrays.stream(values()).forEach(k -> sb.append(k.key).append(" = ")
        .append(k.defaultValue == null ? "(required)" : k.defaultValue)
        .append("  # ").append(k.description).append('\n'));
    return sb.toString();
  }
}
