package io.jrlstream.streams.ingest;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the records that ingestion sent to the dead-letter topic, per {@link RejectReason}, for
 * metrics and progress reports.
 *
 * <p>Counts are of this process's attempts, not of committed results: under exactly-once, a task whose
 * transaction aborts re-processes its records and counts their rejections again. The dead-letter topic
 * itself (read committed) is the exact record.
 *
 * <p>Lifecycle: create one per application instance and pass it to the topology builder; it is never
 * reset. Thread-safe: every stream thread increments it while any thread reads it.
 */
public final class DeadLetterCounter {

  private static final RejectReason[] REASONS = RejectReason.values();

  private final LongAdder[] counts = new LongAdder[REASONS.length];

  /** A counter at zero for every reason. */
  public DeadLetterCounter() {
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  /**
   * Counts one dead letter.
   *
   * @param reason why the record was rejected
   */
  public void increment(RejectReason reason) {
    counts[reason.ordinal()].increment();
  }

  /**
   * @param reason a reason
   * @return the dead letters counted for it so far
   */
  public long count(RejectReason reason) {
    return counts[Objects.requireNonNull(reason, "reason").ordinal()].sum();
  }

  /** @return the dead letters counted so far, all reasons together */
  public long total() {
    long sum = 0;
    for (LongAdder c : counts) {
      sum += c.sum();
    }
    return sum;
  }

  /** @return a new, unmodifiable map of every reason to its count (zeros included), in declaration order */
  public Map<RejectReason, Long> snapshot() {
    Map<RejectReason, Long> m = new EnumMap<>(RejectReason.class);
    for (RejectReason r : REASONS) {
      m.put(r, counts[r.ordinal()].sum());
    }
    return Collections.unmodifiableMap(m);
  }

  @Override
  public String toString() {
    return "DeadLetterCounter" + snapshot();
  }
}
