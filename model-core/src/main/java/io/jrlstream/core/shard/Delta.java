package io.jrlstream.core.shard;

import java.util.Arrays;

/**
 * One task's round delta: for each shared table of its view, the rows it changed during the round, each as (key,
 * image − image at the start of the round). Keys are row indices, or token ids for the word table (vocabulary rows
 * differ between tasks). What one task would write to the update topic for one round; {@link Replica#capture} fills
 * it and every other task's merge reads it.
 *
 * <p>Lifecycle: filled once, read by every task's merge, then {@link #clear}ed and refilled for a later round (the
 * simulator recycles its deltas, so a round allocates nothing once the buffers have grown to the largest round).
 * Not thread-safe.
 */
public final class Delta {
  private final int[][] keys;
  private final float[][] values;
  private final int[] counts;
  private final int[] widths;
  /** Per table and row, the share of the row's change a merge applies; valid when {@link #hasShares}. */
  private final float[][] shares;
  private boolean hasShares;
  /** Per table: rows the task changed in the round but held back (keys only, see {@link #hold}). */
  private final int[][] held;
  private final int[] heldCounts;
  /** Per table: bytes per value on the update topic (4: float32; 2: bfloat16, the values already rounded to it). */
  private final int[] valueBytes;

  /**
   * @param widths floats per row of each shared table (value and the optimiser state it carries)
   */
  Delta(int[] widths) {
    this.widths = widths.clone();
    int n = widths.length;
    keys = new int[n][];
    values = new float[n][];
    shares = new float[n][];
    counts = new int[n];
    held = new int[n][];
    heldCounts = new int[n];
    valueBytes = new int[n];
    Arrays.fill(valueBytes, 4);
    for (int t = 0; t < n; t++) {
      held[t] = new int[16];
      keys[t] = new int[16];
      values[t] = new float[16 * widths[t]];
      shares[t] = new float[16];
    }
  }

  /** Empties the delta for another round, keeping its buffers. */
  void clear() {
    Arrays.fill(counts, 0);
    Arrays.fill(heldCounts, 0);
    hasShares = false;
  }

  /**
   * Appends row {@code key} of {@code table} and returns the offset of its {@link #dim} floats in
   * {@link #values}{@code (table)}, for the caller to write its change there.
   */
  int append(int table, int key) {
    int w = widths[table];
    int n = counts[table];
    if (n == keys[table].length) {
      keys[table] = Arrays.copyOf(keys[table], n * 2);
      values[table] = Arrays.copyOf(values[table], n * 2 * w);
      shares[table] = Arrays.copyOf(shares[table], n * 2);
    }
    keys[table][n] = key;
    counts[table] = n + 1;
    return n * w;
  }

  /**
   * Appends the change of row {@code key} of table {@code table}: {@code now − before} elementwise, or {@code now}
   * when {@code before} is null (a row that started at zero).
   */
  void add(int table, int key, float[] now, float[] before) {
    int o = append(table, key);
    float[] v = values[table];
    int w = widths[table];
    if (before == null) {
      System.arraycopy(now, 0, v, o, w);
    } else {
      for (int j = 0; j < w; j++) {
        v[o + j] = now[j] - before[j];
      }
    }
  }

  /**
   * Records that the task changed row {@code key} of {@code table} in the round but held the change back (below the
   * threshold): a key without values, so that the mean merge counts the task among the row's changers and the others
   * apply a sender's change by 1/c as they would had the task sent its own; otherwise a held row would take each
   * sender's whole change, the sum merge's overshoot.
   */
  void hold(int table, int key) {
    int n = heldCounts[table];
    if (n == held[table].length) {
      held[table] = Arrays.copyOf(held[table], n * 2);
    }
    held[table][n] = key;
    heldCounts[table] = n + 1;
  }

  /** Rows of {@code table} changed but held back in this delta (keys only). */
  int heldCount(int table) {
    return heldCounts[table];
  }

  int heldKey(int table, int i) {
    return held[table][i];
  }

  /** Held keys in all tables (each costs a key on the update topic). */
  long heldKeys() {
    long k = 0;
    for (int c : heldCounts) {
      k += c;
    }
    return k;
  }

  /** Shared tables covered (the view's, in its parameter order). */
  int tables() {
    return widths.length;
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

  /** Floats per row of {@code table}. */
  int dim(int table) {
    return widths[table];
  }

  /** The share of row i of {@code table} that a merge applies: 1, or 1/c under {@link #mean}. */
  float share(int table, int i) {
    return hasShares ? shares[table][i] : 1f;
  }

  /**
   * Makes a round's merge apply the mean of the tasks' changes to each row instead of their sum: each delta's row
   * gets the share 1/c, c the number of the round's deltas that changed the row. A row only one task changed keeps
   * its whole change. Called once per round, when all of its deltas are in (nulls: tasks without one).
   */
  static void mean(Delta[] round) {
    new RoundIndex().index(round).mean();
  }

  /** Sets row i's share of table t (see {@link #mean}). */
  void share(int t, int i, float share) {
    shares[t][i] = share;
    hasShares = true;
  }

  /**
   * Marks {@code table}'s values as carried in {@code bytes} bytes each: 4 (float32, the default) or 2 (bfloat16; the
   * writer rounds them, {@link Replica} when it captures, so that the codec sends their high halves exactly).
   */
  void valueBytes(int table, int bytes) {
    if (bytes != 2 && bytes != 4) {
      throw new IllegalArgumentException("a delta's values take 2 or 4 bytes, not " + bytes);
    }
    valueBytes[table] = bytes;
  }

  /** Bytes per value of {@code table} on the update topic: 4 (float32) or 2 (bfloat16). */
  int valueBytes(int table) {
    return valueBytes[table];
  }

  /** Floats in all rows. */
  long floats() {
    long f = 0;
    for (int t = 0; t < widths.length; t++) {
      f += (long) counts[t] * widths[t];
    }
    return f;
  }

  /** Bytes of all rows' values on the update topic (keys not counted). */
  long valueBytes() {
    long b = 0;
    for (int t = 0; t < widths.length; t++) {
      b += (long) counts[t] * widths[t] * valueBytes[t];
    }
    return b;
  }

  /** Bytes of the rows on the update topic: their values ({@link #valueBytes}), a 4-byte key per row and held key. */
  long bytes() {
    long keys = heldKeys();
    for (int c : counts) {
      keys += c;
    }
    return valueBytes() + Integer.BYTES * keys;
  }
}
