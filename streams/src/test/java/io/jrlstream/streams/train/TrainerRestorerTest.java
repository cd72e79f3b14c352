package io.jrlstream.streams.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.ReviewView;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.schemas.codec.AvroCodec;
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
 * mini-batch, as the processor's checkpoints are) and a position after
 * event {@code m}, restored from the input history, gives the trainer an uninterrupted run over events
 * {@code [0, m]} has, bit for bit, and reports what it re-read and re-trained.
 */
class TrainerRestorerTest {
  private static final int BATCH = 8;
  private static final Dataset DATA = SyntheticData.generate(new SyntheticSpec(40, 25, 3, 12, 0, 8), 4L);
  private static final AvroCodec<TrainingEvent> EVENTS = AvroCodec.of(TrainingEvent.class);
  private static final long BASE = 500;

  private static ModelConfig config() {
    ModelConfig c = ModelConfig.defaults().mapViews(v -> v.withDim(4)).withSeed(3);
    return c.withReview(c.review().withVocabCap(30).withWindow(40));
  }

  private static byte[] event(int i) {
    Interaction x = DATA.interactions().get(i);
    return EVENTS.encode(TrainingEvent.newBuilder().setEventId("e" + i).setEventTime(Instant.ofEpochMilli(i))
        .setKind(TrainingEventKind.REVIEW).setUserId(DATA.users().id(x.user())).setItemId(DATA.items().id(x.item()))
        .setStars(x.stars()).setText(DATA.reviewText(x.review())).setSourceTopic("t").setSourcePartition(0)
        .setSourceOffset(i).build());
  }

  /** A trainer fed events [0, to] the way the processor feeds it. */
  private static StreamingTrainer straight(String view, int to) {
    StreamContent content = new StreamContent(ReviewView.NAME.equals(view), config().review().window());
    StreamingTrainer t = new StreamingTrainer(ViewFactory.create(view, config(), content), config().seed(), BATCH);
    ViewInput input = new ViewInput(view, content);
    for (int i = 0; i <= to; i++) {
      Interaction x = input.interaction(BASE + i, event(i));
      if (x != null) {
        t.accept(x);
      }
    }
    return t;
  }

  @ParameterizedTest
  @CsvSource({"collaborative, 39, 77", "review, 39, 77", "review, 63, 63", "rating, -1, 50"})
  void shouldRestoreTheUninterruptedTrainerFromItsCheckpointAndTheHistory(String view, int checkpointAfter,
      int positionAfter) {
    MockProcessorContext<String, byte[]> ctx = new MockProcessorContext<>();
    KeyValueStore<Bytes, byte[]> kv = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.Bytes(),
        Serdes.ByteArray()).withLoggingDisabled().build();
    kv.init(ctx.getStateStoreContext(), kv);
    CheckpointStore store = new CheckpointStore(kv, view, TrainingObserver.NONE);
    if (checkpointAfter >= 0) {
      StreamingTrainer before = straight(view, checkpointAfter);
      assertEquals(List.of(), before.pending(), "the processor checkpoints right after a mini-batch");
      List<StateBlock> blocks = before.view().params().stream().map(StateBlock::of).toList();
      store.take(blocks, new CheckpointStore.Counters(BASE + checkpointAfter, before.sequence(), before.batches(),
          before.view().optimizer().steps()), 0);
    }
    for (int i = 0; i <= positionAfter; i++) {
      store.recordInput(BASE + i);
    }
    long[] reported = new long[2];
    TrainingOptions options = TrainingOptions.defaults().withBatchSize(BATCH);
    CheckpointStore reopened = new CheckpointStore(kv, view, TrainingObserver.NONE);
    TrainerRestorer.Restored r = TrainerRestorer.restore(view, config(), options, reopened,
        (partition, from, to, sink) -> {
          for (long o = from; o <= to; o++) {
            sink.accept(o, event((int) (o - BASE)));
          }
        }, 0, new TrainingObserver() {
          @Override
          public void restored(String v, long nanos, long eventsRead, long retrained) {
            reported[0] = eventsRead;
            reported[1] = retrained;
          }
        });
    StreamingTrainer expected = straight(view, positionAfter);
    assertEquals(expected.sequence(), r.trainer().sequence());
    assertEquals(expected.batches(), r.trainer().batches());
    assertEquals(expected.pending(), r.trainer().pending());
    assertEquals(expected.view().optimizer().steps(), r.trainer().view().optimizer().steps());
    List<Param> want = expected.view().params();
    List<Param> got = r.trainer().view().params();
    for (int b = 0; b < want.size(); b++) {
      assertEquals(want.get(b).value().size(), got.get(b).value().size(), want.get(b).value().name());
      for (int row = 0; row < want.get(b).value().size(); row++) {
        assertArrayEquals(want.get(b).value().row(row), got.get(b).value().row(row),
            want.get(b).value().name() + " row " + row);
      }
    }
    assertEquals(positionAfter + 1, reported[0], "events re-read");
    long checkpointed = checkpointAfter < 0 ? 0 : straight(view, checkpointAfter).sequence();
    assertEquals(expected.sequence() - checkpointed, reported[1], "interactions re-trained after the checkpoint");
  }
}
