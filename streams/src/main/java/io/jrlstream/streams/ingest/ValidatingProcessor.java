package io.jrlstream.streams.ingest;

import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.streams.config.Limits;
import io.jrlstream.streams.config.StreamsKeys;
import io.jrlstream.streams.config.StreamsSettings;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Validates every raw input record and forwards it to exactly one of two named children: a valid
 * record as a {@code String → TrainingEvent} record keyed by user id (item id for image features) to
 * {@link #VALID_CHILD}, a rejected one as its original {@code byte[] → byte[]} record to
 * {@link #DEAD_LETTER_CHILD}, with the {@link DeadLetterHeaders} added (cut to fit {@link Limits#maxRecordBytes()}
 * when too large: {@link DeadLetter}). Rejections are counted in a {@link DeadLetterCounter}.
 *
 * <p>A record whose headers exceed {@link Limits#maxHeaderBytes()} is rejected ({@code HEADERS_TOO_LARGE}) before
 * it is decoded, since a valid record keeps its headers: with the {@link EventValidator}'s limits on ids and texts,
 * nothing written for a valid record can exceed {@link Limits#maxRecordBytes()}.
 *
 * <p>Records of any input topic may come through one instance: the source topic, read from
 * {@link RecordMetadata}, selects the record type. Each record is handled on its own and forwarded
 * before {@code process} returns, so a bad record never holds back or drops a good one, and order
 * within a partition is kept. Forwarded records keep the input record's timestamp; a valid record also
 * keeps its headers.
 *
 * <p>Output types differ per child, so the processor's declared output type is {@code Object}; the
 * children are wired with matching serdes by {@link IngestionTopology}.
 *
 * <p>Lifecycle: Kafka Streams creates one instance per task through {@link #supplier}, calls
 * {@link #init} once, then {@link #process} for each record on the task's stream thread. Not
 * thread-safe, as the Processor API expects; the shared validator and counter are.
 */
public final class ValidatingProcessor implements Processor<byte[], byte[], Object, Object> {

  /** Name of the child that receives valid {@code String → TrainingEvent} records. */
  public static final String VALID_CHILD = "jrl-ingest-valid";
  /** Name of the child that receives dead letters as original {@code byte[] → byte[]} records. */
  public static final String DEAD_LETTER_CHILD = "jrl-ingest-dead-letters";

  private final EventValidator validator;
  private final Map<String, TrainingEventKind> kindByTopic;
  private final DeadLetterWriter deadLetters;
  private final int maxHeaderBytes;
  private ProcessorContext<Object, Object> context;

  /**
   * @param validator   decodes and validates values
   * @param kindByTopic the record type of each input topic
   * @param counter     counts dead letters
   */
  public ValidatingProcessor(EventValidator validator, Map<String, TrainingEventKind> kindByTopic,
      DeadLetterCounter counter) {
    this(validator, kindByTopic, counter, Limits.DEFAULTS);
  }

  /**
   * @param validator   decodes and validates values
   * @param kindByTopic the record type of each input topic
   * @param counter     counts dead letters
   * @param limits      the header limit and the dead letters' size bound
   */
  public ValidatingProcessor(EventValidator validator, Map<String, TrainingEventKind> kindByTopic,
      DeadLetterCounter counter, Limits limits) {
    this.validator = Objects.requireNonNull(validator, "validator");
    this.kindByTopic = Map.copyOf(kindByTopic);
    this.deadLetters = new DeadLetterWriter(counter, limits, DEAD_LETTER_CHILD);
    this.maxHeaderBytes = limits.maxHeaderBytes();
  }

  /**
   * A supplier of processors for the input topics of {@code settings}, sharing one validator and
   * {@code counter}.
   *
   * @param settings input topics and validation limits
   * @param counter  counts dead letters
   * @return a supplier that returns a new processor on every call
   */
  public static ProcessorSupplier<byte[], byte[], Object, Object> supplier(StreamsSettings settings,
      DeadLetterCounter counter) {
    EventValidator validator = EventValidator.of(settings);
    Map<String, TrainingEventKind> kinds = kindByTopic(settings);
    Objects.requireNonNull(counter, "counter");
    Limits limits = settings.limits();
    return () -> new ValidatingProcessor(validator, kinds, counter, limits);
  }

  /**
   * @param settings the settings
   * @return the record type of each input topic of {@code settings}
   */
  public static Map<String, TrainingEventKind> kindByTopic(StreamsSettings settings) {
    return Map.of(settings.reviews().name(), TrainingEventKind.REVIEW,
        settings.ratings().name(), TrainingEventKind.RATING,
        settings.imageFeatures().name(), TrainingEventKind.FEATURES);
  }

  @Override
  public void init(ProcessorContext<Object, Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordMetadata meta = context.recordMetadata().orElseThrow(() -> new IllegalStateException(
        "ValidatingProcessor must be fed from a source topic, not a punctuation"));
    TrainingEventKind kind = kindByTopic.get(meta.topic());
    if (kind == null) {
      throw new IllegalStateException("ValidatingProcessor got a record of topic " + meta.topic()
          + ", which is none of its input topics " + kindByTopic.keySet());
    }
    TrainingEvent event;
    try {
      long headerBytes = DeadLetterHeaders.bytes(record.headers());
      if (headerBytes > maxHeaderBytes) {
        throw new InvalidEventException(RejectReason.HEADERS_TOO_LARGE, "record headers of " + headerBytes
            + " bytes are more than " + maxHeaderBytes + " (" + StreamsKeys.MAX_HEADER_BYTES.key() + ")");
      }
      event = validator.validate(kind, record.value(), meta.topic(), meta.partition(), meta.offset());
    } catch (InvalidEventException e) {
      deadLetters.reject(context, record, meta, e);
      return;
    }
    // Outside the try: an exception thrown downstream is not this record's fault.
    String key = kind == TrainingEventKind.FEATURES ? event.getItemId() : event.getUserId();
    context.forward(record.<Object>withKey(key).<Object>withValue(event), VALID_CHILD);
  }
}
