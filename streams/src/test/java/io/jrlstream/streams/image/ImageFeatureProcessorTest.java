package io.jrlstream.streams.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.streams.ingest.DeadLetterCounter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * What makes the micro-batch exactly-once: images of an unfinished batch live in the store, and a processor that
 * restarts over that store (as a task restored from the changelog does) sends their features first, in order,
 * and nothing twice.
 */
class ImageFeatureProcessorTest {
  @Test
  void shouldSendTheImagesOfAnUnfinishedBatchFirstAfterARestart() {
    ImageSettings s = TestModel.withBatchSize(3);
    OnnxSessions sessions = new OnnxSessions(s);
    Map<String, float[]> refs = TestModel.references();
    List<String> names = List.copyOf(refs.keySet());
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>(new Properties());
    context.setCurrentSystemTimeMs(1_700_000_000_000L);
    KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(ImageFeatureProcessor.STORE), Serdes.Bytes(), Serdes.ByteArray())
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);

    ImageFeatureProcessor first = new ImageFeatureProcessor(sessions, new DeadLetterCounter());
    first.init(context);
    send(first, context, 0, names.get(0));
    send(first, context, 1, names.get(1));
    first.close(); // a crash after the commit that covered both: their features were never sent
    assertTrue(context.forwarded().isEmpty());
    assertEquals(2, store.approximateNumEntries());

    ImageFeatureProcessor second = new ImageFeatureProcessor(sessions, new DeadLetterCounter());
    second.init(context);
    send(second, context, 2, names.get(2));
    send(second, context, 3, names.get(3));
    List<MockProcessorContext.CapturedForward<?, ?>> out = context.forwarded();
    assertEquals(3, out.size(), "the two restored images and the first new one make the first batch");
    for (int i = 0; i < 3; i++) {
      assertEquals(ImageFeatureProcessor.FEATURES_CHILD, out.get(i).childName().orElseThrow());
      ImageFeatureEvent e = (ImageFeatureEvent) out.get(i).record().value();
      assertEquals("item-" + i, e.getItemId());
      assertEquals(1000L + i, out.get(i).record().timestamp(), "the image record's timestamp");
      float[] f = new float[e.getFeatures().size()];
      for (int j = 0; j < f.length; j++) {
        f[j] = e.getFeatures().get(j);
      }
      assertTrue(TestModel.maxAbsDiff(refs.get(names.get(i)), f) <= OnnxFeatureExtractorTest.JPEG_TOLERANCE);
    }
    assertEquals(1, store.approximateNumEntries(), "only the pending fourth image is left");
    second.close();
  }

  private static void send(ImageFeatureProcessor p, MockProcessorContext<Object, Object> context, int i,
      String name) {
    context.setRecordMetadata("jrl.images", 0, i);
    p.process(new Record<>(("item-" + i).getBytes(), TestModel.event("ev-" + i, "item-" + i, TestModel.image(name),
        TestModel.contentType(name)), 1000L + i));
  }
}
