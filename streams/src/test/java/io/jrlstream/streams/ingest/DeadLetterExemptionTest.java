package io.jrlstream.streams.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.junit.jupiter.api.Test;

/**
 * The topics of {@link OversizeRecordInterceptor#EXEMPT_TOPICS_CONFIG} (a sharded view's round-protocol topics):
 * never redirected to the dead letters, whatever their size, and a refused record for them fails the task.
 */
class DeadLetterExemptionTest {
  private static final Map<String, Object> CONFIG = Map.of(OversizeRecordInterceptor.DEAD_LETTER_TOPIC_CONFIG, "dlq",
      StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "dlq",
      OversizeRecordInterceptor.EXEMPT_TOPICS_CONFIG,
      "app-train-collaborative-by-user, app-train-collaborative-deltas");

  @Test
  void shouldLetRecordsOfExemptTopicsThroughWhateverTheirSize() {
    OversizeRecordInterceptor interceptor = new OversizeRecordInterceptor();
    interceptor.configure(CONFIG);
    byte[] delta = new byte[3 << 20]; // over the default jrl.max.record.bytes (1,000,000)
    ProducerRecord<byte[], byte[]> toDeltas = new ProducerRecord<>("app-train-collaborative-deltas", delta);
    assertSame(toDeltas, interceptor.onSend(toDeltas));
    ProducerRecord<byte[], byte[]> toByUser = new ProducerRecord<>("app-train-collaborative-by-user", delta);
    assertSame(toByUser, interceptor.onSend(toByUser));
    assertEquals("dlq", interceptor.onSend(new ProducerRecord<>("other", delta)).topic(), "others: dead-lettered");
  }

  /** What the fake context answers: 0 for a number, null otherwise. */
  private static Object zero(Class<?> type) {
    if (type == int.class) {
      return 0;
    }
    return type == long.class ? (Object) 0L : null;
  }

  @Test
  void shouldFailTheTaskWhenKafkaRefusesARecordOfAnExemptTopic() {
    DeadLetterProductionHandler handler = new DeadLetterProductionHandler();
    handler.configure(CONFIG);
    ErrorHandlerContext context = (ErrorHandlerContext) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ErrorHandlerContext.class}, (proxy, method, args) -> zero(method.getReturnType()));
    RecordTooLargeException refused = new RecordTooLargeException("too large");
    ProductionExceptionHandler.Response fail = handler.handleError(context,
        new ProducerRecord<>("app-train-collaborative-deltas", new byte[1]), refused);
    assertEquals(ProductionExceptionHandler.Result.FAIL, fail.result());
    assertEquals(0, handler.handled(), "nothing dead-lettered");
    ProductionExceptionHandler.Response resume = handler.handleError(context,
        new ProducerRecord<>("other", new byte[1]), refused);
    assertEquals(ProductionExceptionHandler.Result.RESUME, resume.result());
    assertTrue(resume.deadLetterQueueRecords().stream().allMatch(r -> r.topic().equals("dlq")));
    assertEquals(1, handler.handled());
  }
}
