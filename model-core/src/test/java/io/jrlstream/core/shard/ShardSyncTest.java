package io.jrlstream.core.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The cheap merge (one pass per row, recycled buffers) and the sparsified deltas of issue 16 part 3. */
class ShardSyncTest {
  private static final Dataset DATA = SyntheticData.generate(new SyntheticSpec(90, 40, 4, 10, 6, 12), 7L);
  private static final long SEED = 11;

  private static ModelConfig config() {
    return ModelConfig.defaults().mapViews(v -> v.withDim(6)).withSeed(3);
  }

  /** Three tasks' deltas of one round, each from training every third event from the same start. */
  private static Delta[] round(String view, boolean state) {
    Delta[] round = new Delta[3];
    for (int i = 0; i < 3; i++) {
      View v = ViewFactory.create(view, config(), DATA);
      StreamingTrainer t = new StreamingTrainer(v, SEED + i, 8); // the view on its stream optimiser first
      Replica r = new Replica(v, state);
      for (int e = i; e < DATA.interactions().size() / (2 + i); e += 3) {
        Interaction x = DATA.interactions().get(e);
        r.prepare(x);
        t.accept(x);
      }
      round[i] = r.capture(true);
    }
    return round;
  }

  private static void assertSameParams(View a, View b) {
    for (int p = 0; p < a.params().size(); p++) {
      Param pa = a.params().get(p);
      Param pb = b.params().get(p);
      assertEquals(pa.value().size(), pb.value().size(), pa.value().name());
      for (int r = 0; r < pa.value().size(); r++) {
        assertArrayEquals(pa.value().row(r), pb.value().row(r), pa.value().name() + " row " + r);
        assertArrayEquals(pa.state1OrNull(r), pb.state1OrNull(r), pa.value().name() + " state row " + r);
        assertArrayEquals(pa.state2OrNull(r), pb.state2OrNull(r), pa.value().name() + " state2 row " + r);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"collaborative", "rating"})
  void shouldMergeInOnePassBitForBitAsDeltaByDelta(String view) {
    for (boolean mean : new boolean[] {false, true}) {
      for (int self = 0; self < 3; self++) {
        Delta[] round = round(view, true);
        RoundIndex index = new RoundIndex().index(round);
        if (mean) {
          index.mean();
        }
        View a = ViewFactory.create(view, config(), DATA);
        View b = ViewFactory.create(view, config(), DATA);
        new StreamingTrainer(a, SEED, 8); // both on their stream optimiser, so that state rows are merged
        new StreamingTrainer(b, SEED, 8);
        Replica ra = new Replica(a, true);
        Replica rb = new Replica(b, true);
        for (int i = 0; i < 3; i++) {
          if (i != self || mean) {
            ra.apply(round[i], i == self);
          }
        }
        rb.merge(index, self, mean);
        assertSameParams(a, b);
        assertEquals(ra.clamped(), rb.clamped());
        assertTrue(index.rows(0) > 10, "item rows merged " + index.rows(0));
      }
    }
  }

  @Test
  void shouldCountTheTasksThatChangedEachRowAsAMapWould() {
    Rng rng = new Rng(5);
    RoundIndex index = new RoundIndex(); // reused across rounds, as the trainer reuses it
    for (int trial = 0; trial < 20; trial++) {
      Delta[] round = new Delta[4];
      Map<Integer, Integer> changed = new HashMap<>();
      for (int i = 0; i < round.length; i++) {
        if (rng.nextInt(5) == 0) {
          continue; // a task without a delta
        }
        round[i] = new Delta(new int[] {2});
        for (int k = 0; k < 30; k++) {
          int key = rng.nextInt(trial * 10 + 5);
          if (round[i].count(0) == 0 || !contains(round[i], key)) {
            round[i].add(0, key, new float[] {1f, 2f}, null);
            changed.merge(key, 1, Integer::sum);
          }
        }
      }
      index.index(round).mean();
      assertEquals(changed.size(), index.rows(0));
      for (Delta d : round) {
        for (int p = 0; d != null && p < d.count(0); p++) {
          assertEquals(1f / changed.get(d.key(0, p)), d.share(0, p), "key " + d.key(0, p));
        }
      }
    }
  }

  @Test
  void shouldCountATaskThatHeldItsChangeAmongARowsChangers() {
    Delta sent = new Delta(new int[] {1});
    Delta held = new Delta(new int[] {1});
    Delta other = new Delta(new int[] {1});
    sent.add(0, 5, new float[] {2f}, null);
    sent.add(0, 6, new float[] {2f}, null);
    held.hold(0, 5);
    held.hold(0, 7); // nobody sent row 7: nothing to merge
    other.add(0, 5, new float[] {1f}, null);
    RoundIndex index = new RoundIndex().index(new Delta[] {sent, held, other});
    index.mean();
    assertEquals(2, index.rows(0), "rows 5 and 6; a row only held is not merged");
    assertEquals(1f / 3, sent.share(0, 0), "row 5: two senders and one holder");
    assertEquals(1f / 3, other.share(0, 0));
    assertEquals(1f, sent.share(0, 1), "row 6: one sender");
  }

  private static boolean contains(Delta d, int key) {
    for (int p = 0; p < d.count(0); p++) {
      if (d.key(0, p) == key) {
        return true;
      }
    }
    return false;
  }

  @Test
  void shouldRefillAClearedDeltaAsANewOne() {
    View v = ViewFactory.create("collaborative", config(), DATA);
    Replica r = new Replica(v, false);
    Delta recycled = new Delta(r.widths());
    recycled.add(0, 3, new float[r.widths()[0]], null);
    recycled.share(0, 0, 0.5f);
    Table items = v.items();
    r.prepare(new Interaction(0, 5, Float.NaN, -1, 0));
    items.row(2)[0] += 1f;
    items.markDirty(2);
    Delta d = r.capture(true, false, recycled);
    assertEquals(1, d.count(0), "only the new round's row");
    assertEquals(2, d.key(0, 0));
    assertEquals(1f, d.values(0)[0], 1e-6f);
    assertEquals(1f, d.share(0, 0), "a refilled delta has no shares of an earlier round");
  }

  /** A replica of the collaborative view whose item rows the test moves by hand. */
  private static Replica sparse(View v, float threshold, int maxHeld) {
    Replica r = new Replica(v, false, threshold, maxHeld);
    r.prepare(new Interaction(0, 9, Float.NaN, -1, 0));
    return r;
  }

  private static void move(Table t, int row, float by) {
    t.row(row)[0] += by;
    t.markDirty(row);
  }

  private static float norm(float[] x) {
    double s = 0;
    for (float f : x) {
      s += (double) f * f;
    }
    return (float) Math.sqrt(s);
  }

  /**
   * Under bfloat16 a captured change is rounded and the base moves by the rounded change only: the rounding error
   * stays in the row (image − base) and goes out with the row's next change, so what the deltas carry adds up to the
   * row's whole change.
   */
  @Test
  void shouldSendARoundedChangeAndKeepItsRoundingErrorForTheNextOne() {
    View v = ViewFactory.create("collaborative", config(), DATA);
    Replica r = new Replica(v, true, 0f, ShardSettings.DEFAULT_MAX_HELD, ShardSettings.Precision.BF16);
    r.prepare(new Interaction(0, 9, Float.NaN, -1, 0));
    Table items = v.items();
    float start = items.row(3)[0];
    float by = 0.123456789f;
    move(items, 3, by);
    Delta first = r.capture(true, false, new Delta(r.widths()));
    assertEquals(2, first.valueBytes(0), "the item table travels in bfloat16");
    assertEquals(1, first.count(0));
    float sent = first.values(0)[0];
    assertEquals(ShardSettings.Precision.bf16(items.row(3)[0] - start), sent, "the change, rounded");
    for (int j = 0; j < first.dim(0); j++) {
      assertEquals(0, Float.floatToRawIntBits(first.values(0)[j]) & 0xFFFF, "value " + j + " is a bfloat16");
    }
    assertTrue(sent != items.row(3)[0] - start, "the test's change is not a bfloat16 itself");
    assertEquals(0, r.capture(true, false, new Delta(r.widths())).count(0), "an untouched row waits");
    move(items, 3, by);
    Delta second = r.capture(true, false, new Delta(r.widths()));
    assertEquals(1, second.count(0));
    float total = items.row(3)[0] - start;
    float residual = total - sent - second.values(0)[0];
    assertEquals(total, sent + second.values(0)[0], Math.abs(total) * 0x1p-8f, "two deltas carry the whole change");
    assertTrue(Math.abs(residual) <= Math.abs(by) * 0x1p-7f, "what is left is one rounding at most: " + residual);
  }

  @Test
  void shouldHoldASmallChangeInTheRowAndSendItOnceItHasGrown() {
    View v = ViewFactory.create("collaborative", config(), DATA);
    Replica r = sparse(v, 0.5f, 100);
    Table items = v.items();
    float n3 = norm(items.row(3));
    move(items, 3, 0.3f * n3); // small: held
    move(items, 4, 2f * norm(items.row(4))); // large: sent
    Delta first = r.capture(true, false, new Delta(r.widths()));
    assertEquals(1, first.count(0));
    assertEquals(4, first.key(0, 0));
    assertEquals(1, first.heldCount(0), "the held row is listed by key, for the mean's count");
    assertEquals(3, first.heldKey(0, 0));
    assertTrue(r.holding());
    Delta second = r.capture(true, false, new Delta(r.widths()));
    assertEquals(0, second.count(0), "an unchanged held row stays held");
    assertEquals(0, second.heldCount(0), "and is not a changer of this round");
    move(items, 3, 0.3f * n3); // together 0.6 of the row's norm: sent, with both changes (error feedback)
    Delta third = r.capture(true, false, new Delta(r.widths()));
    assertEquals(1, third.count(0));
    assertEquals(3, third.key(0, 0));
    assertEquals(0.6f * n3, third.values(0)[0], 1e-5f * n3);
    assertFalse(r.holding());
  }

  @Test
  void shouldSendAHeldRowAfterMaxHeldRoundsOrAtTheEnd() {
    View v = ViewFactory.create("collaborative", config(), DATA);
    Replica r = sparse(v, 0.5f, 3);
    Table items = v.items();
    move(items, 3, 0.01f * norm(items.row(3)));
    move(items, 5, 0.01f * norm(items.row(5)));
    for (int k = 1; k <= 3; k++) {
      assertEquals(0, r.capture(true, false, new Delta(r.widths())).count(0), "held at capture " + k);
    }
    assertEquals(2, r.capture(true, false, new Delta(r.widths())).count(0), "held 3 rounds: sent at the fourth");
    move(items, 3, 0.01f * norm(items.row(3)));
    Delta last = r.capture(true, true, new Delta(r.widths()));
    assertEquals(1, last.count(0), "the task's last round sends everything held");
    assertFalse(r.holding());
  }

  @Test
  void shouldSendEveryChangedRowWithThresholdZero() {
    View v = ViewFactory.create("collaborative", config(), DATA);
    Replica r = sparse(v, 0f, 1);
    move(v.items(), 3, 1e-9f);
    assertEquals(1, r.capture(true, false, new Delta(r.widths())).count(0));
    assertFalse(r.holding());
  }

  @Test
  void shouldCutTheUpdateTrafficAndStillLeaveEveryReplicaWithEveryChange() {
    ShardSettings dense = new ShardSettings(3, 1, 1);
    ShardSettings sparse = dense.withThreshold(0.5f, 4);
    long[] rows = new long[2];
    ShardedTrainer last = null;
    for (int k = 0; k < 2; k++) {
      ShardedTrainer t = new ShardedTrainer(c -> ViewFactory.create("collaborative", config(), c), DATA, SEED, 8,
          k == 0 ? dense : sparse);
      for (Interaction x : DATA.interactions()) {
        t.accept(x);
      }
      t.finish();
      rows[k] = t.stats().deltaRows().get("collaborative.items");
      last = t;
    }
    assertTrue(rows[1] < 0.8 * rows[0], "rows sent: " + rows[1] + " with θ = 0.5, " + rows[0] + " without");
    assertTrue(last.stats().summary().contains("rows held while their change is below 0.5"), last.stats().summary());
    Table a = last.trainer(0).view().items();
    for (int i = 1; i < 3; i++) {
      Table b = last.trainer(i).view().items();
      for (int r = 0; r < a.size(); r++) {
        for (int j = 0; j < a.dim(); j++) {
          assertEquals(a.row(r)[j], b.row(r)[j], 1e-3f, "item " + r + " in task " + i);
        }
      }
    }
  }

  @Test
  void shouldRejectABadThresholdOrBoundNamingIt() {
    ShardSettings s = new ShardSettings(2, 1, 1);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.withThreshold(-0.1f, 4)).getMessage()
        .contains("sync threshold"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.withThreshold(Float.NaN, 4)).getMessage()
        .contains("sync threshold"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> s.withThreshold(0.1f, 0)).getMessage()
        .contains("maxHeld"));
    assertEquals(0f, s.threshold(), "no sparsification by default");
  }
}
