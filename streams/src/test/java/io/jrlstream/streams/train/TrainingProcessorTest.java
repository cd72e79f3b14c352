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
import io.jrlstream.schemas.codec.AvroCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restarts of a {@link TrainingProcessor} over the same store: before the first checkpoint, mid-batch,
 * right after a checkpoint and between checkpoints. Each restart rebuilds the view from the store (position,
 * checkpoint rows) and the input history (structure, re-training) and the vectors published over all runs end equal, bit for bit, to
 * those of one uninterrupted processor. A run ends without any flush, as a crash does: with coalesced
 * publication, rows changed since the last publication are then published only because the restart
 * re-trains them.
 */
class TrainingProcessorTest {
  private static final int BATCH = 8;
  private static final int CHECKPOINT = 5;
  private static final Dataset DATA = SyntheticData.generate(new SyntheticSpec(40, 25, 3, 12, 0, 8), 4L);

  private static ModelConfig config() {
    ModelConfig c = ModelConfig.defaults().mapViews(v -> v.withDim(4)).withSeed(5);
    // Vocabulary evictions and review vectors leaving the window happen between checkpoints.
    return c.withReview(c.review().withVocabCap(30).withWindow(40));
  }

  private static TrainingEvent event(int i) {
    Interaction x = DATA.interactions().get(i);
    return TrainingEvent.newBuilder().setEventId("e" + i).setEventTime(Instant.ofEpochMilli(i))
        .setKind(TrainingEventKind.REVIEW).setUserId(DATA.users().id(x.user())).setItemId(DATA.items().id(x.item()))
        .setStars(x.stars()).setText(DATA.reviewText(x.review())).setSourceTopic("t").setSourcePartition(0)
        .setSourceOffset(i).build();
  }

  private static final AvroCodec<TrainingEvent> EVENTS = AvroCodec.of(TrainingEvent.class);
  private static final AvroCodec<EmbeddingRecord> EMBEDDINGS = AvroCodec.of(EmbeddingRecord.class);
  /** The input's offsets start here (as on a topic whose head retention removed), so event i is at BASE + i. */
  private static final long OFFSET_BASE = 1000;
  /** The input topic: event i at offset OFFSET_BASE + i; asked for anything else, the test fails. */
  private static final EventHistory HISTORY = (partition, from, to, sink) -> {
    assertEquals(0, partition);
    assertTrue(from >= OFFSET_BASE && to < OFFSET_BASE + DATA.interactions().size(), from + ".." + to);
    for (long o = from; o <= to; o++) {
      sink.accept(o, EVENTS.encode(event((int) (o - OFFSET_BASE))));
    }
  };

  private static KeyValueStore<Bytes, byte[]> store(MockProcessorContext<String, byte[]> ctx, String name) {
    KeyValueStore<Bytes, byte[]> s = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.Bytes(),
        Serdes.ByteArray()).withLoggingDisabled().build();
    s.init(ctx.getStateStoreContext(), s);
    ctx.addStateStore(s);
    return s;
  }

  /**
   * Runs events [from, to) through a fresh processor over store, recording the latest vector per key; the
   * wall clock never advances, so with a publication interval only checkpoints publish, unless
   * {@code flushAtEnd} fires the publication punctuation after the last event.
   *
   * @return the number of records forwarded
   */
  private static int run(String view, long publishIntervalMs, KeyValueStore<Bytes, byte[]> store, int from, int to,
      boolean flushAtEnd, Map<String, List<Float>> latest) {
    return run(view, publishIntervalMs, 0, store, from, to, flushAtEnd, latest);
  }

  private static int run(String view, long publishIntervalMs, int eventsPerRow, KeyValueStore<Bytes, byte[]> store,
      int from, int to, boolean flushAtEnd, Map<String, List<Float>> latest) {
    MockProcessorContext<String, byte[]> ctx = new MockProcessorContext<>();
    ctx.setCurrentSystemTimeMs(0);
    ctx.addStateStore(store);
    TrainingOptions options = new TrainingOptions(BATCH, CHECKPOINT, publishIntervalMs, eventsPerRow);
    TrainingProcessor p = new TrainingProcessor(view, config(), options, store.name(), HISTORY);
    p.init(ctx);
    assertEquals(publishIntervalMs > 0 ? 1 : 0, ctx.scheduledPunctuators().size());
    for (int i = from; i < to; i++) {
      ctx.setRecordMetadata("validated", 0, OFFSET_BASE + i);
      p.process(new Record<>("k", EVENTS.encode(event(i)), i));
    }
    if (flushAtEnd && publishIntervalMs > 0) {
      ctx.scheduledPunctuators().get(0).getPunctuator().punctuate(0);
    }
    for (MockProcessorContext.CapturedForward<? extends String, ? extends byte[]> f : ctx.forwarded()) {
      EmbeddingRecord r = EMBEDDINGS.decode(f.record().value());
      assertEquals(r.getKind() + ":" + r.getEntityId(), f.record().key());
      latest.put(f.record().key(), r.getVector());
    }
    return ctx.forwarded().size();
  }

  @ParameterizedTest
  @CsvSource({"collaborative,0,0", "review,0,0", "rating,0,0", "collaborative,1000,0", "review,1000,0", "rating,1000,0",
      "review,0,1", "review,1000,1", "collaborative,1000,1"})
  void shouldEndAsAnUninterruptedRunAfterRestartsAtAnyPoint(String view, long publishIntervalMs, int eventsPerRow) {
    int n = DATA.interactions().size();
    assertTrue(n > BATCH * CHECKPOINT * 3, "need several checkpoints, have " + n + " events");
    Map<String, List<Float>> straight = new HashMap<>();
    MockProcessorContext<String, byte[]> c1 = new MockProcessorContext<>();
    run(view, publishIntervalMs, eventsPerRow, store(c1, TrainingProcessor.storeName(view)), 0, n, true, straight);

    MockProcessorContext<String, byte[]> c2 = new MockProcessorContext<>();
    KeyValueStore<Bytes, byte[]> kept = store(c2, TrainingProcessor.storeName(view));
    Map<String, List<Float>> restarted = new HashMap<>();
    int[] cuts = {5, BATCH * 3 + 5, BATCH * CHECKPOINT, BATCH * CHECKPOINT * 2 + 3, BATCH * CHECKPOINT * 3 - 1, n};
    int from = 0;
    for (int cut : cuts) {
      run(view, publishIntervalMs, eventsPerRow, kept, from, cut, cut == n, restarted);
      from = cut;
    }
    assertEquals(straight.keySet(), restarted.keySet());
    for (String k : straight.keySet()) {
      assertEquals(straight.get(k), restarted.get(k), view + " " + k);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"collaborative", "review", "rating"})
  void shouldPublishEachChangedRowOncePerIntervalWithItsLatestValue(String view) {
    int n = DATA.interactions().size();
    Map<String, List<Float>> everyBatch = new HashMap<>();
    int perBatch = run(view, 0, store(new MockProcessorContext<>(), "a"), 0, n, true, everyBatch);
    Map<String, List<Float>> coalesced = new HashMap<>();
    int fewer = run(view, 1000, store(new MockProcessorContext<>(), "b"), 0, n, true, coalesced);
    assertEquals(everyBatch, coalesced);
    // Checkpoints (every 5 batches) and the final flush publish: each row at most once per such period.
    assertTrue(fewer < perBatch * 0.6, view + ": coalesced " + fewer + " records against " + perBatch);
  }

  /** The checkpoint counters in a store: batches at the last checkpoint, interactions then. */
  private static long meta(KeyValueStore<Bytes, byte[]> store, String name) {
    byte[] v = store.get(Bytes.wrap(("M" + name).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    return v == null ? -1 : java.nio.ByteBuffer.wrap(v).getLong();
  }

  @org.junit.jupiter.api.Test
  void shouldSpaceCheckpointsByTheRowsTheyWriteWhenAskedTo() {
    int n = DATA.interactions().size();
    KeyValueStore<Bytes, byte[]> fixed = store(new MockProcessorContext<>(), "fixed");
    run("review", 1000, 0, fixed, 0, n, false, new HashMap<>());
    KeyValueStore<Bytes, byte[]> spaced = store(new MockProcessorContext<>(), "spaced");
    run("review", 1000, 3, spaced, 0, n, false, new HashMap<>());
    long fixedBatches = meta(fixed, "batches");
    long spacedBatches = meta(spaced, "batches");
    // Fixed: the last multiple of CHECKPOINT batches. Spaced: at least CHECKPOINT batches in, and later than fixed
    // because each checkpoint after the first needs 3 interactions per old row it re-writes (users, items, old
    // reviews as link negatives, words).
    assertEquals((n / BATCH) / CHECKPOINT * CHECKPOINT, fixedBatches);
    assertTrue(spacedBatches >= CHECKPOINT, "no checkpoint at all: " + spacedBatches);
    assertTrue(meta(spaced, "accepted") < meta(fixed, "accepted") || spacedBatches % CHECKPOINT != 0,
        "spaced checkpoints at " + spacedBatches + " batches, fixed at " + fixedBatches);
  }

  /** Runs input[from, to) (value at offset i = input.get(i)) through a fresh processor over store. */
  private static void runBytes(List<byte[]> input, KeyValueStore<Bytes, byte[]> store, int from, int to,
      Map<String, List<Float>> latest) {
    MockProcessorContext<String, byte[]> ctx = new MockProcessorContext<>();
    ctx.setCurrentSystemTimeMs(0);
    ctx.addStateStore(store);
    EventHistory history = (partition, a, b, sink) -> {
      for (long o = a; o <= b; o++) {
        sink.accept(o, input.get((int) o));
      }
    };
    TrainingProcessor p = new TrainingProcessor("review", config(), new TrainingOptions(BATCH, CHECKPOINT, 0, 0),
        store.name(), history);
    p.init(ctx);
    for (int i = from; i < to; i++) {
      ctx.setRecordMetadata("validated", 0, i);
      p.process(new Record<>("k", input.get(i), i));
    }
    for (MockProcessorContext.CapturedForward<? extends String, ? extends byte[]> f : ctx.forwarded()) {
      latest.put(f.record().key(), EMBEDDINGS.decode(f.record().value()).getVector());
    }
  }

  @org.junit.jupiter.api.Test
  void shouldSkipUndecodableInputLiveAndOnRestoreAlike() {
    int n = DATA.interactions().size();
    List<byte[]> clean = new java.util.ArrayList<>();
    List<byte[]> dirty = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      clean.add(EVENTS.encode(event(i)));
      dirty.add(EVENTS.encode(event(i)));
      if (i % 37 == 5) {
        dirty.add(new byte[] {(byte) 0xC3, 0x01, 7, 7, 7}); // single-object marker, unknown fingerprint
        dirty.add(new byte[0]);
      }
    }
    Map<String, List<Float>> expected = new HashMap<>();
    runBytes(clean, store(new MockProcessorContext<>(), "clean"), 0, clean.size(), expected);
    Map<String, List<Float>> straight = new HashMap<>();
    runBytes(dirty, store(new MockProcessorContext<>(), "dirty"), 0, dirty.size(), straight);
    KeyValueStore<Bytes, byte[]> kept = store(new MockProcessorContext<>(), "restarted");
    Map<String, List<Float>> restarted = new HashMap<>();
    int cut = dirty.size() * 2 / 3; // past several checkpoints and undecodable records
    runBytes(dirty, kept, 0, cut, restarted);
    runBytes(dirty, kept, cut, dirty.size(), restarted);
    assertTrue(dirty.size() > clean.size() + 10);
    assertEquals(expected, straight);
    assertEquals(expected, restarted);
  }
}
