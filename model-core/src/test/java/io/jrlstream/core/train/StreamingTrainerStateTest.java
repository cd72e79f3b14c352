package io.jrlstream.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateFake;
import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.StreamSettings;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A {@link StreamingTrainer} restored from incremental checkpoints of its whole state (the view's parameters and
 * structure, the trainer's sampler, reservoir and counters), then fed only the events after the last checkpoint,
 * ends bit-identical to a trainer that never stopped: the restore needs no event before the checkpoint.
 */
class StreamingTrainerStateTest {
  private static final Dataset DATA = SyntheticData.generate(new SyntheticSpec(60, 40, 4, 8, 6, 12), 7L);
  private static final int BATCH = 16;

  private static ModelConfig config(String kind) {
    ModelConfig c = ModelConfig.defaults().mapViews(v -> v.withDim(6)).withSeed(3);
    c = c.withReview(c.review().withVocabCap(25)).withImage(new ImageView.Settings(1e-2, 6, 1));
    if (kind.equals("plain")) {
      return c;
    }
    // Replay from a reservoir far smaller than the stream (replacements happen), two passes, a sampler history of
    // 3 items per user (evictions happen: the users here have about 12 each).
    return c.mapViews(v -> v.withBias(true).withStream(new StreamSettings(OptimizerKind.ADAGRAD, 0.05, 0.03, 2.5, 50,
        2, true, 3)));
  }

  private static StreamingTrainer trainer(String view, ModelConfig cfg) {
    return new StreamingTrainer(ViewFactory.create(view, cfg, DATA), 11, BATCH);
  }

  /** What a checkpoint stores for the trainer: parameters, the view's structure, the trainer's state. */
  private static List<StateBlock> blocks(StreamingTrainer t) {
    List<StateBlock> b = new ArrayList<>();
    t.view().params().forEach(p -> b.add(StateBlock.of(p)));
    b.addAll(t.view().structure());
    b.addAll(t.state());
    return b;
  }

  @ParameterizedTest
  @CsvSource({"collaborative,plain,2", "review,plain,2", "rating,plain,3", "image,plain,2",
      "collaborative,learning,2", "review,learning,1", "rating,learning,5", "image,learning,3",
      "collaborative,learning,13", "review,learning,9"})
  void shouldGoOnBitIdenticalFromItsCheckpointsWithoutTheEventsBeforeThem(String name, String kind, int every) {
    ModelConfig cfg = config(kind);
    List<Interaction> events = DATA.interactions();
    StreamingTrainer straight = trainer(name, cfg);
    events.forEach(straight::accept);
    assertTrue(straight.batches() >= 12, "too few batches to test: " + straight.batches());

    // Checkpoints every `every` batches (each writes the rows changed since the previous one); the trainer dies
    // two thirds through the stream, mid-batch.
    StateFake store = new StateFake();
    StreamingTrainer before = trainer(name, cfg);
    List<StateBlock> beforeBlocks = blocks(before);
    int checkpointedUpTo = -1;
    int crashAt = events.size() * 2 / 3;
    for (int i = 0; i < crashAt; i++) {
      if (before.accept(events.get(i)) && before.batches() % every == 0) {
        store.checkpoint(beforeBlocks);
        checkpointedUpTo = i;
      }
    }
    assertTrue(checkpointedUpTo > events.size() / 3, "last checkpoint after event " + checkpointedUpTo);
    if (kind.equals("learning")) {
      assertTrue(before.reservoir().offered() > before.reservoir().capacity(), "the reservoir never filled");
    }

    StreamingTrainer after = trainer(name, cfg);
    store.restore(blocks(after));
    StreamingTrainer reference = trainer(name, cfg);
    for (int i = 0; i <= checkpointedUpTo; i++) {
      reference.accept(events.get(i));
    }
    assertEquals(reference.sequence(), after.sequence());
    assertEquals(reference.batches(), after.batches());
    assertEquals(reference.view().optimizer().steps(), after.view().optimizer().steps());
    assertSameReservoir(reference.reservoir(), after.reservoir());
    assertSameSampler(reference.sampler(), after.sampler(), DATA.userCount(), DATA.itemCount());
    assertSameParameters(reference.view(), after.view());

    for (int i = checkpointedUpTo + 1; i < events.size(); i++) {
      after.accept(events.get(i));
    }
    assertEquals(straight.sequence(), after.sequence());
    assertEquals(straight.batches(), after.batches());
    assertSameParameters(straight.view(), after.view());
    assertSameReservoir(straight.reservoir(), after.reservoir());
  }

  @Test
  void shouldRefuseToCheckpointAHalfCollectedBatch() {
    StreamingTrainer t = trainer("collaborative", config("plain"));
    t.accept(DATA.interactions().get(0));
    StateFake store = new StateFake();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.checkpoint(blocks(t)));
    assertTrue(e.getMessage().contains("half-collected"), e.getMessage());
  }

  @Test
  void shouldRefuseAReservoirKeptAtAnotherCapacity() {
    Reservoir a = new Reservoir(10, 5);
    for (int i = 0; i < 30; i++) {
      a.offer(new Interaction(i, i, Float.NaN, -1, i));
    }
    StateFake store = new StateFake();
    store.checkpoint(List.of(a.state("r")));
    Reservoir same = new Reservoir(10, 5);
    store.restore(List.of(same.state("r")));
    assertSameReservoir(a, same);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> store.restore(List.of(new Reservoir(20, 5).state("r"))));
    assertTrue(e.getMessage().contains("reservoir of 10") && e.getMessage().contains("ask for 20"), e.getMessage());
  }

  @Test
  void shouldKeepTheLatestItemsOfAHistoryStoredUnderALargerCap() {
    NegativeSampler wide = new NegativeSampler(5);
    for (int item = 0; item < 5; item++) {
      wide.add(0, item);
    }
    StateFake store = new StateFake();
    store.checkpoint(wide.state("s"));
    NegativeSampler narrow = new NegativeSampler(2);
    store.restore(narrow.state("s"));
    assertEquals(List.of(false, false, false, true, true),
        List.of(narrow.interacted(0, 0), narrow.interacted(0, 1), narrow.interacted(0, 2), narrow.interacted(0, 3),
            narrow.interacted(0, 4)));
    narrow.add(0, 7); // evicts item 3, the oldest kept
    assertEquals(List.of(false, true, true), List.of(narrow.interacted(0, 3), narrow.interacted(0, 4),
        narrow.interacted(0, 7)));
  }

  private static void assertSameReservoir(Reservoir a, Reservoir b) {
    assertEquals(a.offered(), b.offered());
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i), b.get(i), "reservoir slot " + i);
    }
  }

  private static void assertSameSampler(NegativeSampler a, NegativeSampler b, int users, int items) {
    assertEquals(a.itemCount(), b.itemCount());
    for (int u = 0; u < users; u++) {
      for (int v = 0; v < items; v++) {
        assertEquals(a.interacted(u, v), b.interacted(u, v), "user " + u + " item " + v);
      }
      Rng ra = new Rng(u);
      Rng rb = new Rng(u);
      assertEquals(a.sample(u, ra), b.sample(u, rb), "negative of user " + u);
    }
  }

  private static void assertSameParameters(View a, View b) {
    for (int i = 0; i < a.params().size(); i++) {
      Param pa = a.params().get(i);
      Param pb = b.params().get(i);
      assertEquals(pa.value().size(), pb.value().size(), pa.value().name() + " rows");
      for (int r = 0; r < pa.value().size(); r++) {
        assertArrayEquals(pa.value().row(r), pb.value().row(r), pa.value().name() + " row " + r);
        assertArrayEquals(pa.state1OrNull(r), pb.state1OrNull(r), pa.value().name() + " state1 row " + r);
        assertArrayEquals(pa.state2OrNull(r), pb.state2OrNull(r), pa.value().name() + " state2 row " + r);
      }
    }
  }
}
