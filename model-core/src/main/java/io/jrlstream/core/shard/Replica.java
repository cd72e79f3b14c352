package io.jrlstream.core.shard;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.view.review.Vocabulary;
import io.jrlstream.core.view.review.ReviewView;
import io.jrlstream.core.view.View;
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
  private final View view;
  private final List<Shared> shared = new ArrayList<>();
  private final Shared itemTable;
  private final int[] widths;
  private final int[] collected = new int[1];
  private int[] rows = new int[64];

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
        Vectors.axpy(a, d, o + dim * (s + 1), st, 0, dim);
        if (s == states - 1) {
          for (int j = 0; j < dim; j++) {
            if (st[j] < 0f) {
              st[j] = 0f;
              clamped++;
            }
          }
        }
      }
      Vectors.axpy(a, d, o, base[row], 0, width());
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
    this.view = view;
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
    Delta d = new Delta(widths);
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
      });
      int n = collected[0];
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

  private static void captureRow(Delta d, int t, Shared s, int row) {
    if (row >= s.known) {
      throw new IllegalStateException("shared table " + s.table.name() + " grew to row " + row
          + " inside a training step: the simulator cannot tell that row's initial value (create it before the step)");
    }
    float[] now = s.image(row);
    d.add(t, row, now, s.base[row]);
    System.arraycopy(now, 0, s.base[row], 0, now.length);
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
   * Applies a round delta to this replica (images and bases alike): another task's, each row's share of it
   * ({@link Delta#share}: all of it, or 1/c under the mean merge); or, with {@code own}, this task's own delta of the
   * round, already in the replica, by its share minus one, so that the row ends with the mean of the changes.
   */
  void apply(Delta d, boolean own) {
    for (int t = 0; t < shared.size(); t++) {
      Shared s = shared.get(t);
      int w = s.width();
      float[] v = d.values(t);
      for (int i = 0; i < d.count(t); i++) {
        float a = own ? d.share(t, i) - 1f : d.share(t, i);
        if (a == 0f) {
          continue;
        }
        int key = d.key(t, i);
        if (s.vocab == null) {
          if (key >= s.known) { // a row this task has not created yet: it starts where every replica's did
            s.table.ensure(key + 1);
            s.baseNewRows();
          }
          s.add(key, v, i * w, a);
          continue;
        }
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
  }

}
