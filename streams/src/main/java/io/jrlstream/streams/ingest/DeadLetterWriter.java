package io.jrlstream.streams.ingest;

import io.jrlstream.streams.config.Limits;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends rejected input records to a processor's dead-letter child as {@link DeadLetter}s (whole, or cut when too
 * large), counts them and logs the first of each reason at warn (later ones at debug, so that a flood of bad
 * records cannot flood the log). Shared by ingestion's {@link ValidatingProcessor} and the image path.
 *
 * <p>Lifecycle and threading: one per processor instance (task), used on its stream thread only; the counter it
 * increments is shared and thread-safe.
 */
public final class DeadLetterWriter {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterWriter.class);

  private final DeadLetterCounter counter;
  private final Limits limits;
  private final String child;
  private final Set<RejectReason> logged = EnumSet.noneOf(RejectReason.class);

  /**
   * @param counter counts dead letters per reason
   * @param limits  the record size bound and cut sizes
   * @param child   name of the child node that writes to the dead-letter topic
   */
  public DeadLetterWriter(DeadLetterCounter counter, Limits limits, String child) {
    this.counter = Objects.requireNonNull(counter, "counter");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.child = Objects.requireNonNull(child, "child");
  }

  /**
   * Forwards the dead letter of {@code record} to the dead-letter child.
   *
   * @param context the processor's context
   * @param record  the rejected input record (original bytes)
   * @param meta    where it was read from
   * @param e       why it was rejected
   */
  public void reject(ProcessorContext<Object, Object> context, Record<byte[], byte[]> record, RecordMetadata meta,
      InvalidEventException e) {
    RejectReason reason = e.reason();
    counter.increment(reason);
    DeadLetter letter = DeadLetter.of(record.key(), record.value(), record.headers(), reason, e.getMessage(),
        meta.topic(), meta.partition(), meta.offset(), limits);
    if (logged.add(reason)) {
      LOG.warn("dead letter ({}, first of this kind in this task; later ones are logged at debug): {} at {}-{}@{}{}",
          reason, e.getMessage(), meta.topic(), meta.partition(), meta.offset(), letter.cut() ? " (cut)" : "");
    } else {
      LOG.debug("dead letter ({}): {} at {}-{}@{}", reason, e.getMessage(), meta.topic(), meta.partition(),
          meta.offset());
    }
    context.forward(new Record<Object, Object>(letter.key(), letter.value(), record.timestamp(), letter.headers()),
        child);
  }
}
