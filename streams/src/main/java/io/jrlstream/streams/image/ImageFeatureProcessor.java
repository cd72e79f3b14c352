package io.jrlstream.streams.image;

import ai.onnxruntime.OrtException;
import io.jrlstream.schemas.ImageEvent;
import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.Limits;
import io.jrlstream.streams.ingest.DeadLetterCounter;
import io.jrlstream.streams.ingest.DeadLetterHeaders;
import io.jrlstream.streams.ingest.DeadLetterWriter;
import io.jrlstream.streams.ingest.EventValidator;
import io.jrlstream.streams.ingest.InvalidEventException;
import io.jrlstream.streams.ingest.RejectReason;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns raw {@link ImageEvent} records into {@link ImageFeatureEvent}s with a CNN, in micro-batches.
 *
 * <p>Per record: decode the Avro message ({@code UNDECODABLE}, {@code UNKNOWN_SCHEMA}), check the ids
 * ({@code MISSING_ID}), decode the image within the limits ({@code BAD_IMAGE}, {@code IMAGE_TOO_LARGE}, see
 * {@link ImageDecoder}) and preprocess it straight into the next slot of the extractor's batch input. A rejected
 * record goes, with its original key, value and headers plus the {@link DeadLetterHeaders} (cut when too large:
 * {@link io.jrlstream.streams.ingest.DeadLetter}), to
 * {@link #DEAD_LETTER_CHILD} at once; the stream goes on. A good one waits for its micro-batch, which runs when
 * it holds {@code batchSize} images or, when {@code maxWait} is not zero, when its oldest image has waited that
 * long (wall clock, checked by a punctuation every quarter of {@code maxWait}). Each image's features go to
 * {@link #FEATURES_CHILD} keyed by item id, with the image record's timestamp, in input order.
 *
 * <p><b>Exactly-once.</b> Kafka Streams may commit after any {@code process} call, so the half-collected batch
 * must survive a crash: every accepted image is also written to the {@link #STORE} state store (with a
 * changelog, in the same transaction as the offsets) under a sequence number, and deleted when its features are
 * forwarded. A task that restarts, here or elsewhere, finds the images its committed offsets cover but whose
 * features were not committed in that store, decodes them again before its next record, and sends them in its
 * first batch. So every image's features are produced exactly once under {@code exactly_once_v2}. The store is
 * cached ({@link ImageFeatureTopology}): a commit flushes the cache first, so whatever the committed offsets cover
 * is in the changelog, but an image whose batch runs before the next commit reaches it only as a tombstone
 * instead of being written twice (its bytes, then the tombstone). The image that completes a batch is not stored
 * at all: its batch runs and its features are forwarded in the same {@code process} call, and no commit can fall
 * inside one; so at batch size 1 the store, and its changelog partition in every transaction, stay out of the
 * path.
 *
 * <p><b>The wall-clock limit</b> bounds how stale features get on a slow stream, at a price: which images share
 * a batch then depends on timing, so a replay after a crash may batch them differently. Features do not depend
 * on the batch (each image is computed on its own; at most float rounding may differ between batch sizes in
 * some kernels), and their order is always the input order, so only the grouping and the timing of outputs
 * change. With {@code maxWait} zero, batches depend on the input alone, and the last images wait until enough
 * new ones arrive.
 *
 * <p>Lifecycle: Kafka Streams creates one per task through the supplier; {@link #init} opens the task's ONNX
 * session (one per processor, from the shared {@link OnnxSessions}), {@link #close} closes it; pending images
 * stay in the store. Not thread-safe, as the Processor API expects.
 */
public final class ImageFeatureProcessor implements Processor<byte[], byte[], Object, Object> {
  /** Name of the child that receives {@code String → ImageFeatureEvent} records. */
  public static final String FEATURES_CHILD = "jrl-image-features";
  /** Name of the child that receives dead letters as original {@code byte[] → byte[]} records. */
  public static final String DEAD_LETTER_CHILD = "jrl-image-dead-letters";
  /** The store of the images of the pending micro-batch (in memory, cached, with a changelog). */
  public static final String STORE = "jrl-image-pending";

  private static final Logger LOG = LoggerFactory.getLogger(ImageFeatureProcessor.class);
  private static final AvroCodec<ImageEvent> IMAGES = AvroCodec.of(ImageEvent.class);
  /** Sequence of a held image that is not in the store (it completed its batch in its own process call). */
  private static final long UNSTORED = -1;

  private final OnnxSessions sessions;
  private final ImageSettings settings;
  private final DeadLetterWriter deadLetters;
  private final ImageDecoder decoder;
  private final ImagePreprocessor preprocessor;
  private final String[] eventIds;
  private final String[] itemIds;
  private final long[] timestamps;
  private final long[] sequences;
  private ProcessorContext<Object, Object> context;
  private KeyValueStore<Bytes, byte[]> store;
  private OnnxFeatureExtractor extractor;
  private Cancellable punctuation;
  private List<KeyValue<Bytes, byte[]>> toRestore;
  private int pending;
  private long nextSequence;
  private long oldestMs;

  /**
   * @param sessions opens the task's session; its settings give preprocessing, limits and batching
   * @param counter  counts dead letters
   */
  public ImageFeatureProcessor(OnnxSessions sessions, DeadLetterCounter counter) {
    this(sessions, counter, Limits.DEFAULTS);
  }

  /**
   * @param sessions opens the task's session; its settings give preprocessing, limits and batching
   * @param counter  counts dead letters
   * @param limits   the dead letters' size bound
   */
  public ImageFeatureProcessor(OnnxSessions sessions, DeadLetterCounter counter, Limits limits) {
    this.sessions = Objects.requireNonNull(sessions, "sessions");
    this.settings = sessions.settings();
    this.deadLetters = new DeadLetterWriter(counter, limits, DEAD_LETTER_CHILD);
    this.decoder = new ImageDecoder(settings.accepted().maxBytes(), settings.accepted().maxPixels());
    this.preprocessor = new ImagePreprocessor(settings.preprocessing());
    int b = settings.batching().size();
    this.eventIds = new String[b];
    this.itemIds = new String[b];
    this.timestamps = new long[b];
    this.sequences = new long[b];
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    this.extractor = sessions.open();
    // Forwarding is not allowed in init: images restored from the store are batched before the next record.
    List<KeyValue<Bytes, byte[]>> restored = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
      it.forEachRemaining(restored::add);
    }
    toRestore = restored.isEmpty() ? null : restored;
    nextSequence = restored.isEmpty() ? 0 : sequence(restored.get(restored.size() - 1).key) + 1;
    if (toRestore != null) {
      LOG.info("image features: {} images of an unfinished micro-batch restored from {}; they go first",
          restored.size(), STORE);
    }
    Duration maxWait = settings.batching().maxWait();
    if (!maxWait.isZero()) {
      Duration every = Duration.ofMillis(Math.max(1, maxWait.toMillis() / 4));
      punctuation = context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::onTimer);
    }
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    restore();
    RecordMetadata meta = context.recordMetadata().orElseThrow(() -> new IllegalStateException(
        "ImageFeatureProcessor must be fed from a source topic"));
    int slot = pending;
    ImageEvent event;
    try {
      event = accept(record.value(), slot);
    } catch (InvalidEventException e) {
      deadLetters.reject(context, record, meta, e);
      return;
    }
    long sequence = UNSTORED;
    // The image that completes a batch is run and forwarded within this call, before Kafka Streams can commit:
    // nothing needs to survive for it, so it skips the store (at batch size 1, every image does).
    if (pending + 1 < settings.batching().size()) {
      sequence = nextSequence++;
      store.put(key(sequence), envelope(record.timestamp(), record.value()));
    }
    hold(slot, event, record.timestamp(), sequence);
    if (pending == settings.batching().size()) {
      flush();
    }
  }

  /** Decodes the record and preprocesses its image into batch slot {@code slot}. */
  private ImageEvent accept(byte[] value, int slot) {
    ImageEvent e = EventValidator.decode(IMAGES, value);
    String eventId = e.getEventId().strip();
    if (eventId.isEmpty()) {
      throw new InvalidEventException(RejectReason.MISSING_ID, "image: eventId is blank");
    }
    String what = "image " + eventId;
    if (e.getItemId().isBlank()) {
      throw new InvalidEventException(RejectReason.MISSING_ID, what + ": itemId is blank");
    }
    ByteBuffer bytes = e.getImageBytes();
    byte[] encoded = new byte[bytes.remaining()];
    bytes.duplicate().get(encoded);
    BufferedImage image = decoder.decode(encoded, what + " of item " + e.getItemId().strip() + " ("
        + e.getContentType() + ")");
    preprocessor.toInput(image, extractor.input(), slot * extractor.floatsPerImage());
    return e;
  }

  private void hold(int slot, ImageEvent e, long timestamp, long sequence) {
    eventIds[slot] = e.getEventId().strip();
    itemIds[slot] = e.getItemId().strip();
    timestamps[slot] = timestamp;
    sequences[slot] = sequence;
    if (pending == 0) {
      oldestMs = context.currentSystemTimeMs();
    }
    pending++;
  }

  /** Re-batches the images a restarted task found in its store, before anything newer. */
  private void restore() {
    if (toRestore == null) {
      return;
    }
    List<KeyValue<Bytes, byte[]>> images = toRestore;
    toRestore = null;
    for (KeyValue<Bytes, byte[]> kv : images) {
      ByteBuffer env = ByteBuffer.wrap(kv.value);
      long timestamp = env.getLong();
      byte[] value = new byte[env.remaining()];
      env.get(value);
      try {
        hold(pending, accept(value, pending), timestamp, sequence(kv.key));
      } catch (InvalidEventException e) { // accepted before: only a tighter configuration rejects it now
        LOG.warn("image features: a stored image is now rejected ({}); dropped: {}", e.reason(), e.getMessage());
        store.delete(kv.key);
        continue;
      }
      if (pending == settings.batching().size()) {
        flush();
      }
    }
  }

  private void onTimer(long nowMs) {
    restore();
    if (pending > 0 && nowMs - oldestMs >= settings.batching().maxWait().toMillis()) {
      flush();
    }
  }

  /** Runs the pending micro-batch and forwards each image's features; then forgets the stored images. */
  private void flush() {
    int n = pending;
    try {
      extractor.run(n);
    } catch (OrtException e) {
      throw new StreamsException("image features: ONNX Runtime failed on a batch of " + n + " images of "
          + settings.model().file() + ": " + e.getMessage(), e);
    }
    long now = context.currentSystemTimeMs();
    for (int i = 0; i < n; i++) {
      float[] f = new float[settings.model().featureDim()];
      extractor.features(i, f);
      ImageFeatureEvent out = new ImageFeatureEvent(eventIds[i] + "/features", Instant.ofEpochMilli(now),
          itemIds[i], settings.model().id(), settings.model().version(), f.length, new FeatureList(f));
      context.forward(new Record<Object, Object>(itemIds[i], out, timestamps[i]), FEATURES_CHILD);
      if (sequences[i] != UNSTORED) {
        store.delete(key(sequences[i]));
      }
      eventIds[i] = null;
      itemIds[i] = null;
    }
    pending = 0;
  }

  @Override
  public void close() {
    if (punctuation != null) {
      punctuation.cancel();
    }
    if (extractor != null) {
      try {
        extractor.close();
      } catch (OrtException e) {
        LOG.warn("image features: closing the ONNX session failed: {}", e.getMessage());
      }
      extractor = null;
    }
  }

  private static Bytes key(long sequence) {
    return Bytes.wrap(ByteBuffer.allocate(Long.BYTES).putLong(sequence).array());
  }

  private static long sequence(Bytes key) {
    return ByteBuffer.wrap(key.get()).getLong();
  }

  private static byte[] envelope(long timestamp, byte[] value) {
    return ByteBuffer.allocate(Long.BYTES + value.length).putLong(timestamp).put(value).array();
  }
}
