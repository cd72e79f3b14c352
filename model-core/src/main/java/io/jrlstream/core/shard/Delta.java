package io.jrlstream.core.shard;

import io.jrlstream.core.math.Vectors;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One task's round delta: for each shared table of its view, the rows it changed during the round, each as (key,
 * value − value at the start of the round). Keys are row indices, or token ids for the word table (vocabulary rows
 * differ between tasks). What one task would write to the update topic for one round; immutable once
 * {@link Replica#capture} has built it, and read by every other task's merge.
 */
final class Delta {
  private final int[][] keys;
  private final float[][] values;
  private final int[] counts;
  private final int[] dims;
  /** Per table and row, the share of the row's change a merge applies (null: all of it). */
  private float[][] shares;

  Delta(int[] dims) {
    this.dims = dims.clone();
    int n = dims.length;
    keys = new int[n][];
    values = new float[n][];
    counts = new int[n];
    for (int t = 0; t < n; t++) {
      keys[t] = new int[16];
      values[t] = new float[16 * dims[t]];
    }
  }

  /**
   * Appends the change of row {@code key} of table {@code table}: {@code now − before} elementwise, or {@code now}
   * when {@code before} is null (a row that started at zero).
   */
  void add(int table, int key, float[] now, float[] before) {
    int d = dims[table];
    int n = counts[table];
    if (n == keys[table].length) {
      keys[table] = Arrays.copyOf(keys[table], n * 2);
      values[table] = Arrays.copyOf(values[table], n * 2 * d);
    }
    keys[table][n] = key;
    float[] v = values[table];
    int o = n * d;
    System.arraycopy(now, 0, v, o, d);
    if (before != null) {
      Vectors.axpy(-1f, before, 0, v, o, d); // exact: −1·b rounds nothing, so this is now − before rounded once
    }
    counts[table] = n + 1;
  }

  /** Shared tables covered (the view's, in its parameter order). */
  int tables() {
    return dims.length;
  }

  /** Rows of {@code table} in this delta. */
  int count(int table) {
    return counts[table];
  }

  int key(int table, int i) {
    return keys[table][i];
  }

  /** The packed rows of {@code table}: row i at {@code [i·dim, (i+1)·dim)}. */
  float[] values(int table) {
    return values[table];
  }

  int dim(int table) {
    return dims[table];
  }

  /** The share of row i of {@code table} that a merge applies: 1, or 1/c under {@link #mean}. */
  float share(int table, int i) {
    return shares == null ? 1f : shares[table][i];
  }

  /**
   * Makes a round's merge apply the mean of the tasks' changes to each row instead of their sum: each delta's row
   * gets the share 1/c, c the number of the round's deltas that changed the row. A row only one task changed keeps
   * its whole change. Called once per round, when all of its deltas are in (nulls: tasks without one).
   */
  static void mean(Delta[] round) {
    int tables = -1;
    for (Delta d : round) {
      tables = d == null ? tables : d.tables();
    }
    for (int t = 0; t < tables; t++) {
      Map<Integer, Integer> changed = new HashMap<>();
      for (Delta d : round) {
        for (int i = 0; d != null && i < d.count(t); i++) {
          changed.merge(d.key(t, i), 1, Integer::sum);
        }
      }
      for (Delta d : round) {
        if (d == null) {
          continue;
        }
        if (d.shares == null) {
          d.shares = new float[tables][];
        }
        d.shares[t] = new float[d.count(t)];
        for (int i = 0; i < d.count(t); i++) {
          d.shares[t][i] = 1f / changed.get(d.key(t, i));
        }
      }
    }
  }

  /** Floats in all rows. */
  long floats() {
    long f = 0;
    for (int t = 0; t < dims.length; t++) {
      f += (long) counts[t] * dims[t];
    }
    return f;
  }
}
