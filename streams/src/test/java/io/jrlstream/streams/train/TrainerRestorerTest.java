package io.jrlstream.streams.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.review.ReviewView;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.schemas.codec.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link TrainerRestorer} on its own: a store holding a checkpoint taken after event {@code n} (which completed a
 * mini-batch, as the processor's checkpoints are) and a position after event {@code m}, restored, gives the trainer
 * an uninterrupted run over events {@code [0, m]} has, bit for bit (parameters and every block of structure), and
 * reports what it re-read and re-trained. A checkpoint of the current layout needs no event up to the checkpoint
 * (the history refuses to give them, as a trimmed topic would); one of a store written before layouts (parameter
 * rows only) is restored the old way, from the first offset.
 */
class TrainerRestorerTest {
  private static final int BATCH = 8;
  private static final Dataset DATA = SyntheticData.generate(new SyntheticSpec(40, 25, 3, 12, 0, 8), 4L);
  private static final AvroCodec<TrainingEvent> EVENTS = AvroCodec.of(TrainingEvent.class);
  private static final long BASE = 500;

  private static ModelConfig config() {
    ModelConfig c = ModelConfig.defaults().mapViews(v -> v.withDim(4).withStream(v.stream().withReservoir(30)
        .withSamplerHistory(5))).withSeed(3);
    return c.withReview(c.review().withVocabCap(30).withWindow(40));
  }

  private static byte[] event(int i) {
    Interaction x = DATA.interactions().get(i);
    return EVENTS.encode(TrainingEvent.newBuilder().setEventId("e" + i).setEventTime(Instant.ofEpochMilli(i))
        .setKind(TrainingEventKind.REVIEW).setUserId(DATA.users().id(x.user())).setItemId(DATA.items().id(x.item()))
        .setStars(x.stars()).setText(DATA.reviewText(x.review())).setSourceTopic("t").setSourcePartition(0)
        .setSourceOffset(i).build());
  }

  /** A trainer and its content, fed events [0, to] the way the processor feeds them. */
  private record Run(StreamingTrainer trainer, StreamContent content) {
    List<StateBlock> blocks() {
      return TrainerRestorer.blocks(trainer, content);
    }
  }

  private static Run straight(String view, int to) {
    StreamContent content = new StreamContent(ReviewView.NAME.equals(view), config().review().window());
    StreamingTrainer t = new StreamingTrainer(ViewFactory.create(view, config(), content), config().seed(), BATCH);
    ViewInput input = new ViewInput(view, content);
    for (int i = 0; i <= to; i++) {
      Interaction x = input.interaction(BASE + i, event(i));
      if (x != null) {
        t.accept(x);
      }
    }
    return new Run(t, content);
  }

  private static KeyValueStore<Bytes, byte[]> kv() {
    MockProcessorContext<String, byte[]> ctx = new MockProcessorContext<>();
    KeyValueStore<Bytes, byte[]> kv = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.Bytes(),
        Serdes.ByteArray()).withLoggingDisabled().build();
    kv.init(ctx.getStateStoreContext(), kv);
    return kv;
  }

  @ParameterizedTest
  @CsvSource({"collaborative, 39, 77, whole", "review, 39, 77, whole", "review, 63, 63, whole",
      "rating, -1, 50, whole", "rating, 95, 130, whole", "collaborative, 39, 77, old", "review, 39, 77, old",
      "rating, -1, 50, old"})
  void shouldRestoreTheUninterruptedTrainerFromItsCheckpoint(String view, int checkpointAfter, int positionAfter,
      String layout) {
    KeyValueStore<Bytes, byte[]> kv = kv();
    CheckpointStore store = new CheckpointStore(kv, view, TrainingObserver.NONE);
    boolean whole = layout.equals("whole");
    if (checkpointAfter >= 0) {
      Run before = straight(view, checkpointAfter);
      assertEquals(List.of(), before.trainer().pending(), "the processor checkpoints right after a mini-batch");
      checkpoint(store, view, before, whole ? before.blocks()
          : before.trainer().view().params().stream().map(StateBlock::of).toList(), checkpointAfter);
      if (!whole) {
        kv.delete(Bytes.wrap("Mlayout".getBytes(StandardCharsets.UTF_8))); // as a store written before layouts
      }
    }
    for (int i = 0; i <= positionAfter; i++) {
      store.recordInput(BASE + i);
    }
    long[] reported = new long[2];
    TrainingOptions options = TrainingOptions.defaults().withBatchSize(BATCH);
    CheckpointStore reopened = new CheckpointStore(kv, view, TrainingObserver.NONE);
    long firstAvailable = whole && checkpointAfter >= 0 ? BASE + checkpointAfter + 1 : BASE;
    TrainerRestorer.Restored r = TrainerRestorer.restore(view, config(), options, reopened,
        history(firstAvailable), 0, new TrainingObserver() {
          @Override
          public void restored(String v, long nanos, long eventsRead, long retrained) {
            reported[0] = eventsRead;
            reported[1] = retrained;
          }
        });
    Run expected = straight(view, positionAfter);
    StreamingTrainer got = r.trainer();
    assertEquals(expected.trainer().sequence(), got.sequence());
    assertEquals(expected.trainer().batches(), got.batches());
    assertEquals(expected.trainer().pending(), got.pending());
    assertEquals(expected.trainer().view().optimizer().steps(), got.view().optimizer().steps());
    List<Param> want = expected.trainer().view().params();
    List<Param> gotParams = got.view().params();
    for (int b = 0; b < want.size(); b++) {
      assertEquals(want.get(b).value().size(), gotParams.get(b).value().size(), want.get(b).value().name());
      for (int row = 0; row < want.get(b).value().size(); row++) {
        assertArrayEquals(want.get(b).value().row(row), gotParams.get(b).value().row(row),
            want.get(b).value().name() + " row " + row);
      }
    }
    if (whole) {
      // (The old way rebuilds what training reads; not the review view's raw word count, a statistic.)
      assertSameStructure(expected.blocks(), r.blocks(), !expected.trainer().pending().isEmpty());
    }
    long read = whole ? positionAfter - checkpointAfter : positionAfter + 1;
    assertEquals(read, reported[0], "events re-read");
    long checkpointed = checkpointAfter < 0 ? 0 : straight(view, checkpointAfter).trainer().sequence();
    assertEquals(expected.trainer().sequence() - checkpointed, reported[1], "interactions re-trained after the "
        + "checkpoint");
  }

  /** Every row of every block encodes alike (the trainer's counters only after a whole mini-batch). */
  private static void assertSameStructure(List<StateBlock> want, List<StateBlock> got, boolean halfBatch) {
    assertEquals(want.size(), got.size(), "blocks");
    for (int b = 0; b < want.size() - (halfBatch ? 1 : 0); b++) {
      assertEquals(want.get(b).size(), got.get(b).size(), "rows of block " + b);
      for (int row = 0; row < want.get(b).size(); row++) {
        assertArrayEquals(want.get(b).encode(row), got.get(b).encode(row), "block " + b + " row " + row);
      }
    }
  }

  /**
   * A checkpoint whose structure was built under other settings (here a smaller reservoir) is restored the old way:
   * the structure rebuilt from the first offset under the new settings, the parameter rows loaded, the old structure
   * rows dropped; the next checkpoint is whole again and a later restore loads it without the history before it.
   */
  @ParameterizedTest
  @CsvSource({"collaborative", "review"})
  void shouldRebuildTheStructureFromTheEventsWhenTheSettingsChanged(String view) {
    KeyValueStore<Bytes, byte[]> kv = kv();
    CheckpointStore store = new CheckpointStore(kv, view, TrainingObserver.NONE);
    Run before = straight(view, 39);
    checkpoint(store, view, before, before.blocks(), 39);
    for (int i = 0; i <= 79; i++) {
      store.recordInput(BASE + i);
    }
    ModelConfig changed = config().mapViews(v -> v.withStream(v.stream().withReservoir(20)));
    TrainingOptions options = TrainingOptions.defaults().withBatchSize(BATCH);
    long[] read = new long[1];
    TrainingObserver counting = new TrainingObserver() {
      @Override
      public void restored(String v, long nanos, long eventsRead, long retrained) {
        read[0] = eventsRead;
      }
    };
    CheckpointStore reopened = new CheckpointStore(kv, view, TrainingObserver.NONE);
    TrainerRestorer.Restored r = TrainerRestorer.restore(view, changed, options, reopened, history(BASE), 0,
        counting);
    assertEquals(80, read[0], "re-read from the first offset");
    assertEquals(20, r.trainer().reservoir().capacity());
    assertEquals(CheckpointStore.NO_LAYOUT, reopened.layout(), "the old structure no longer counts");

    assertEquals(List.of(), r.trainer().pending());
    reopened.take(r.blocks(), new CheckpointStore.Counters(BASE + 79, r.trainer().sequence(), r.trainer().batches(),
        r.trainer().view().optimizer().steps()), 0);
    TrainerRestorer.Restored again = TrainerRestorer.restore(view, changed, options,
        new CheckpointStore(kv, view, TrainingObserver.NONE), history(BASE + 80), 0, counting);
    assertEquals(0, read[0], "nothing after the checkpoint to re-read");
    assertSameStructure(r.blocks(), again.blocks(), false);
  }

  /** The events from offset {@code first} on: asking for earlier ones fails, as on a trimmed topic. */
  private static EventHistory history(long first) {
    return (partition, from, to, sink) -> {
      if (from < first) {
        throw new IllegalStateException("offsets before " + first + " are gone, asked from " + from);
      }
      for (long o = from; o <= to; o++) {
        sink.accept(o, event((int) (o - BASE)));
      }
    };
  }

  /**
   * Takes a checkpoint of {@code blocks} of a straight run that trained events 0..{@code at}, at input offset
   * BASE + at, under the settings a restore of the defaults expects.
   */
  private static void checkpoint(CheckpointStore store, String view, Run run, List<StateBlock> blocks, int at) {
    store.settings(TrainerRestorer.fingerprint(view, config(), TrainingOptions.defaults().withBatchSize(BATCH)));
    store.take(blocks, new CheckpointStore.Counters(BASE + at, run.trainer().sequence(), run.trainer().batches(),
        run.trainer().view().optimizer().steps()), 0);
  }

  @ParameterizedTest
  @CsvSource({"review", "collaborative"})
  void shouldRefuseAStoreOfANewerLayout(String view) {
    KeyValueStore<Bytes, byte[]> kv = kv();
    CheckpointStore store = new CheckpointStore(kv, view, TrainingObserver.NONE);
    Run before = straight(view, 39);
    checkpoint(store, view, before, before.blocks(), 39);
    store.recordInput(BASE + 39);
    kv.put(Bytes.wrap("Mlayout".getBytes(StandardCharsets.UTF_8)), new byte[] {0, 0, 0, 0, 0, 0, 0, 9});
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> TrainerRestorer.restore(view, config(),
        TrainingOptions.defaults().withBatchSize(BATCH), new CheckpointStore(kv, view, TrainingObserver.NONE),
        EventHistory.none(), 0, TrainingObserver.NONE));
    assertTrue(e.getMessage().contains("layout 9") && e.getMessage().contains("reset the application's state"),
        e.getMessage());
  }
}
