package io.jrlstream.streams.ingest;

import io.jrlstream.streams.config.Limits;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.StreamsKeys;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A producer interceptor on the Kafka Streams producers of every application: a record larger than
 * {@link Limits#maxRecordBytes()} (key, value and headers) is replaced, before the producer sees it, by a cut dead
 * letter on the dead-letter topic ({@link RejectReason#PRODUCE_FAILED}, {@link DeadLetterHeaders#TARGET_TOPIC}
 * naming the topic it was for, the original sizes in the {@code jrl.original.*} headers).
 *
 * <p>Why an interceptor and not only the {@link DeadLetterProductionHandler}: under exactly-once a send that the
 * producer refuses puts its transaction in an abortable error state, so every later send and the commit fail, the
 * stream thread dies, and the restarted task meets the same record again (tested: the handler's "resume" cannot
 * save the transaction). A record that never reaches the producer whole cannot fail it. Ingestion's own limits
 * ({@link EventValidator}, {@link DeadLetter}) keep every record it writes under the bound, so this only ever fires
 * for a record some other topology node makes too large; it logs an error each time. A record redirected from a
 * changelog topic leaves that store's changelog without it: the log says so.
 *
 * <p>Topics named in {@value #EXEMPT_TOPICS_CONFIG} are let through whatever their size: a sharded view's by-user
 * and update topics, whose records carry the round protocol (a dead-lettered round delta would leave every task of
 * the view waiting for its merge forever); their application sizes its producer for them, and
 * {@link DeadLetterProductionHandler} fails the task on a refused send to them.
 *
 * <p>Configured through the producer properties ({@link DeadLetterProductionHandler#streamsProperties} sets them
 * with the {@code producer.} prefix): {@value #DEAD_LETTER_TOPIC_CONFIG}, {@code jrl.max.id.bytes},
 * {@code jrl.max.record.bytes}, {@code jrl.dead.letter.value.bytes}, and {@value #EXEMPT_TOPICS_CONFIG}.
 * Thread-safe and stateless after {@link #configure}; the producer calls {@link #onSend} on the sending thread.
 */
public final class OversizeRecordInterceptor implements ProducerInterceptor<byte[], byte[]> {
  /** Producer property naming the dead-letter topic. */
  public static final String DEAD_LETTER_TOPIC_CONFIG = "jrl.dead.letter.topic";

  /**
   * Client property (producer and Kafka Streams): topics, comma-separated, whose records are never dead-lettered,
   * neither redirected by this interceptor nor resumed past by {@link DeadLetterProductionHandler}.
   */
  public static final String EXEMPT_TOPICS_CONFIG = "jrl.dead.letter.exempt.topics";

  private static final Logger LOG = LoggerFactory.getLogger(OversizeRecordInterceptor.class);

  private String deadLetterTopic;
  private Limits limits = Limits.DEFAULTS;
  private Set<String> exempt = Set.of();

  @Override
  public void configure(Map<String, ?> configs) {
    Object topic = configs.get(DEAD_LETTER_TOPIC_CONFIG);
    if (topic == null) {
      topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    }
    deadLetterTopic = topic == null || topic.toString().isBlank() ? null : topic.toString();
    limits = limits(configs);
    exempt = exempt(configs);
  }

  /** The topics of {@value #EXEMPT_TOPICS_CONFIG} in client properties (none where absent). */
  static Set<String> exempt(Map<String, ?> configs) {
    Object v = configs.get(EXEMPT_TOPICS_CONFIG);
    Set<String> out = new HashSet<>();
    for (String t : v == null ? new String[0] : v.toString().split(",")) {
      if (!t.isBlank()) {
        out.add(t.trim());
      }
    }
    return Set.copyOf(out);
  }

  /** The cut sizes in client properties ({@code jrl.max.id.bytes} and so on), defaults where absent. */
  static Limits limits(Map<String, ?> configs) {
    Limits d = Limits.DEFAULTS;
    return new Limits(integer(configs, StreamsKeys.MAX_ID_BYTES), d.maxHeaderBytes(), d.minEventTimeMs(),
        d.maxEventTimeMs(), integer(configs, StreamsKeys.MAX_RECORD_BYTES),
        integer(configs, StreamsKeys.DEAD_LETTER_VALUE_BYTES));
  }

  private static int integer(Map<String, ?> configs, Setting<Integer> key) {
    Object v = configs.get(key.key());
    return v == null ? key.defaultValue().orElseThrow() : key.parse(v.toString());
  }

  @Override
  public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
    byte[] key = record.key();
    byte[] value = record.value();
    long size = (key == null ? 0 : key.length) + (value == null ? 0 : value.length)
        + DeadLetterHeaders.bytes(record.headers());
    if (size <= limits.maxRecordBytes() || deadLetterTopic == null || deadLetterTopic.equals(record.topic())
        || exempt.contains(record.topic())) {
      return record; // a dead letter that is still too large fails on its own: never redirected in a loop
    }
    String message = "a record of " + size + " bytes for " + record.topic() + " is larger than "
        + limits.maxRecordBytes() + " (" + StreamsKeys.MAX_RECORD_BYTES.key() + ")";
    LOG.error("{}: sent to {} cut instead{}", message, deadLetterTopic,
        record.topic().endsWith("-changelog") ? "; its state store's changelog lacks it" : "");
    Headers original = record.headers() == null ? new RecordHeaders() : record.headers();
    DeadLetter letter = DeadLetter.of(key, value, original, RejectReason.PRODUCE_FAILED, message, "", -1, -1,
        limits);
    DeadLetterHeaders.put(letter.headers(), DeadLetterHeaders.TARGET_TOPIC, record.topic());
    return new ProducerRecord<>(deadLetterTopic, null, record.timestamp(), letter.key(), letter.value(),
        letter.headers());
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
  }

  @Override
  public void close() {
  }
}
