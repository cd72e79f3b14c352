package io.jrlstream.streams.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restarts of a {@link TrainingProcessor} over the same store: before the first checkpoint, mid-batch,
 * right after a checkpoint and between checkpoints. Each restart rebuilds the view from the store (event
 * log, checkpoint rows, re-training) and the vectors published over all runs end equal, bit for bit, to
 * those of one uninterrupted processor.
 */
class TrainingProcessorTest {
  private static final int BATCH = 8;
  private static final int CHECKPOINT = 5;
  private static final Dataset DATA = SyntheticData.generate(new SyntheticSpec(40, 25, 3, 12, 0, 8), 4L);

  private static ModelConfig config() {
    ModelConfig c = ModelConfig.defaults().mapViews(v -> v.withDim(4)).withSeed(5);
    return c.withReview(c.review().withVocabCap(30)); // evictions happen between checkpoints
  }

  private static TrainingEvent event(int i) {
    Interaction x = DATA.interactions().get(i);
    return TrainingEvent.newBuilder().setEventId("e" + i).setEventTime(Instant.ofEpochMilli(i))
        .setKind(TrainingEventKind.REVIEW).setUserId(DATA.users().id(x.user())).setItemId(DATA.items().id(x.item()))
        .setStars(x.stars()).setText(DATA.reviewText(x.review())).setSourceTopic("t").setSourcePartition(0)
        .setSourceOffset(i).build();
  }

  private static KeyValueStore<Bytes, byte[]> store(MockProcessorContext<String, EmbeddingRecord> ctx, String name) {
    KeyValueStore<Bytes, byte[]> s = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.Bytes(),
        Serdes.ByteArray()).withLoggingDisabled().build();
    s.init(ctx.getStateStoreContext(), s);
    ctx.addStateStore(s);
    return s;
  }

  /** Runs events [from, to) through a fresh processor over store, recording the latest vector per key. */
  private static void run(String view, KeyValueStore<Bytes, byte[]> store, int from, int to,
      Map<String, List<Float>> latest) {
    MockProcessorContext<String, EmbeddingRecord> ctx = new MockProcessorContext<>();
    ctx.addStateStore(store);
    TrainingProcessor p = new TrainingProcessor(view, config(), BATCH, store.name(), CHECKPOINT);
    p.init(ctx);
    for (int i = from; i < to; i++) {
      p.process(new Record<>("k", event(i), i));
    }
    for (MockProcessorContext.CapturedForward<? extends String, ? extends EmbeddingRecord> f : ctx.forwarded()) {
      latest.put(f.record().key(), f.record().value().getVector());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"collaborative", "review", "rating"})
  void shouldEndAsAnUninterruptedRunAfterRestartsAtAnyPoint(String view) {
    int n = DATA.interactions().size();
    assertTrue(n > BATCH * CHECKPOINT * 3, "need several checkpoints, have " + n + " events");
    Map<String, List<Float>> straight = new HashMap<>();
    MockProcessorContext<String, EmbeddingRecord> c1 = new MockProcessorContext<>();
    run(view, store(c1, TrainingProcessor.storeName(view)), 0, n, straight);

    MockProcessorContext<String, EmbeddingRecord> c2 = new MockProcessorContext<>();
    KeyValueStore<Bytes, byte[]> kept = store(c2, TrainingProcessor.storeName(view));
    Map<String, List<Float>> restarted = new HashMap<>();
    int[] cuts = {5, BATCH * 3 + 5, BATCH * CHECKPOINT, BATCH * CHECKPOINT * 2 + 3, BATCH * CHECKPOINT * 3 - 1, n};
    int from = 0;
    for (int cut : cuts) {
      run(view, kept, from, cut, restarted);
      from = cut;
    }
    assertEquals(straight.keySet(), restarted.keySet());
    for (String k : straight.keySet()) {
      assertEquals(straight.get(k), restarted.get(k), view + " " + k);
    }
  }
}
