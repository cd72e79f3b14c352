package io.jrlstream.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.RowCodec;
import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.StreamSettings;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StreamingTrainerTest {
  private static final Dataset DATA = SyntheticData.generate(new SyntheticSpec(60, 40, 4, 8, 6, 12), 7L);

  private static ModelConfig config() {
    ModelConfig c = ModelConfig.defaults().mapViews(v -> v.withDim(6)).withSeed(3);
    // A small vocabulary cap makes evictions happen mid-stream, the hardest case for a restore.
    return c.withReview(c.review().withVocabCap(25)).withImage(new ImageView.Settings(1e-2, 6, 1));
  }

  /**
   * Every learning mechanism on: biases, two passes over each new batch, 2.5 replayed interactions per new one
   * (with the views' own terms) from a reservoir far smaller than the stream, so that replacements happen.
   */
  private static ModelConfig learning() {
    return config().mapViews(v -> v.withBias(true).withStream(new StreamSettings(OptimizerKind.ADAGRAD, 0.05, 0.03,
        2.5, 50, 2, true)));
  }

  private static ModelConfig config(String kind) {
    return kind.equals("learning") ? learning() : config();
  }

  /** Simulates the state store: after every event, the rows that changed are written. */
  private static void persist(View v, Map<String, byte[]> store) {
    for (Param p : v.params()) {
      p.value().drainDirty(row -> store.put(p.value().name() + "/" + row, RowCodec.encode(p, row)));
    }
  }

  private static void restore(View v, Map<String, byte[]> store) {
    for (Param p : v.params()) {
      String prefix = p.value().name() + "/";
      store.forEach((k, bytes) -> {
        if (k.startsWith(prefix)) {
          RowCodec.decode(p, Integer.parseInt(k.substring(prefix.length())), bytes);
        }
      });
    }
  }

  private static void assertSameParameters(View a, View b) {
    for (int i = 0; i < a.params().size(); i++) {
      Param pa = a.params().get(i);
      Param pb = b.params().get(i);
      int rows = Math.max(pa.value().size(), pb.value().size());
      pa.value().ensure(rows);
      pb.value().ensure(rows);
      for (int r = 0; r < rows; r++) {
        assertArrayEquals(pa.value().row(r), pb.value().row(r), pa.value().name() + " row " + r);
        assertArrayEquals(pa.state1OrNull(r), pb.state1OrNull(r), pa.value().name() + " state1 row " + r);
        assertArrayEquals(pa.state2OrNull(r), pb.state2OrNull(r), pa.value().name() + " state2 row " + r);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"collaborative,plain,203", "review,plain,203", "rating,plain,203", "image,plain,203",
      "collaborative,learning,203", "review,learning,203", "rating,learning,203", "image,learning,203",
      "collaborative,learning,37", "review,learning,37", "collaborative,learning,411", "rating,learning,411"})
  void shouldEndBitIdenticalAfterACrashAndReplayAtAnyPoint(String name, String kind, int crashAt) {
    ModelConfig cfg = config(kind);
    List<Interaction> events = DATA.interactions();
    StreamingTrainer straight = new StreamingTrainer(ViewFactory.create(name, cfg, DATA), 11, 16);
    for (Interaction x : events) {
      straight.accept(x);
    }
    assertTrue(straight.batches() >= 10, "too few batches to test: " + straight.batches());
    if (kind.equals("learning")) {
      assertTrue(straight.replayed() > 2 * straight.sequence(), "replayed " + straight.replayed());
      assertTrue(straight.reservoir().offered() > straight.reservoir().capacity(), "the reservoir never filled");
    }
    // Crash mid-batch (after evictions have happened in the review view at 203).
    Map<String, byte[]> store = new HashMap<>();
    StreamingTrainer before = new StreamingTrainer(ViewFactory.create(name, cfg, DATA), 11, 16);
    for (int i = 0; i < crashAt; i++) {
      before.accept(events.get(i));
      persist(before.view(), store);
    }
    long steps = before.view().optimizer().steps();
    long batches = before.batches();
    int pending = before.pending().size();
    assertTrue(pending > 0, "the crash should fall mid-batch");

    StreamingTrainer after = new StreamingTrainer(ViewFactory.create(name, cfg, DATA), 11, 16);
    long accepted = 0;
    long trained = before.sequence() - pending;
    for (int i = 0; i < crashAt; i++) {
      Interaction x = events.get(i);
      if (after.view().accepts(x)) {
        after.replay(x, accepted >= trained);
        accepted++;
      }
    }
    restore(after.view(), store);
    for (Param p : after.view().params()) {
      p.value().drainDirty(row -> { });
    }
    after.view().optimizer().steps(steps);
    after.restoreBatches(batches);
    assertEquals(pending, after.pending().size());
    assertSameReservoir(before.reservoir(), after.reservoir());
    for (int i = crashAt; i < events.size(); i++) {
      after.accept(events.get(i));
    }
    assertEquals(straight.batches(), after.batches());
    assertSameParameters(straight.view(), after.view());
  }

  private static void assertSameReservoir(Reservoir a, Reservoir b) {
    assertEquals(a.offered(), b.offered());
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertSame(a.get(i), b.get(i), "reservoir slot " + i);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"collaborative", "review"})
  void shouldDependOnSeedAndLearnSomething(String name) {
    StreamingTrainer a = new StreamingTrainer(ViewFactory.create(name, config(), DATA), 11, 16);
    StreamingTrainer b = new StreamingTrainer(ViewFactory.create(name, config(), DATA), 12, 16);
    for (Interaction x : DATA.interactions()) {
      a.accept(x);
      b.accept(x);
    }
    assertFalse(Arrays.equals(a.view().users().row(0), b.view().users().row(0)),
        "another seed must draw other negatives");
    assertTrue(Double.isFinite(a.lastLoss()) && a.lastLoss() > 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rating"})
  void shouldIgnoreEventsTheViewDoesNotAccept(String name) {
    StreamingTrainer t = new StreamingTrainer(ViewFactory.create(name, config(), DATA), 1, 4);
    assertFalse(t.accept(new Interaction(0, 0, Float.NaN, -1, 0)));
    assertEquals(0, t.sequence());
  }
}
