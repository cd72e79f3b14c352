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
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.review.ReviewView;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ShardedTrainerTest {
  private static final Dataset DATA = SyntheticData.generate(new SyntheticSpec(90, 40, 4, 10, 6, 12), 7L);
  private static final long SEED = 11;

  private static ModelConfig config() {
    ModelConfig c = ModelConfig.defaults().mapViews(v -> v.withDim(6)).withSeed(3);
    return c.withImage(new ImageView.Settings(1e-2, 6, 1));
  }

  private static ShardedTrainer sharded(String view, ShardSettings s) {
    return new ShardedTrainer(c -> ViewFactory.create(view, config(), c), DATA, SEED, 8, s);
  }

  private static View run(String view, ShardSettings s, List<Interaction> events) {
    ShardedTrainer t = sharded(view, s);
    for (Interaction x : events) {
      t.accept(x);
    }
    return t.finish();
  }

  private static void assertSameValues(View a, View b) {
    assertEquals(a.params().size(), b.params().size());
    for (int i = 0; i < a.params().size(); i++) {
      Table ta = a.params().get(i).value();
      Table tb = b.params().get(i).value();
      assertEquals(ta.size(), tb.size(), ta.name());
      for (int r = 0; r < ta.size(); r++) {
        assertArrayEquals(ta.row(r), tb.row(r), ta.name() + " row " + r);
      }
    }
  }

  @Test
  void shouldAssignEveryUserToOneShardDeterministicallyAndEvenly() {
    ShardSettings four = new ShardSettings(4, 10, 1);
    int[] counts = new int[4];
    boolean seedMatters = false;
    for (int u = 0; u < 20_000; u++) {
      int s = four.shardOf(u, 5);
      assertEquals(s, four.shardOf(u, 5), "same user, same seed, same shard");
      assertTrue(s >= 0 && s < 4, "shard " + s);
      counts[s]++;
      seedMatters |= s != four.shardOf(u, 6);
      assertEquals(0, ShardSettings.single().shardOf(u, 5));
    }
    for (int c : counts) {
      assertTrue(Math.abs(c - 5_000) < 300, "4 shards of 20,000 users: " + Arrays.toString(counts));
    }
    assertTrue(seedMatters, "the partition hash is seeded");
  }

  @Test
  void shouldRejectBadSettingsNamingThem() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ShardSettings(0, 1, 0)).getMessage()
        .contains("shards"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ShardSettings(2, 0, 0)).getMessage()
        .contains("syncBatches"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ShardSettings(2, 1, -1)).getMessage()
        .contains("lag"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ShardSettings(2, 1, 1, true, -1))
        .getMessage().contains("wordRounds"));
    assertThrows(IllegalArgumentException.class, () -> new ShardSettings(ShardSettings.MAX_SHARDS + 1, 1, 0));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new ShardSettings(2, 1, 0).withMaxRoundBytes(100))
        .getMessage().contains("maxRoundBytes"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"collaborative", "review", "rating", "image"})
  void shouldBeThePlainStreamingTrainerBitForBitWithOneShard(String name) {
    StreamingTrainer plain = new StreamingTrainer(ViewFactory.create(name, config(), DATA), SEED, 8);
    for (Interaction x : DATA.interactions()) {
      plain.accept(x);
    }
    plain.flush();
    assertTrue(plain.batches() >= 50, "batches " + plain.batches());
    View one = run(name, ShardSettings.single(), DATA.interactions());
    assertSameValues(plain.view(), one);
    for (int i = 0; i < one.params().size(); i++) {
      Param p = one.params().get(i);
      Param q = plain.view().params().get(i);
      for (int r = 0; r < p.value().size(); r++) {
        assertArrayEquals(q.state1OrNull(r), p.state1OrNull(r), p.value().name() + " optimiser state row " + r);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"collaborative", "review", "rating"})
  void shouldGiveBitIdenticalReplicasForTheSameSeedAndOthersForAnother(String name) {
    ShardSettings s = new ShardSettings(3, 2, 1, true, 1); // words merged every round: the hardest case
    ShardedTrainer first = sharded(name, s);
    ShardedTrainer second = sharded(name, s);
    ShardedTrainer other = new ShardedTrainer(c -> ViewFactory.create(name, config(), c), DATA, SEED + 1, 8, s);
    for (Interaction x : DATA.interactions()) {
      first.accept(x);
      second.accept(x);
      other.accept(x);
    }
    first.finish();
    second.finish();
    other.finish();
    boolean differs = false;
    for (int task = 0; task < 3; task++) {
      View a = first.trainer(task).view();
      View b = second.trainer(task).view();
      assertSameValues(a, b);
      for (int i = 0; i < a.params().size(); i++) {
        Param p = a.params().get(i);
        Param q = b.params().get(i);
        for (int r = 0; r < p.value().size(); r++) {
          assertArrayEquals(p.state1OrNull(r), q.state1OrNull(r), p.value().name() + " state row " + r);
          assertArrayEquals(p.state2OrNull(r), q.state2OrNull(r), p.value().name() + " state row " + r);
        }
      }
      Table items = a.items();
      Table seeded = other.trainer(task).view().items();
      for (int r = 0; r < Math.min(items.size(), seeded.size()); r++) {
        differs |= !Arrays.equals(items.row(r), seeded.row(r));
      }
    }
    assertEquals(first.stats().summary(), second.stats().summary());
    assertTrue(differs, "another seed partitions and draws otherwise");
  }

  /**
   * The property the Kafka version's exactly-once bit-identity rests on: a task's state is a function of its own
   * input and the others' deltas, applied at points of its own input, so delivering the tasks' events in another
   * interleaving (here: task by task, the last task first) changes no bit.
   */
  @ParameterizedTest
  @CsvSource({"collaborative, SUM", "review, SUM", "rating, SUM", "collaborative, MEAN", "review, MEAN"})
  void shouldNotDependOnHowTheTasksInputsInterleave(String name, ShardSettings.Merge merge) {
    ShardSettings s = new ShardSettings(3, 2, 1, true, 1, merge);
    ShardedTrainer probe = sharded(name, s);
    List<Interaction> byTask = new ArrayList<>();
    for (int task = 2; task >= 0; task--) {
      for (Interaction x : DATA.interactions()) {
        if (probe.shardOf(x.user()) == task) {
          byTask.add(x);
        }
      }
    }
    View streamOrder = run(name, s, DATA.interactions());
    View taskOrder = run(name, s, byTask);
    assertSameValues(streamOrder, taskOrder);
  }

  /**
   * In float32 every replica ends with every task's changes up to the rounding of adding them in another order; in
   * bfloat16 each task also keeps the rounding error of its last change to a row (error feedback: it waits for the
   * row's next change), so replicas agree to about bfloat16's precision.
   */
  @ParameterizedTest
  @CsvSource({"0, FLOAT32", "1, FLOAT32", "3, FLOAT32", "1, BF16"})
  void shouldLeaveEveryReplicaWithEveryTasksChanges(int lag, ShardSettings.Precision precision) {
    float tolerance = precision == ShardSettings.Precision.BF16 ? 0x1p-8f : 1e-5f;
    ShardedTrainer t = sharded("review", new ShardSettings(3, 2, lag, true, 1).withPrecision(precision));
    for (Interaction x : DATA.interactions()) {
      t.accept(x);
    }
    t.finish();
    ShardedTrainer.Stats st = t.stats();
    assertEquals(DATA.interactions().size(), st.events());
    assertTrue(st.rounds() >= 10, "rounds " + st.rounds());
    assertTrue(st.deltaRows().get("review.items") > 0 && st.deltaRows().get("review.words") > 0, st.summary());
    assertFalse(st.deltaRows().containsKey("review.users"), "user rows stay with their task");
    if (lag == 0) {
      assertTrue(st.waitedEvents() > 0, "with no lag some task must wait for a merge: " + st.summary());
    }
    ReviewView a = (ReviewView) t.trainer(0).view();
    int compared = 0;
    for (int i = 1; i < 3; i++) {
      ReviewView b = (ReviewView) t.trainer(i).view();
      for (int r = 0; r < Math.min(a.items().size(), b.items().size()); r++) {
        assertClose(a.items().row(r), b.items().row(r), "item " + r, tolerance);
      }
      for (int row = 0; row < b.vocabulary().size(); row++) {
        int other = a.vocabulary().row(b.vocabulary().token(row));
        if (other >= 0) { // words (float32 always) are merged by token, whatever row each task's vocabulary gave them
          assertClose(a.words().row(other), b.words().row(row), "word " + b.vocabulary().token(row));
          compared++;
        }
      }
    }
    assertTrue(compared > 20, "words compared " + compared);
    long items = DATA.interactions().stream().mapToInt(Interaction::item).distinct().count();
    for (int i = 0; i < 3; i++) {
      // Negatives come from every item any task has seen (as of the task's last merge), as one task's would.
      assertEquals(items, t.trainer(i).sampler().itemCount(), "items known to task " + i);
    }
  }

  @ParameterizedTest
  @CsvSource({"ADAM, true", "ADAM, false", "LEAKY_ADAGRAD, true", "LEAKY_ADAGRAD, false"})
  void shouldMergeTheSharedRowsOptimiserStateOnlyWhenAsked(OptimizerKind kind, boolean state) {
    ModelConfig cfg = config().mapViews(v -> v.withStream(v.stream().withOptimizer(kind)));
    ShardedTrainer t = new ShardedTrainer(c -> ViewFactory.create("collaborative", cfg, c), DATA, SEED, 8,
        new ShardSettings(2, 1, 0, state, 1).withPrecision(ShardSettings.Precision.FLOAT32));
    for (Interaction x : DATA.interactions()) {
      t.accept(x);
    }
    t.finish();
    Param a = t.trainer(0).view().params().get(1);
    Param b = t.trainer(1).view().params().get(1);
    assertEquals("collaborative.items", a.value().name());
    int states = kind == OptimizerKind.ADAM ? 2 : 1;
    int differ = 0;
    int compared = 0;
    for (int r = 0; r < a.value().size(); r++) {
      // The last state row: Adam's second moment, AdaGrad's accumulator.
      float[] sa = states == 2 ? a.state2OrNull(r) : a.state1OrNull(r);
      float[] sb = states == 2 ? b.state2OrNull(r) : b.state1OrNull(r);
      if (sa != null && sb != null) {
        compared++;
        if (state) {
          assertClose(sa, sb, "optimiser state of item " + r);
        } else {
          differ += Arrays.equals(sa, sb) ? 0 : 1;
        }
      }
    }
    assertTrue(compared > 20, "items with state in both tasks: " + compared);
    assertTrue(state || differ > 10, "without the merge each task keeps its own statistics: " + differ + " differ");
    long floats = t.stats().deltaFloats();
    long rows = t.stats().deltaRows().get("collaborative.items");
    int width = a.value().dim(); // K = 6 and the item bias
    assertEquals(rows * width * (state ? 1 + states : 1), floats,
        "a delta row is the value and, if merged, the optimiser's state rows");
  }

  @Test
  void shouldClampAMergedAccumulatorThatTheSummedDecaysWouldMakeNegative() {
    ModelConfig cfg = config().mapViews(v -> v.withStream(v.stream().withOptimizer(OptimizerKind.LEAKY_ADAGRAD)));
    View v = ViewFactory.create("collaborative", cfg, DATA);
    StreamingTrainer t = new StreamingTrainer(v, SEED, 8); // switches the view to its stream optimiser
    Replica r = new Replica(v, true);
    r.prepare(DATA.interactions().get(0));
    int item = DATA.interactions().get(0).item();
    Param items = v.params().get(1);
    int dim = items.value().dim();
    Arrays.fill(items.state1(item), 1f);
    float[] before = new float[2 * dim];
    Arrays.fill(before, dim, 2 * dim, 1f);
    float[] now = before.clone();
    Arrays.fill(now, dim, 2 * dim, 0.4f); // another task decayed the accumulator from 1 to 0.4
    Delta d = new Delta(new int[] {2 * dim});
    d.add(0, item, now, before);
    r.apply(d, false);
    assertEquals(0, r.clamped());
    assertEquals(0.4f, items.state1(item)[0], 1e-6f);
    r.apply(d, false); // a second task's decay too: 0.4 − 0.6 would be negative
    assertEquals(dim, r.clamped(), "every coordinate clamped");
    for (float x : items.state1(item)) {
      assertEquals(0f, x, "the accumulator stays a sum of squares");
    }
    assertEquals(0, t.batches());
  }

  @Test
  void shouldMergeTheMeanOfTheChangesOfTheTasksThatChangedARow() {
    View v = ViewFactory.create("collaborative", config(), DATA);
    Replica r = new Replica(v, false);
    r.prepare(new Interaction(0, 1, Float.NaN, -1, 0));
    Table items = v.items();
    int dim = items.dim();
    float[] item0 = items.row(0).clone();
    float[] item1 = items.row(1).clone();
    Delta[] round = {new Delta(new int[] {dim}), new Delta(new int[] {dim}), new Delta(new int[] {dim})};
    float[] zero = new float[dim];
    round[0].add(0, 0, filled(dim, 3f), zero); // this task (0) moved item 0 by 3 (already in its replica)
    Vectors.axpy(1f, filled(dim, 3f), items.row(0));
    round[1].add(0, 0, filled(dim, 1f), zero); // task 1: item 0 by 1, item 1 by 4
    round[1].add(0, 1, filled(dim, 4f), zero);
    round[2].add(0, 0, filled(dim, 2f), zero); // task 2: item 0 by 2
    Delta.mean(round);
    for (int i = 0; i < 3; i++) {
      r.apply(round[i], i == 0);
    }
    for (int j = 0; j < dim; j++) {
      assertEquals(item0[j] + 2f, items.row(0)[j], 1e-6f, "item 0: the mean of 3, 1 and 2");
      assertEquals(item1[j] + 4f, items.row(1)[j], 1e-6f, "item 1: one task's whole change");
    }
    assertEquals(1f / 3, round[1].share(0, 0), 1e-7f);
    assertEquals(1f, round[1].share(0, 1));
  }

  private static float[] filled(int n, float x) {
    float[] a = new float[n];
    Arrays.fill(a, x);
    return a;
  }

  @Test
  void shouldMergeWordsEveryKthRoundOrNever() {
    long[] wordRows = new long[3];
    int[] rounds = {1, 3, 0};
    for (int i = 0; i < 3; i++) {
      ShardedTrainer t = sharded("review", new ShardSettings(2, 1, 1, true, rounds[i]));
      for (Interaction x : DATA.interactions()) {
        t.accept(x);
      }
      t.finish();
      wordRows[i] = t.stats().deltaRows().get("review.words");
      ReviewView a = (ReviewView) t.trainer(0).view();
      ReviewView b = (ReviewView) t.trainer(1).view();
      int token = b.vocabulary().token(0);
      float[] wa = a.words().row(a.vocabulary().row(token));
      float[] wb = b.words().row(0);
      if (rounds[i] > 0) {
        assertClose(wa, wb, "word " + token + " merged every " + rounds[i] + " round(s)");
      } else {
        assertFalse(Arrays.equals(wa, wb), "task-local words differ");
      }
    }
    assertTrue(wordRows[1] < wordRows[0], "every third round writes fewer word rows: " + wordRows[1] + " against "
        + wordRows[0]);
    assertEquals(0, wordRows[2], "task-local words are never written");
  }

  /** Equal up to the rounding of adding the same deltas in another order. */
  private static void assertClose(float[] a, float[] b, String what) {
    assertClose(a, b, what, 1e-5f);
  }

  /** Equal up to {@code relative} × max(1, |a|). */
  private static void assertClose(float[] a, float[] b, String what, float relative) {
    for (int j = 0; j < a.length; j++) {
      float tol = relative * Math.max(1f, Math.abs(a[j]));
      assertTrue(Math.abs(a[j] - b[j]) <= tol, what + "[" + j + "]: " + a[j] + " vs " + b[j]);
    }
  }

  @Test
  void shouldMergeDeltasToTheSameRowsInAnyOrderUpToRounding() {
    // Three tasks train disjoint parts of the stream from the same start; a fourth replica applies their deltas.
    List<Replica> tasks = new ArrayList<>();
    List<Delta> deltas = new ArrayList<>();
    View start = ViewFactory.create("rating", config(), DATA);
    for (int i = 0; i < 3; i++) {
      View v = ViewFactory.create("rating", config(), DATA);
      Replica r = new Replica(v, true);
      StreamingTrainer t = new StreamingTrainer(v, SEED + i, 8);
      for (int e = i; e < DATA.interactions().size(); e += 3) {
        Interaction x = DATA.interactions().get(e);
        r.prepare(x);
        t.accept(x);
      }
      tasks.add(r);
      deltas.add(r.capture(true));
    }
    View forward = ViewFactory.create("rating", config(), DATA);
    View backward = ViewFactory.create("rating", config(), DATA);
    View again = ViewFactory.create("rating", config(), DATA);
    Replica f = new Replica(forward, true);
    Replica b = new Replica(backward, true);
    Replica g = new Replica(again, true);
    for (int i = 0; i < 3; i++) {
      f.apply(deltas.get(i), false);
      b.apply(deltas.get(2 - i), false);
      g.apply(deltas.get(i), false);
    }
    assertSameValues(forward, again);
    start.reserve(0, DATA.itemCount());
    boolean changed = false;
    for (int p = 1; p < forward.params().size(); p++) { // every table but the users'
      Table tf = forward.params().get(p).value();
      Table tb = backward.params().get(p).value();
      Table t0 = start.params().get(p).value();
      for (int r = 0; r < tf.size(); r++) {
        assertClose(tf.row(r), tb.row(r), tf.name() + " row " + r);
        changed |= !Arrays.equals(tf.row(r), t0.row(r));
      }
    }
    assertTrue(changed, "the merge moved the shared rows");
    assertEquals(0, forward.users().size(), "user rows are not in the deltas");
  }

  @Test
  void shouldComeCloseToOneTaskWhenMergingEveryBatch() {
    // A synthetic stream with planted clusters: 4 tasks that merge after every batch learn about what one task does.
    Dataset d = SyntheticData.generate(new SyntheticSpec(400, 120, 6, 24, 0, 0), 4L);
    // (A rate at which one pass learns: 0.35 of the users hit against 0.08 by chance.)
    ModelConfig cfg = ModelConfig.defaults().mapViews(v -> v.withDim(16).withLearningRate(0.02)).withSeed(2);
    double one = quality(d, cfg, ShardSettings.single());
    double four = quality(d, cfg, new ShardSettings(4, 1, 0));
    double rare = quality(d, cfg, new ShardSettings(4, 1_000, 0));
    assertTrue(one > 0.25, "one task learns the clusters: hit rate " + one);
    assertTrue(four >= 0.9 * one, "4 tasks, s = 1: " + four + " against " + one);
    assertTrue(rare < 0.8 * four, "merging only at the end loses: " + rare + " against " + four);
  }

  /**
   * A bound on a round's delta closes rounds before their s-th mini-batch: with s = 1,000 (one round per task for the
   * whole stream) and a bound of twice the largest delta one mini-batch makes (s = 1), no delta passes the bound by
   * more than one mini-batch's, and the tasks close many rounds, fewer than one per mini-batch; without the bound one
   * delta carries most of the item table.
   */
  @Test
  void shouldCloseARoundBeforeItsSthBatchOnceItsDeltaWouldReachTheBound() {
    Dataset d = SyntheticData.generate(new SyntheticSpec(400, 4_000, 6, 24, 0, 0), 4L);
    // (without replay, so that one mini-batch touches a few rows, not most of the table)
    ModelConfig cfg = ModelConfig.defaults().mapViews(v -> v.withDim(16).withStream(v.stream().withReplayRatio(0)))
        .withSeed(2);
    ShardSettings rare = new ShardSettings(2, 1_000, 1).withPrecision(ShardSettings.Precision.FLOAT32);
    ShardedTrainer.Stats perBatch = stream(d, cfg, rare.withSyncBatches(1));
    int bound = (int) Math.max(ShardSettings.MIN_MAX_ROUND_BYTES, 2 * perBatch.largestDeltaBytes());
    ShardedTrainer.Stats once = stream(d, cfg, rare);
    ShardedTrainer.Stats bounded = stream(d, cfg, rare.withMaxRoundBytes(bound));
    assertEquals(1, once.rounds(), "one round per task without a bound");
    assertTrue(once.largestDeltaBytes() > bound + perBatch.largestDeltaBytes(), "without a bound: "
        + once.largestDeltaBytes() + " bytes, one batch's largest " + perBatch.largestDeltaBytes());
    assertTrue(bounded.rounds() > 3 && bounded.rounds() < perBatch.rounds(), "rounds closed early: "
        + bounded.rounds() + ", against " + perBatch.rounds() + " at s = 1");
    assertTrue(bounded.largestDeltaBytes() >= bound && bounded.largestDeltaBytes() < bound
        + perBatch.largestDeltaBytes(), "largest delta " + bounded.largestDeltaBytes() + " bytes under a bound of "
        + bound + " (one batch's largest: " + perBatch.largestDeltaBytes() + ")");
    assertEquals(once.events(), bounded.events());
  }

  private static ShardedTrainer.Stats stream(Dataset d, ModelConfig cfg, ShardSettings s) {
    ShardedTrainer t = new ShardedTrainer(c -> ViewFactory.create("collaborative", cfg, c), d, 9, 16, s);
    for (Interaction x : d.interactions()) {
      t.accept(x);
    }
    t.finish();
    return t.stats();
  }

  /** Share of users whose last event's item is in their top 10 after streaming the others once. */
  private static double quality(Dataset d, ModelConfig cfg, ShardSettings s) {
    List<Interaction> train = new ArrayList<>();
    Interaction[] last = new Interaction[d.userCount()];
    for (Interaction x : d.interactions()) {
      if (last[x.user()] != null) {
        train.add(last[x.user()]);
      }
      last[x.user()] = x;
    }
    ShardedTrainer t = new ShardedTrainer(c -> ViewFactory.create("collaborative", cfg, c), d, 9, 16, s);
    for (Interaction x : train) {
      t.accept(x);
    }
    View v = t.finish();
    v.reserve(d.userCount(), d.itemCount());
    int hits = 0;
    for (Interaction x : last) {
      float target = v.score(x.user(), x.item());
      int above = 0;
      for (int i = 0; i < d.itemCount(); i++) {
        above += v.score(x.user(), i) > target ? 1 : 0;
      }
      hits += above < 10 ? 1 : 0;
    }
    return hits / (double) d.userCount();
  }

  @Test
  void shouldRefuseEventsAfterTheEnd() {
    ShardedTrainer t = sharded("collaborative", new ShardSettings(2, 1, 0));
    t.accept(DATA.interactions().get(0));
    t.finish();
    assertThrows(IllegalStateException.class, () -> t.accept(DATA.interactions().get(1)));
    assertThrows(IllegalStateException.class, t::finish);
  }
}
