package io.jrlstream.core.shard;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.RowCodec;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.state.DirtyRows;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateReader;
import io.jrlstream.core.state.StateWriter;
import io.jrlstream.core.view.review.Vocabulary;
import io.jrlstream.core.view.review.ReviewView;
import io.jrlstream.core.view.View;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * One task's replica of a view's shared rows, and the bookkeeping of the deterministic merge (docs/scaling.md
 * "Shared rows"). A view's tables split in two:
 *
 * <ul>
 *   <li><b>Owned</b>, never merged: user rows (the task owns its users) and, in the review view, review vectors (a
 *       review belongs to its user's event).
 *   <li><b>Shared</b>, a full replica in every task: item rows, the review view's word rows, dense weights (the rating
 *       MLP, the image decoder) and any other table. Word rows are keyed by token id, because each task's vocabulary
 *       admits words in its own order and so gives a word a different row.
 * </ul>
 *
 * <p>A shared row's image is its value, followed, when the merge carries optimiser state, by its optimiser state
 * rows (AdaGrad's accumulator, leaky or not; Adam's two moments): merged like the values, so that a row's statistics
 * count every task's steps and N tasks do not each take their own first, largest steps on the same row. A leaky
 * accumulator's delta carries its own decay of the base (ρ^k − 1 times it, after k local updates), so the merge
 * decays a row's accumulator by about ρ^(Σ k) for the k updates of all tasks, as one task's would. The replica
 * keeps, for every shared row, a base: its image at the task's last capture plus every merge's change applied since,
 * so that image − base is always the task's own progress. {@link #capture} turns the rows the task's own training
 * changed into a {@link Delta} (image − base) and moves the base to the image; {@link #apply} adds another task's
 * delta to both. A word another task trained but this one has not admitted yet waits, summed, until this task
 * admits it: it joins the word's row (image and base) at the task's next capture or merge, so the task's first steps
 * on a new word may start from zero (the word table's initial value, fresh optimiser state).
 *
 * <p>Item rows must exist before the training step that may create them ({@link #prepare}), so that the base of a
 * new row is its initial value; a shared table that grows any other way inside a step is refused with an error,
 * since its rows' initial values are then unknown. Not thread-safe: driven by the thread that drives the task.
 */
final class Replica {
  /** Format of the bookkeeping row of {@link #state}. */
  private static final int FORMAT = 1;
  private final View view;
  private final List<Shared> shared = new ArrayList<>();
  private final Shared itemTable;
  private final int[] widths;
  private final int[] collected = new int[1];
  private int[] rows = new int[64];
  private final float threshold;
  /** Whether row-keyed tables' changes are rounded to bfloat16 at capture ({@link ShardSettings.Precision#BF16}). */
  private final boolean halves;
  private final int maxHeld;
  /** Captures so far. */
  private int captures;

  /** A shared table of the view with its round base. */
  private static final class Shared {
    final Param param;
    final Table table;
    final int dim;
    /** Optimiser state rows in the image (0, 1 or 2). */
    final int states;
    /** Null: rows keyed by row index; else the vocabulary mapping the table's rows to tokens. */
    final Vocabulary vocab;
    /** Scratch: the current image of one row. */
    final float[] image;
    /** Scratch: zeros, the image of optimiser state never allocated. */
    float[] zeros = new float[0];
    float[][] base = new float[16][];
    /** Word table: the token each row held at the last boundary (−1: none). */
    int[] baseToken = new int[0];
    /** Row-keyed tables: rows [0, known) have a base. */
    int known;
    /** Word table: vocabulary rows [0, admitted) existed at the last boundary (rows are appended; reuse is dirty). */
    int admitted;
    /** Word table: other tasks' summed changes to words this task has not admitted. */
    final Map<Integer, float[]> waiting = new HashMap<>();
    /** State coordinates a merge would have made negative, set to zero instead (see {@link #add}). */
    long clamped;
    /** Under a threshold: rows whose change was held back from a delta, in the order they were first held. */
    int[] held = new int[16];
    int heldCount;
    /** Under a threshold, per row: the capture that first held its change back (0: none held). */
    int[] heldSince = new int[16];
    /** Per row: the last capture that listed it as a candidate (to list a row once). */
    int[] listed = new int[16];
    /**
     * Rows whose image or base changed since the last checkpoint ({@link #state}): captured, merged, created,
     * adopted. The table's own dirty rows (changed by training, not captured yet) join them when a checkpoint is
     * taken.
     */
    final DirtyRows saved = new DirtyRows();

    Shared(Param param, int states, Vocabulary vocab) {
      this.param = param;
      this.table = param.value();
      this.dim = table.dim();
      this.states = states;
      this.vocab = vocab;
      this.image = new float[width()];
    }

    int width() {
      return dim * (1 + states);
    }

    /** The current image of row into {@link #image}: value, then state rows (zeros where none was allocated). */
    float[] image(int row) {
      System.arraycopy(table.row(row), 0, image, 0, dim);
      for (int s = 0; s < states; s++) {
        float[] st = s == 0 ? param.state1OrNull(row) : param.state2OrNull(row);
        if (st == null) {
          Arrays.fill(image, dim * (s + 1), dim * (s + 2), 0f);
        } else {
          System.arraycopy(st, 0, image, dim * (s + 1), dim);
        }
      }
      return image;
    }

    /**
     * Adds {@code a · d[o, o + width)} to row's image and to its base, so that the task's own progress since the base
     * (image − base) is kept whatever it holds. The last state row (AdaGrad's accumulator, Adam's second moment) is a
     * sum of squares that must stay ≥ 0, but with a leaky accumulator or Adam each task's delta carries its own decay
     * of the base, so when several tasks update a row many times in one round and its gradients shrink, the summed
     * decays can overshoot below zero (√ of it would be NaN): such coordinates are set to zero, deterministically,
     * and counted.
     */
    void add(int row, float[] d, int o, float a) {
      Vectors.axpy(a, d, o, table.row(row), 0, dim);
      for (int s = 0; s < states; s++) {
        float[] st = s == 0 ? param.state1(row) : param.state2(row);
        int so = o + dim * (s + 1);
        if (s < states - 1) {
          Vectors.axpy(a, d, so, st, 0, dim);
          continue;
        }
        for (int j = 0; j < dim; j++) {
          float x = st[j] + a * d[so + j];
          if (x < 0f) {
            x = 0f;
            clamped++;
          }
          st[j] = x;
        }
      }
      Vectors.axpy(a, d, o, base[row], 0, width());
      saved.mark(row);
    }

    void ensureBase(int row) {
      if (row >= base.length) {
        base = Arrays.copyOf(base, Math.max(row + 1, base.length * 2));
      }
      if (vocab != null && row >= baseToken.length) {
        int old = baseToken.length;
        baseToken = Arrays.copyOf(baseToken, Math.max(row + 1, Math.max(16, old * 2)));
        Arrays.fill(baseToken, old, baseToken.length, -1);
      }
    }

    void setBase(int row) {
      ensureBase(row);
      float[] now = image(row);
      if (base[row] == null) {
        base[row] = now.clone();
      } else {
        System.arraycopy(now, 0, base[row], 0, now.length);
      }
      saved.mark(row);
    }

    /** Rows [known, size) are new and untrained: their base is their initial image. */
    void baseNewRows() {
      for (int r = known; r < table.size(); r++) {
        setBase(r);
      }
      known = Math.max(known, table.size());
    }
  }

  /**
   * @param view the task's view, already switched to its stream settings (its optimiser is the one it trains with)
   * @param optimizerState whether the merge carries the shared rows' optimiser state
   */
  Replica(View view, boolean optimizerState) {
    this(view, optimizerState, ShardSettings.DEFAULT_THRESHOLD, ShardSettings.DEFAULT_MAX_HELD);
  }

  /**
   * @param view the task's view, already switched to its stream settings (its optimiser is the one it trains with)
   * @param optimizerState whether the merge carries the shared rows' optimiser state
   * @param threshold θ of {@link ShardSettings#threshold}: rows whose change is below θ × their norm are held back
   * @param maxHeld rounds a row's change may be held back (see {@link ShardSettings#maxHeld})
   */
  Replica(View view, boolean optimizerState, float threshold, int maxHeld) {
    this(view, optimizerState, threshold, maxHeld, ShardSettings.Precision.FLOAT32);
  }

  /**
   * @param view the task's view, already switched to its stream settings (its optimiser is the one it trains with)
   * @param optimizerState whether the merge carries the shared rows' optimiser state
   * @param threshold θ of {@link ShardSettings#threshold}: rows whose change is below θ × their norm are held back
   * @param maxHeld rounds a row's change may be held back (see {@link ShardSettings#maxHeld})
   * @param precision how row-keyed tables' changes are captured ({@link ShardSettings#precision}): under bfloat16
   *     each change is rounded and the base moves by the rounded change only (word rows stay float32)
   */
  Replica(View view, boolean optimizerState, float threshold, int maxHeld, ShardSettings.Precision precision) {
    this.view = view;
    this.threshold = threshold;
    this.maxHeld = maxHeld;
    this.halves = precision == ShardSettings.Precision.BF16;
    OptimizerKind kind = view.optimizer().kind();
    int states = !optimizerState ? 0 : stateRows(kind);
    Shared items = null;
    for (Param p : view.params()) {
      Table t = p.value();
      if (t == view.users() || view instanceof ReviewView rv && t == rv.docs()) {
        continue;
      }
      Vocabulary vocab = null;
      int st = states;
      if (view instanceof ReviewView rv && t == rv.words()) {
        vocab = rv.vocabulary();
        // Immediate word updates are plain SGD outside the optimiser: no state to carry.
        st = rv.settings().wordUpdates() == ReviewView.WordUpdates.IMMEDIATE ? 0 : states;
      }
      Shared s = new Shared(p, st, vocab);
      if (vocab == null) {
        s.baseNewRows();
      }
      t.drainDirty(r -> { }); // construction is the common starting point of every replica, not a change
      shared.add(s);
      if (t == view.items()) {
        items = s;
      }
    }
    this.itemTable = items;
    this.widths = shared.stream().mapToInt(Shared::width).toArray();
  }

  /** Optimiser state rows per parameter row: Adam's two moments, (leaky) AdaGrad's accumulator, none for SGD. */
  static int stateRows(OptimizerKind kind) {
    return switch (kind) {
      case ADAM -> 2;
      case ADAGRAD, LEAKY_ADAGRAD -> 1;
      case SGD -> 0;
    };
  }

  /** State coordinates that merges would have made negative and set to zero instead, all tables. */
  long clamped() {
    return shared.stream().mapToLong(s -> s.clamped).sum();
  }

  /** Names of the shared tables, in delta order. */
  List<String> tableNames() {
    return shared.stream().map(s -> s.table.name()).toList();
  }

  /** Creates x's item row (at its initial value, with that as its base) before the step that may train it. */
  void prepare(Interaction x) {
    if (itemTable != null && x.item() >= itemTable.table.size()) {
      view.reserve(0, x.item() + 1);
      itemTable.baseNewRows();
    }
  }

  /**
   * Ends a round: the shared rows this task changed since the last boundary, as deltas against their base, in a
   * deterministic order (per table, order of first change); the base moves to the current images. Word rows only
   * when {@code words}: otherwise they stay out of this round's delta, their changes kept for a later one.
   *
   * @throws IllegalStateException when a row-keyed shared table grew inside a training step
   */
  Delta capture(boolean words) {
    return capture(words, false, new Delta(widths));
  }

  /**
   * {@link #capture(boolean)} into {@code d}, a delta of this view's tables, cleared first (recycled). Under a
   * threshold, a row-keyed table's candidates are its rows changed since the last capture and the rows held back
   * before; those whose change is still small stay out, unless {@code all} (the task's last round) or they have been
   * held for {@code maxHeld} captures.
   */
  Delta capture(boolean words, boolean all, Delta d) {
    d.clear();
    captures++;
    for (int t = 0; t < shared.size(); t++) {
      Shared s = shared.get(t);
      if (s.vocab != null && !words) {
        continue; // the word rows' delta keeps growing against their older base until a round that carries words
      }
      collected[0] = 0;
      s.table.drainDirty(r -> {
        if (collected[0] == rows.length) {
          rows = Arrays.copyOf(rows, rows.length * 2);
        }
        rows[collected[0]++] = r;
        s.saved.mark(r); // changed by training: sent or held back, the checkpoint writes it
      });
      int n = collected[0];
      if (s.vocab == null && halves) {
        d.valueBytes(t, ShardSettings.Precision.BF16.bytes());
      }
      if (s.vocab == null && threshold > 0f) {
        captureSparse(d, t, s, n, all);
        continue;
      }
      for (int i = 0; i < n; i++) {
        int row = rows[i];
        if (s.vocab == null) {
          captureRow(d, t, s, row);
        } else {
          captureWord(d, t, s, row);
        }
      }
      if (s.vocab != null) {
        // Words admitted since the last capture but not trained (their rows are not dirty) take the others' changes.
        for (int row = s.admitted; row < s.vocab.size(); row++) {
          s.ensureBase(row);
          if (s.baseToken[row] != s.vocab.token(row)) {
            adopt(s, row, s.vocab.token(row));
          }
        }
        s.admitted = s.vocab.size();
      }
    }
    return d;
  }

  /**
   * Sparsified capture of row-keyed table t: the n rows changed since the last capture (in {@link #rows}), then the
   * rows held back before that did not change since, each sent when its change has grown to θ × the norm of its base
   * value, when it has waited {@code maxHeld} captures, or when {@code all}; otherwise held (its base stays, so the
   * change keeps accumulating in image − base: error feedback), and, if it changed this round, listed in the delta
   * by key only ({@link Delta#hold}).
   */
  private void captureSparse(Delta d, int t, Shared s, int n0, boolean all) {
    int n = n0;
    int top = s.table.size();
    if (s.listed.length < top) {
      s.listed = Arrays.copyOf(s.listed, Math.max(top, s.listed.length * 2));
      s.heldSince = Arrays.copyOf(s.heldSince, s.listed.length);
    }
    for (int i = 0; i < n0; i++) {
      s.listed[rows[i]] = captures;
    }
    for (int i = 0; i < s.heldCount; i++) {
      int row = s.held[i];
      if (s.listed[row] != captures) {
        s.listed[row] = captures;
        if (n == rows.length) {
          rows = Arrays.copyOf(rows, rows.length * 2);
        }
        rows[n++] = row;
      }
    }
    s.heldCount = 0;
    for (int i = 0; i < n; i++) {
      int row = rows[i];
      int since = s.heldSince[row];
      if (all || since > 0 && captures - since >= maxHeld || moved(s, row, threshold)) {
        captureRow(d, t, s, row);
        s.heldSince[row] = 0;
      } else {
        if (since == 0) {
          s.heldSince[row] = captures;
        }
        if (i < n0) { // changed this round: the mean counts the task among the row's changers (a key, no values)
          d.hold(t, row);
        }
        if (s.heldCount == s.held.length) {
          s.held = Arrays.copyOf(s.held, s.held.length * 2);
        }
        s.held[s.heldCount++] = row;
      }
    }
  }

  /** Whether row's value moved by at least θ times its base value's norm since its base (L2). */
  private static boolean moved(Shared s, int row, float theta) {
    if (row >= s.known) {
      return true; // captureRow refuses it, naming the table
    }
    float[] v = s.table.row(row);
    float[] b = s.base[row];
    double change = 0;
    double norm = 0;
    for (int j = 0; j < s.dim; j++) {
      double x = v[j] - b[j];
      change += x * x;
      norm += (double) b[j] * b[j];
    }
    return change >= (double) theta * theta * norm;
  }

  /** Whether some row's change is held back from the deltas, waiting to grow (under a threshold). */
  boolean holding() {
    for (Shared s : shared) {
      if (s.heldCount > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * An upper bound on the bytes of the row-keyed tables' part of the next capture: every row changed since the last
   * capture or held back (a row both is counted twice), at its full width and precision plus its key. O(tables).
   * Word rows are left out: they join only every k-th round, or none (see {@link ShardSettings#wordRounds}), and the
   * review view is not sharded on Kafka.
   */
  long pendingBytes() {
    long bytes = 0;
    for (Shared s : shared) {
      if (s.vocab == null) {
        int valueBytes = halves ? ShardSettings.Precision.BF16.bytes() : Float.BYTES;
        bytes += (long) (s.table.dirtyCount() + s.heldCount) * (Integer.BYTES + (long) s.width() * valueBytes);
      }
    }
    return bytes;
  }

  /**
   * Appends row's change since its base to d and moves the base to the image, in one pass over the row; when d carries
   * the table in bfloat16, the change rounded to it, and the base moves by the rounded change (the rounding error
   * stays in image − base, sent with the row's next change).
   */
  private static void captureRow(Delta d, int t, Shared s, int row) {
    if (row >= s.known) {
      throw new IllegalStateException("shared table " + s.table.name() + " grew to row " + row
          + " inside a training step: the simulator cannot tell that row's initial value (create it before the step)");
    }
    int o = d.append(t, row);
    float[] v = d.values(t);
    float[] b = s.base[row];
    boolean round = d.valueBytes(t) == 2;
    s.saved.mark(row);
    difference(s.table.row(row), b, 0, v, o, s.dim, round);
    for (int k = 0; k < s.states; k++) {
      float[] st = k == 0 ? s.param.state1OrNull(row) : s.param.state2OrNull(row);
      int bo = s.dim * (k + 1);
      if (st == null) { // never allocated: the image holds zeros there
        if (s.zeros.length < s.dim) {
          s.zeros = new float[s.dim];
        }
        st = s.zeros;
      }
      difference(st, b, bo, v, o + bo, s.dim, round);
    }
  }

  /**
   * out[oo + j] = now[j] − base[bo + j], then base[bo + j] = now[j], for j in [0, n); with {@code round}, out[oo + j]
   * = bf16(now[j] − base[bo + j]) and base[bo + j] += out[oo + j].
   */
  private static void difference(float[] now, float[] base, int bo, float[] out, int oo, int n, boolean round) {
    if (round) {
      for (int j = 0; j < n; j++) {
        float q = ShardSettings.Precision.bf16(now[j] - base[bo + j]);
        out[oo + j] = q;
        base[bo + j] += q;
      }
      return;
    }
    for (int j = 0; j < n; j++) {
      float x = now[j];
      out[oo + j] = x - base[bo + j];
      base[bo + j] = x;
    }
  }

  private static void captureWord(Delta d, int t, Shared s, int row) {
    int token = s.vocab.token(row);
    s.ensureBase(row);
    float[] now = s.image(row);
    if (s.baseToken[row] == token) {
      d.add(t, token, now, s.base[row]);
    } else {
      // Admitted (or re-admitted) since the last capture: it started from the word table's initial image, zero.
      d.add(t, token, now, null);
      adopt(s, row, token);
    }
    s.setBase(row);
  }

  /**
   * Gives {@code row}, which came to {@code token} since the last capture, its base: the initial image (zero) plus the
   * other tasks' changes that waited for the token, which join its image too.
   */
  private static void adopt(Shared s, int row, int token) {
    s.ensureBase(row);
    if (s.base[row] == null) {
      s.base[row] = new float[s.width()];
    } else {
      Arrays.fill(s.base[row], 0f);
    }
    s.baseToken[row] = token;
    s.saved.mark(row);
    float[] others = s.waiting.remove(token);
    if (others != null) {
      s.add(row, others, 0, 1f);
    }
  }

  /** Hands sink the item rows of another task's delta (the items that task's partition has seen). */
  void items(Delta d, IntConsumer sink) {
    int t = shared.indexOf(itemTable);
    for (int i = 0; t >= 0 && i < d.count(t); i++) {
      sink.accept(d.key(t, i));
    }
  }

  /**
   * Applies a complete round at this task, task {@code self}: the same sums as {@link #apply} on each task's delta in
   * task order (the others' by their share, its own by its share minus one, or not at all when {@code ownToo} is
   * false: the sum merge), but visiting each changed row once, all tasks' changes to it in task order, so that
   * the row's value, state and base are read and written once per merge rather than once per delta. The per-row
   * order of the additions is the same, so the result is bit-identical to applying the deltas one by one.
   */
  void merge(RoundIndex round, int self, boolean ownToo) {
    Delta[] ds = round.round();
    for (int t = 0; t < shared.size(); t++) {
      Shared s = shared.get(t);
      if (s.vocab != null) { // word rows wait for their tokens and admissions: delta by delta, as apply does
        for (int i = 0; i < ds.length; i++) {
          if (ds[i] != null && (i != self || ownToo)) {
            applyWords(s, t, ds[i], i == self);
          }
        }
        continue;
      }
      int w = s.width();
      for (int u = 0; u < round.rows(t); u++) {
        int key = round.key(t, u);
        for (int i = 0; i < ds.length; i++) {
          int p = round.position(t, u, i);
          if (p < 0 || i == self && !ownToo) {
            continue;
          }
          float a = i == self ? ds[i].share(t, p) - 1f : ds[i].share(t, p);
          if (a == 0f) {
            continue;
          }
          if (key >= s.known) { // a row this task has not created yet: it starts where every replica's did
            s.table.ensure(key + 1);
            s.baseNewRows();
          }
          s.add(key, ds[i].values(t), p * w, a);
        }
      }
    }
  }

  /**
   * Applies a round delta to this replica (images and bases alike): another task's, each row's share of it
   * ({@link Delta#share}: all of it, or 1/c under the mean merge); or, with {@code own}, this task's own delta of the
   * round, already in the replica, by its share minus one, so that the row ends with the mean of the changes.
   */
  void apply(Delta d, boolean own) {
    for (int t = 0; t < shared.size(); t++) {
      Shared s = shared.get(t);
      if (s.vocab != null) {
        applyWords(s, t, d, own);
        continue;
      }
      int w = s.width();
      float[] v = d.values(t);
      for (int i = 0; i < d.count(t); i++) {
        float a = own ? d.share(t, i) - 1f : d.share(t, i);
        if (a == 0f) {
          continue;
        }
        int key = d.key(t, i);
        if (key >= s.known) { // a row this task has not created yet: it starts where every replica's did
          s.table.ensure(key + 1);
          s.baseNewRows();
        }
        s.add(key, v, i * w, a);
      }
    }
  }

  /** {@link #apply} on the word table t: rows keyed by token, another task's words this task lacks wait. */
  private void applyWords(Shared s, int t, Delta d, boolean own) {
    int w = s.width();
    float[] v = d.values(t);
    for (int i = 0; i < d.count(t); i++) {
      float a = own ? d.share(t, i) - 1f : d.share(t, i);
      if (a == 0f) {
        continue;
      }
      int key = d.key(t, i);
      int row = s.vocab.row(key);
      if (row >= 0) {
        if (s.baseToken[row] != key) { // admitted since the last capture: its base is not set yet
          adopt(s, row, key);
        }
        s.add(row, v, i * w, a);
      } else {
        Vectors.axpy(a, v, i * w, s.waiting.computeIfAbsent(key, x -> new float[w]), 0, w);
      }
    }
  }

  /**
   * The replica's part of its task's checkpoint ({@link ShardTask#state}): one block per parameter of the view, in
   * {@link View#params()} order, then one row of the replica's bookkeeping.
   *
   * <ul>
   *   <li>A shared table's row: its value and optimiser state ({@link RowCodec}), then its base. The rows written are
   *       those whose image or base changed since the previous checkpoint: captured, merged into, created, and those
   *       training changed since the last capture (the table's dirty rows, read without taking them from the next
   *       capture).
   *   <li>An owned table's row (users): its value and optimiser state, the rows changed since the previous
   *       checkpoint (the table's dirty rows, which nothing else reads in a sharded task; those changed since the
   *       last publication stay marked for {@link Table#forEachChangedSinceTick}).
   *   <li>The bookkeeping: the captures so far, and per shared table the rows that have a base, the clamped count,
   *       the rows held back (under a threshold) with the capture that first held each, and the table's dirty rows
   *       in their order (the next capture's candidates).
   * </ul>
   *
   * @throws IllegalStateException for a view with a word table (the review view, whose words wait by token: not
   *     checkpointed; its configuration refuses more than one task)
   */
  List<StateBlock> state(String name) {
    for (Shared s : shared) {
      if (s.vocab != null) {
        throw new IllegalStateException(name + ": a replica with a word table (" + s.table.name()
            + ") is not checkpointed");
      }
    }
    List<StateBlock> out = new ArrayList<>();
    for (Param p : view.params()) {
      Shared s = shared.stream().filter(x -> x.param == p).findFirst().orElse(null);
      out.add(s != null ? sharedBlock(s) : ownedBlock(p));
    }
    out.add(bookkeeping(name));
    return out;
  }

  /** A shared table's rows with their bases (see {@link #state}). */
  private StateBlock sharedBlock(Shared s) {
    StateBlock rows = StateBlock.of(s.param);
    return new StateBlock() {
      @Override
      public int size() {
        return s.table.size();
      }

      @Override
      public int dirtyCount() {
        dirtyRows(s, s.saved::mark);
        return s.saved.count();
      }

      @Override
      public void drainDirty(IntConsumer sink) {
        dirtyRows(s, s.saved::mark);
        s.saved.drain(sink);
      }

      @Override
      public byte[] encode(int row) {
        byte[] v = rows.encode(row);
        float[] b = s.base[row];
        ByteBuffer out = ByteBuffer.allocate(8 + v.length + 4 * b.length).putInt(v.length).put(v).putInt(b.length);
        for (float x : b) {
          out.putFloat(x);
        }
        return out.array();
      }

      @Override
      public void decode(int row, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte[] v = new byte[in.getInt()];
        in.get(v);
        rows.decode(row, v);
        float[] b = new float[in.getInt()];
        if (b.length != s.width()) {
          throw new IllegalStateException("row " + row + " of " + s.table.name() + ": a base of " + b.length
              + " floats in the checkpoint, the replica's rows have " + s.width());
        }
        for (int j = 0; j < b.length; j++) {
          b[j] = in.getFloat();
        }
        s.ensureBase(row);
        s.base[row] = b;
      }
    };
  }

  /** An owned table's rows (see {@link #state}). */
  private static StateBlock ownedBlock(Param p) {
    StateBlock rows = StateBlock.of(p);
    Table t = p.value();
    return new StateBlock() {
      @Override
      public int size() {
        return t.size();
      }

      @Override
      public int dirtyCount() {
        return t.dirtyCount();
      }

      @Override
      public void drainDirty(IntConsumer sink) {
        DirtyRows unpublished = new DirtyRows();
        t.forEachChangedSinceTick(unpublished::mark);
        t.drainDirty(sink);
        unpublished.drain(t::markDirty);
      }

      @Override
      public byte[] encode(int row) {
        return rows.encode(row);
      }

      @Override
      public void decode(int row, byte[] bytes) {
        rows.decode(row, bytes);
      }

      @Override
      public void loaded() {
        rows.loaded();
      }
    };
  }

  /** Hands sink the shared table's dirty rows in their order, leaving them dirty (for the next capture). */
  private void dirtyRows(Shared s, IntConsumer sink) {
    collected[0] = 0;
    s.table.drainDirty(r -> {
      if (collected[0] == rows.length) {
        rows = Arrays.copyOf(rows, rows.length * 2);
      }
      rows[collected[0]++] = r;
    });
    for (int i = 0; i < collected[0]; i++) {
      s.table.markDirty(rows[i]);
      sink.accept(rows[i]);
    }
  }

  /** The replica's bookkeeping, one row (see {@link #state}). */
  private StateBlock bookkeeping(String name) {
    return StateBlock.single(() -> {
      StateWriter w = new StateWriter(FORMAT).putInt(captures).putInt(shared.size());
      for (Shared s : shared) {
        int[] since = new int[s.heldCount];
        for (int i = 0; i < s.heldCount; i++) {
          since[i] = s.heldSince[s.held[i]];
        }
        DirtyRows d = new DirtyRows();
        dirtyRows(s, d::mark);
        int[] order = new int[d.count()];
        int[] k = {0};
        d.drain(r -> order[k[0]++] = r);
        w.putInt(s.known).putLong(s.clamped).putInts(s.held, 0, s.heldCount).putInts(since, 0, since.length)
            .putInts(order, 0, order.length);
      }
      return w.toBytes();
    }, bytes -> {
      StateReader r = new StateReader(bytes, FORMAT, name);
      captures = r.getInt();
      int n = r.getInt();
      if (n != shared.size()) {
        throw new IllegalStateException(name + ": the checkpoint holds " + n + " shared tables, the replica has "
            + shared.size());
      }
      for (Shared s : shared) {
        s.known = r.getInt();
        s.clamped = r.getLong();
        s.held = r.getInts();
        s.heldCount = s.held.length;
        int[] since = r.getInts();
        int top = Math.max(16, s.table.size());
        s.heldSince = new int[top];
        s.listed = new int[top]; // a capture lists a row when listed differs from the capture's number: any will
        for (int i = 0; i < since.length; i++) {
          s.heldSince[s.held[i]] = since[i];
        }
        s.held = Arrays.copyOf(s.held, Math.max(16, s.heldCount));
        // The table's dirty rows, in order: decoding rows marks none, in this block or another, before or after.
        s.table.drainDirty(x -> { });
        for (int row : r.getInts()) {
          s.table.markDirty(row);
        }
        s.saved.clear();
      }
    });
  }

  /** Floats per row of each shared table, in delta order (for the deltas this replica captures into). */
  int[] widths() {
    return widths.clone();
  }
}
