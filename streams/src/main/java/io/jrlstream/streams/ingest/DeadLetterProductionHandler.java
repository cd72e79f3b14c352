package io.jrlstream.streams.ingest;

import io.jrlstream.streams.config.Limits;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.StreamsKeys;
import io.jrlstream.streams.config.StreamsSettings;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production exception handler of every application of the instance (ingestion, trainers, serving, image,
 * replay): a record that Kafka refuses to write, e.g. larger than {@code max.request.size} or than a topic's
 * {@code max.message.bytes}, or one that cannot be serialised, is sent to the dead-letter topic
 * ({@link RejectReason#PRODUCE_FAILED}: the refused record, cut to {@link Limits#maxRecordBytes()} as
 * {@link DeadLetter} cuts, with the source topic, partition and offset of the input record being processed and
 * {@link DeadLetterHeaders#TARGET_TOPIC}) and processing resumes, instead of the default: the stream thread fails
 * and the client shuts down, and every restart meets the same record again (issue 13). A retriable error (a timeout,
 * a leader moving) is retried: the task's transaction is aborted and its records processed again. A record refused
 * on the dead-letter topic itself is dropped with an error in the log, never dead-lettered again.
 *
 * <p>This is a backstop: ingestion checks every limit before it writes ({@link EventValidator},
 * {@link ValidatingProcessor}, {@link DeadLetter}), and {@link OversizeRecordInterceptor} turns any other record
 * over the bound into a dead letter before the producer sees it. What is left: serialisation errors (handled before
 * the send, so the transaction is unharmed) and records a broker refuses (e.g. a topic created elsewhere with a
 * smaller {@code max.message.bytes}). For the latter the handler's "resume" only helps at-least-once applications:
 * under exactly-once the refused send has already made the producer's transaction abortable, the commit fails and
 * the client stops, which {@code /health} reports (so the start-up check of {@code max.message.bytes} matters).
 *
 * <p>A refused record for a topic of {@value OversizeRecordInterceptor#EXEMPT_TOPICS_CONFIG} (a sharded view's
 * round-protocol topics) is never dead-lettered: the handler fails the task, loudly, since going on without the record
 * would leave the view's other tasks waiting for it forever.
 *
 * <p>Configured from the Kafka Streams properties ({@link #streamsProperties} sets them): the dead-letter topic from
 * {@value StreamsConfig#ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG} (KIP-1034; without it refused records are
 * dropped, logged) and the cut sizes from {@code jrl.max.id.bytes}, {@code jrl.max.record.bytes} and
 * {@code jrl.dead.letter.value.bytes}. Kafka Streams creates one per stream thread; thread-safe anyway (the counter
 * of handled records is atomic).
 */
public final class DeadLetterProductionHandler implements ProductionExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterProductionHandler.class);

  private String deadLetterTopic;
  private Limits limits = Limits.DEFAULTS;
  private Set<String> exempt = Set.of();
  private final AtomicLong handled = new AtomicLong();

  /**
   * The Kafka Streams properties that make an application use this handler with the settings' dead-letter topic
   * and limits, its producers accept the largest record the limits allow ({@code max.request.size}) and redirect
   * any larger one to the dead letters ({@link OversizeRecordInterceptor}).
   *
   * @param s the settings
   * @return new, mutable properties: add them with {@code putIfAbsent} so that a user's own choice wins
   */
  public static Map<String, String> streamsProperties(StreamsSettings s) {
    Limits l = s.limits();
    Map<String, String> p = new TreeMap<>();
    p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionHandler.class.getName());
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, s.deadLetters().name());
    p.put(StreamsKeys.MAX_ID_BYTES.key(), Integer.toString(l.maxIdBytes()));
    p.put(StreamsKeys.MAX_RECORD_BYTES.key(), Integer.toString(l.maxRecordBytes()));
    p.put(StreamsKeys.DEAD_LETTER_VALUE_BYTES.key(), Integer.toString(l.deadLetterValueBytes()));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        Integer.toString(l.producerMaxRequestBytes()));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG),
        OversizeRecordInterceptor.class.getName());
    p.put(StreamsConfig.producerPrefix(OversizeRecordInterceptor.DEAD_LETTER_TOPIC_CONFIG), s.deadLetters().name());
    for (Setting<Integer> k : List.of(StreamsKeys.MAX_ID_BYTES, StreamsKeys.MAX_RECORD_BYTES,
        StreamsKeys.DEAD_LETTER_VALUE_BYTES)) {
      p.put(StreamsConfig.producerPrefix(k.key()), p.get(k.key()));
    }
    return p;
  }

  @Override
  public void configure(Map<String, ?> configs) {
    Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    deadLetterTopic = topic == null || topic.toString().isBlank() ? null : topic.toString();
    limits = OversizeRecordInterceptor.limits(configs);
    exempt = OversizeRecordInterceptor.exempt(configs);
  }


  /** @return how many refused records this handler has dead-lettered or dropped */
  public long handled() {
    return handled.get();
  }

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
      Exception exception) {
    if (exception instanceof RetriableException) {
      return Response.retry();
    }
    return deadLetter(context, record.topic(), record.key(), record.value(), exception);
  }

  @Override
  public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
      SerializationExceptionOrigin origin) {
    // The record could not be turned into bytes: the dead letter holds the input record being processed.
    return deadLetter(context, record.topic(), context.sourceRawKey(), context.sourceRawValue(), exception);
  }

  private Response deadLetter(ErrorHandlerContext context, String target, byte[] key, byte[] value,
      Exception exception) {
    String where = context.topic() == null ? "a punctuation" : context.topic() + "-" + context.partition() + "@"
        + context.offset();
    String message = "Kafka refused a record for " + target + " (processing " + where + " in task "
        + context.taskId() + ", node " + context.processorNodeId() + "): " + exception;
    if (exempt.contains(target)) {
      LOG.error("{}; the task fails: a record of {} is never dead-lettered ({})", message, target,
          OversizeRecordInterceptor.EXEMPT_TOPICS_CONFIG);
      return Response.fail();
    }
    handled.incrementAndGet();
    if (deadLetterTopic == null || deadLetterTopic.equals(target)) {
      LOG.error("{}; dropped{}", message, deadLetterTopic == null ? " (no dead-letter topic configured)"
          : " (it was a dead letter itself)");
      return Response.resume();
    }
    LOG.error("{}; sent to {} and processing goes on", message, deadLetterTopic);
    DeadLetter letter = DeadLetter.of(key, value, new RecordHeaders(), RejectReason.PRODUCE_FAILED, message,
        context.topic() == null ? "" : context.topic(), context.partition(), context.offset(), limits);
    DeadLetterHeaders.put(letter.headers(), DeadLetterHeaders.TARGET_TOPIC, target);
    return Response.resume(List.of(new ProducerRecord<>(deadLetterTopic, null, null, letter.key(), letter.value(),
        letter.headers())));
  }
}
