package io.jrlstream.streams.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.schemas.codec.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restarts of a {@link TrainingProcessor} over the same store: before the first checkpoint, mid-batch,
 * right after a checkpoint and between checkpoints. Each restart rebuilds the view from the store (position,
 * checkpoint rows) and the input history (structure, re-training) and the vectors published over all runs end equal,
 * bit for bit, to
 * those of one uninterrupted processor. A run ends without any flush, as a crash does: with coalesced
 * publication, rows changed since the last publication are then published only because the restart
 * re-trains them.
 */
class TrainingProcessorTest {
  private static final int BATCH = 8;
  private static final int CHECKPOINT = 5;

  /** Batches of {@link #BATCH}, checkpoints every {@link #CHECKPOINT} batches, the other options as given. */
  private static TrainingOptions options(long publishIntervalMs, int eventsPerRow, int spread) {
    return TrainingOptions.defaults().withBatchSize(BATCH).withCheckpointBatches(CHECKPOINT)
        .withPublishIntervalMs(publishIntervalMs).withCheckpointEventsPerRow(eventsPerRow)
        .withCheckpointSpreadBatches(spread);
  }
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
    return run(view, options(publishIntervalMs, eventsPerRow, 125), store, from, to,
        flushAtEnd, latest, i -> { });
  }

  /** As above with the given options; afterEach gets the index of each event once the processor has taken it. */
  private static int run(String view, TrainingOptions options, KeyValueStore<Bytes, byte[]> store, int from, int to,
      boolean flushAtEnd, Map<String, List<Float>> latest, IntConsumer afterEach) {
    return run(view, options, store, from, to, flushAtEnd, latest, afterEach, TrainingObserver.NONE);
  }

  /** As above, reporting to {@code observer}. */
  private static int run(String view, TrainingOptions options, KeyValueStore<Bytes, byte[]> store, int from, int to,
      boolean flushAtEnd, Map<String, List<Float>> latest, IntConsumer afterEach, TrainingObserver observer) {
    long publishIntervalMs = options.publishIntervalMs();
    MockProcessorContext<String, byte[]> ctx = new MockProcessorContext<>();
    ctx.setCurrentSystemTimeMs(0);
    ctx.addStateStore(store);
    TrainingProcessor p = new TrainingProcessor(view, config(), options, store.name(), HISTORY, observer);
    p.init(ctx);
    assertEquals(publishIntervalMs > 0 ? 1 : 0, ctx.scheduledPunctuators().size());
    for (int i = from; i < to; i++) {
      ctx.setRecordMetadata("validated", 0, OFFSET_BASE + i);
      p.process(new Record<>("k", EVENTS.encode(event(i)), i));
      afterEach.accept(i);
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

  /**
   * Cuts at fixed points (before the first checkpoint, mid-batch, right after a checkpoint's batch) and every 17
   * events besides, so that with a checkpoint spread over several batches (as each is here, spread of at most
   * CHECKPOINT batches) some cuts fall while one is half written: its rows partly in the store, not committed.
   */
  @ParameterizedTest
  @CsvSource({"collaborative,0,0,1", "review,0,0,1", "rating,0,0,1", "collaborative,1000,0,1", "review,1000,0,1",
      "rating,1000,0,1", "review,0,1,1", "review,1000,1,1", "collaborative,1000,1,1",
      "collaborative,0,0,3", "review,0,0,3", "rating,0,0,5", "collaborative,1000,0,4", "review,1000,0,3",
      "rating,1000,0,3", "review,0,1,3", "review,1000,1,125", "collaborative,1000,1,2"})
  void shouldEndAsAnUninterruptedRunAfterRestartsAtAnyPoint(String view, long publishIntervalMs, int eventsPerRow,
      int spread) {
    int n = DATA.interactions().size();
    assertTrue(n > BATCH * CHECKPOINT * 3, "need several checkpoints, have " + n + " events");
    TrainingOptions options = options(publishIntervalMs, eventsPerRow, spread);
    Map<String, List<Float>> straight = new HashMap<>();
    MockProcessorContext<String, byte[]> c1 = new MockProcessorContext<>();
    run(view, options, store(c1, TrainingProcessor.storeName(view)), 0, n, true, straight, i -> { });

    MockProcessorContext<String, byte[]> c2 = new MockProcessorContext<>();
    KeyValueStore<Bytes, byte[]> kept = store(c2, TrainingProcessor.storeName(view));
    Map<String, List<Float>> restarted = new HashMap<>();
    TreeSet<Integer> cuts = new TreeSet<>(
        List.of(5, BATCH * 3 + 5, BATCH * CHECKPOINT, BATCH * CHECKPOINT * 2 + 3, BATCH * CHECKPOINT * 3 - 1, n));
    for (int c = 17; c < n; c += 17) {
      cuts.add(c);
    }
    int from = 0;
    int halfWritten = 0;
    for (int cut : cuts) {
      run(view, options, kept, from, cut, cut == n, restarted, i -> { });
      halfWritten += cut < n && versions(kept).values().stream().anyMatch(g -> g.last() > meta(kept, "generation"))
          ? 1 : 0;
      from = cut;
    }
    assertEquals(straight.keySet(), restarted.keySet());
    for (String k : straight.keySet()) {
      assertEquals(straight.get(k), restarted.get(k), view + " " + k);
    }
    if (spread > 1) {
      assertTrue(halfWritten > 0, "no cut fell while a checkpoint was half written");
    } else {
      assertEquals(0, halfWritten);
    }
  }

  /** The row versions in a store: per block and row ("block/row"), the generations stored. */
  private static Map<String, TreeSet<Integer>> versions(KeyValueStore<Bytes, byte[]> store) {
    Map<String, TreeSet<Integer>> v = new HashMap<>();
    try (var it = store.prefixScan(Bytes.wrap(new byte[] {'R'}),
        new BytesSerializer())) {
      while (it.hasNext()) {
        ByteBuffer k = ByteBuffer.wrap(it.next().key.get());
        k.get();
        String row = k.get() + "/" + k.getInt();
        v.computeIfAbsent(row, r -> new TreeSet<>()).add(k.getInt());
      }
    }
    return v;
  }

  /**
   * A checkpoint's rows go to the store a share per batch (spread 4: at most a quarter of its writes and deletes
   * per process call, over several calls), and once it is complete, when the next one starts, the store holds
   * exactly one version per row, none above the committed generation. Spread 1 writes each checkpoint's rows in
   * one call, as a control.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void shouldSpreadACheckpointsWritesAndKeepOneVersionPerRow(int spread) {
    int n = DATA.interactions().size();
    KeyValueStore<Bytes, byte[]> store = store(new MockProcessorContext<>(), "spread");
    var before = new AtomicReference<>(versions(store));
    long[] generation = {0};
    Map<Long, Integer> rowsOf = new HashMap<>(); // per generation: its rows
    Map<Long, Integer> callsOf = new HashMap<>(); // per generation: the calls that wrote some
    Map<Long, Integer> mostPerCall = new HashMap<>();
    int[] completeChecks = {0};
    run("review", options(0, 0, spread), store, 0, n, false, new HashMap<>(), i -> {
      Map<String, TreeSet<Integer>> after = versions(store);
      long next = generation[0] + 1;
      int written = 0;
      boolean started = false;
      for (Map.Entry<String, TreeSet<Integer>> e : after.entrySet()) {
        if (e.getValue().contains((int) next)) {
          started = true;
          TreeSet<Integer> was = before.get().get(e.getKey());
          written += was != null && was.contains((int) next) ? 0 : 1;
        }
      }
      boolean wasStarted = before.get().values().stream().anyMatch(g -> g.contains((int) next));
      if (started && !wasStarted) { // a checkpoint started: the previous one was complete
        for (Map.Entry<String, TreeSet<Integer>> e : before.get().entrySet()) {
          assertEquals(1, e.getValue().size(), "versions of row " + e.getKey() + " before generation " + next);
          assertTrue(e.getValue().first() <= generation[0], e.getKey() + ": " + e.getValue());
        }
        completeChecks[0]++;
      }
      if (written > 0) {
        rowsOf.merge(next, written, Integer::sum);
        callsOf.merge(next, 1, Integer::sum);
        mostPerCall.merge(next, written, Math::max);
      }
      generation[0] = Math.max(0, meta(store, "generation"));
      before.set(after);
    });
    assertTrue(completeChecks[0] >= 5, "checkpoints started: " + completeChecks[0]);
    for (long g = 1; g < generation[0]; g++) {
      int rows = rowsOf.get(g);
      if (spread == 1) {
        assertEquals(1, callsOf.get(g), "generation " + g);
      } else {
        // Its budget per call covers writes and the deletes of superseded versions: at most 2 per row.
        assertTrue(mostPerCall.get(g) <= (2 * rows + spread - 1) / spread, "generation " + g + ": " + rows
            + " rows, " + mostPerCall.get(g) + " in one call");
        assertTrue(rows < spread || callsOf.get(g) >= 2, "generation " + g + ": " + callsOf.get(g) + " calls for "
            + rows + " rows");
      }
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

  /**
   * With a refresh interval above the publication interval, a publication between refreshes forwards only the users
   * of the events trained since the previous one (not the rows replay and negative sampling moved), and a
   * refresh catches every row up: the latest vectors end as with every row published every interval, in fewer
   * records. The clock advances 10 ms per event; checkpoints are far apart and the refresh interval is a minute, so
   * only the refresh a quiet stream gets at its next publication forwards the rest.
   */
  @ParameterizedTest
  @ValueSource(strings = {"collaborative", "review", "rating"})
  void shouldPublishNewEventsRowsEachIntervalAndEveryChangedRowAtARefresh(String view) {
    int n = DATA.interactions().size();
    TrainingOptions base = TrainingOptions.defaults().withBatchSize(BATCH).withCheckpointBatches(1000)
        .withPublishIntervalMs(100);
    Map<String, List<Float>> everyInterval = new HashMap<>();
    int all = runTimed(view, base.withPublishRefreshMs(100), n, everyInterval, null);
    Map<String, List<Float>> refreshed = new HashMap<>();
    int[] freshOnly = {0};
    int fewer = runTimed(view, base.withPublishRefreshMs(60_000), n, refreshed, freshOnly);
    assertEquals(everyInterval, refreshed, view + ": the latest vectors after the last refresh");
    assertTrue(freshOnly[0] > 0, view + ": no publication between refreshes");
    assertTrue(fewer < all * 0.8, view + ": " + fewer + " records with a refresh when quiet against " + all
        + " with every changed row each interval");
  }

  /**
   * Runs every event through a processor whose clock advances 10 ms per event, then fires the publication
   * punctuation twice, one interval apart, as on a stream that went quiet. When {@code freshOnly} is given, checks
   * that each publication that was not a refresh forwarded only the users of the events since the previous
   * publication, and counts them.
   */
  private static int runTimed(String view, TrainingOptions options, int n, Map<String, List<Float>> latest,
      int[] freshOnly) {
    MockProcessorContext<String, byte[]> ctx = new MockProcessorContext<>();
    ctx.setCurrentSystemTimeMs(0);
    KeyValueStore<Bytes, byte[]> store = store(ctx, TrainingProcessor.storeName(view));
    TrainingProcessor p = new TrainingProcessor(view, config(), options, store.name(), HISTORY,
        TrainingObserver.NONE);
    p.init(ctx);
    List<String> since = new ArrayList<>(); // keys of the events since the last publication
    long lastRefresh = 0;
    int seen = 0;
    for (int i = 0; i < n; i++) {
      long now = 10L * (i + 1);
      ctx.setCurrentSystemTimeMs(now);
      ctx.setRecordMetadata("validated", 0, OFFSET_BASE + i);
      Interaction x = DATA.interactions().get(i);
      since.add("USER:" + DATA.users().id(x.user()));
      p.process(new Record<>("k", EVENTS.encode(event(i)), i));
      int forwarded = ctx.forwarded().size();
      if (forwarded > seen) {
        boolean refresh = now - lastRefresh >= options.publishRefreshMs();
        if (refresh) {
          lastRefresh = now;
        } else if (freshOnly != null) {
          for (var f : ctx.forwarded().subList(seen, forwarded)) {
            assertTrue(since.contains(f.record().key()), view + ": " + f.record().key() + " published between "
                + "refreshes at " + now + " ms, but it is no user of an event since the previous publication");
            freshOnly[0]++;
          }
        }
        since.clear(); // a publication follows the batch that event i completed: every event so far has trained
        seen = forwarded;
      }
    }
    // The stream goes quiet: the first punctuation publishes what the last batches' events brought, the next finds no
    // batch since and refreshes, whatever the refresh interval.
    for (long t = 10L * n + options.publishIntervalMs(); t <= 10L * n + 2 * options.publishIntervalMs();
        t += options.publishIntervalMs()) {
      ctx.setCurrentSystemTimeMs(t);
      ctx.scheduledPunctuators().get(0).getPunctuator().punctuate(t);
    }
    for (var f : ctx.forwarded()) {
      latest.put(f.record().key(), EMBEDDINGS.decode(f.record().value()).getVector());
    }
    return ctx.forwarded().size();
  }

  /** The checkpoint counters in a store: batches at the last checkpoint, interactions then. */
  private static long meta(KeyValueStore<Bytes, byte[]> store, String name) {
    byte[] v = store.get(Bytes.wrap(("M" + name).getBytes(StandardCharsets.US_ASCII)));
    return v == null ? -1 : ByteBuffer.wrap(v).getLong();
  }

  @org.junit.jupiter.api.Test
  void shouldSpaceCheckpointsByTheRowsTheyWriteWhenAskedTo() {
    int n = DATA.interactions().size();
    KeyValueStore<Bytes, byte[]> fixed = store(new MockProcessorContext<>(), "fixed");
    // Written in the batch that takes them (spread 1), so that the last one counts as soon as taken.
    run("review", options(1000, 0, 1), fixed, 0, n, false, new HashMap<>(), i -> { });
    KeyValueStore<Bytes, byte[]> spaced = store(new MockProcessorContext<>(), "spaced");
    run("review", options(1000, 3, 1), spaced, 0, n, false, new HashMap<>(), i -> { });
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
    TrainingProcessor p = new TrainingProcessor("review", config(), options(0, 0, 125),
        store.name(), history, TrainingObserver.NONE);
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
    List<byte[]> clean = new ArrayList<>();
    List<byte[]> dirty = new ArrayList<>();
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

  /**
   * Flush markers (null values, written by ingestion when a batch has waited too long) train the half-collected
   * batch where they stand, live and on restore alike: restarts at many cut points, some between a marker and the
   * next batch, end where an uninterrupted run does, and the markers do change the training (batches are cut).
   */
  @org.junit.jupiter.api.Test
  void shouldCutBatchesAtFlushMarkersLiveAndOnRestoreAlike() {
    int n = DATA.interactions().size();
    List<byte[]> clean = new ArrayList<>();
    List<byte[]> marked = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clean.add(EVENTS.encode(event(i)));
      marked.add(EVENTS.encode(event(i)));
      if (i % 23 == 3) {
        marked.add(null);
        if (i % 3 == 0) {
          marked.add(null); // a second marker with nothing pending trains nothing
        }
      }
    }
    Map<String, List<Float>> unmarked = new HashMap<>();
    runBytes(clean, store(new MockProcessorContext<>(), "clean"), 0, clean.size(), unmarked);
    Map<String, List<Float>> straight = new HashMap<>();
    KeyValueStore<Bytes, byte[]> one = store(new MockProcessorContext<>(), "one");
    runBytes(marked, one, 0, marked.size(), straight);
    KeyValueStore<Bytes, byte[]> kept = store(new MockProcessorContext<>(), "restarted");
    Map<String, List<Float>> restarted = new HashMap<>();
    int from = 0;
    for (int cut = 13; from < marked.size(); cut += 13) {
      int to = Math.min(cut, marked.size());
      runBytes(marked, kept, from, to, restarted);
      from = to;
    }
    assertEquals(straight, restarted);
    assertNotEquals(unmarked, straight, "the markers changed where batches were cut");
  }

  /**
   * An observer that throws (a metrics bug) stops nothing: every report after the first failure is still made, and
   * the view trains and publishes what it would have with a working observer.
   */
  @Test
  void shouldTrainOnWhenTheTrainingObserverFails() {
    int n = DATA.interactions().size();
    TrainingOptions on = options(100, 0, 1).withQuality(new TrainingOptions.Quality(2, 100));
    Map<String, List<Float>> plain = new HashMap<>();
    run("collaborative", on, store(new MockProcessorContext<>(), "plain"), 0, n, true, plain, i -> { });
    AtomicInteger reports = new AtomicInteger();
    TrainingObserver broken = new TrainingObserver() {
      @Override
      public void batchApplied(String view, StreamingTrainer trainer, int events, long timestamp, boolean due) {
        reports.incrementAndGet();
        throw new IllegalStateException("a metrics bug");
      }

      @Override
      public void published(String view, int users, int items) {
        reports.incrementAndGet();
        throw new ArrayIndexOutOfBoundsException("another");
      }

      @Override
      public void quality(String view, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {
        reports.incrementAndGet();
        throw new NullPointerException("and another");
      }
    };
    Map<String, List<Float>> measured = new HashMap<>();
    run("collaborative", on, store(new MockProcessorContext<>(), "broken"), 0, n, true, measured, i -> { }, broken);
    assertTrue(reports.get() > 10, "reports went on after the first failure: " + reports.get());
    assertEquals(plain, measured, "the same vectors published");
  }

  /**
   * Live quality: with measuring on, each view reports windows of its prequential NDCG@10 and HR@10 and
   * popularity's over the same sampled events, the same on every run, and measuring changes nothing it trains.
   */
  @ParameterizedTest
  @ValueSource(strings = {"collaborative", "review"})
  void shouldReportLiveQualityWithoutChangingTheTraining(String view) {
    int n = DATA.interactions().size();
    TrainingOptions off = options(0, 0, 1).withQuality(TrainingOptions.Quality.OFF);
    TrainingOptions on = off.withQuality(new TrainingOptions.Quality(2, 100));
    Map<String, List<Float>> plain = new HashMap<>();
    run(view, off, store(new MockProcessorContext<>(), "off"), 0, n, false, plain, i -> { });
    List<String> first = new ArrayList<>();
    List<String> second = new ArrayList<>();
    Map<String, List<Float>> measured = new HashMap<>();
    for (List<String> reports : List.of(first, second)) {
      MockProcessorContext<String, byte[]> ctx = new MockProcessorContext<>();
      KeyValueStore<Bytes, byte[]> store = store(ctx, "on" + reports.hashCode());
      ctx.setCurrentSystemTimeMs(0);
      TrainingProcessor p = new TrainingProcessor(view, config(), on, store.name(), HISTORY, new TrainingObserver() {
        @Override
        public void quality(String v, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {
          assertEquals(view, v);
          assertTrue(model.ndcg() >= 0 && model.ndcg() <= 1 && model.hitRate() >= model.ndcg(), model.toString());
          assertEquals(model.ranked(), popularity.ranked() + popularity.coldUsers() - model.coldUsers(),
              "the same events ranked, but for users popularity has not seen since the start");
          reports.add(model.last().index() + " " + model.last().ranked() + " " + model.ndcgSum() + " "
              + popularity.ndcgSum());
        }
      });
      p.init(ctx);
      for (int i = 0; i < n; i++) {
        ctx.setRecordMetadata("validated", 0, OFFSET_BASE + i);
        p.process(new Record<>("k", EVENTS.encode(event(i)), i));
      }
      for (MockProcessorContext.CapturedForward<? extends String, ? extends byte[]> f : ctx.forwarded()) {
        measured.put(f.record().key(), EMBEDDINGS.decode(f.record().value()).getVector());
      }
    }
    assertTrue(first.size() >= n / 100 - 1, "windows reported: " + first);
    assertEquals(first, second, "the same sampled events and figures on every run");
    assertEquals(plain, measured, "measuring trained nothing differently");
  }
}
