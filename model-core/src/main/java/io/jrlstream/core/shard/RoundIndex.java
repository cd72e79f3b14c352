package io.jrlstream.core.shard;

import java.util.Arrays;

/**
 * The rows of one round's deltas, indexed once so that every task's merge visits each changed row once: per shared
 * table, the union of the deltas' keys (in order of first appearance, task by task) and, for each key and task, the
 * row's position in that task's delta. Under the mean merge it also counts the tasks that changed each row (a plain
 * int array indexed by key instead of a hash map) and hands each delta row its share 1/c.
 *
 * <p>Lifecycle: {@link #index} a complete round (once, before its first merge), read it from every task's merge, then
 * index a later round with the same object: the buffers grow to the largest round and are reused. Not thread-safe.
 */
public final class RoundIndex {
  private Delta[] round = new Delta[0];
  private int tasks;
  /** Per table: the union's keys. */
  private int[][] keys = new int[0][];
  private int[] counts = new int[0];
  /** Per table: the position of union row u in task i's delta at {@code u·tasks + i}, −1 where it has none. */
  private int[][] positions = new int[0][];
  /** Per table: tasks that changed union row u but held the change back (counted by the mean, no values). */
  private int[][] holders = new int[0][];
  /** Scratch, all zeros between calls: key → union row + 1. */
  private int[] slot = new int[16];

  /**
   * Indexes a complete round: one delta per task (null: a task without one, or an empty round).
   *
   * @return this
   */
  RoundIndex index(Delta[] deltas) {
    round = deltas;
    tasks = deltas.length;
    int tables = 0;
    for (Delta d : deltas) {
      tables = d == null ? tables : d.tables();
    }
    if (keys.length < tables) {
      keys = Arrays.copyOf(keys, tables);
      positions = Arrays.copyOf(positions, tables);
      holders = Arrays.copyOf(holders, tables);
      counts = Arrays.copyOf(counts, tables);
    }
    for (int t = 0; t < tables; t++) {
      if (keys[t] == null) {
        keys[t] = new int[16];
        positions[t] = new int[16 * tasks];
      }
      if (positions[t].length < 16 * tasks) { // a round of more tasks than the index was built for
        positions[t] = new int[16 * tasks];
      }
      int n = 0;
      for (int i = 0; i < tasks; i++) {
        Delta d = deltas[i];
        for (int p = 0; d != null && p < d.count(t); p++) {
          int key = d.key(t, p);
          if (key >= slot.length) {
            slot = Arrays.copyOf(slot, Math.max(key + 1, slot.length * 2));
          }
          int u = slot[key] - 1;
          if (u < 0) {
            u = n++;
            slot[key] = n;
            if (n > keys[t].length) {
              keys[t] = Arrays.copyOf(keys[t], n * 2);
            }
            if (n * tasks > positions[t].length) {
              positions[t] = Arrays.copyOf(positions[t], n * 2 * tasks);
            }
            keys[t][u] = key;
            Arrays.fill(positions[t], u * tasks, (u + 1) * tasks, -1);
          }
          positions[t][u * tasks + i] = p;
        }
      }
      counts[t] = n;
      if (holders[t] == null || holders[t].length < n) {
        holders[t] = new int[Math.max(16, keys[t].length)];
      }
      Arrays.fill(holders[t], 0, n, 0);
      for (Delta d : deltas) {
        for (int h = 0; d != null && h < d.heldCount(t); h++) {
          int key = d.heldKey(t, h);
          if (key < slot.length && slot[key] > 0) { // rows no task sent need no merge
            holders[t][slot[key] - 1]++;
          }
        }
      }
      for (int u = 0; u < n; u++) {
        slot[keys[t][u]] = 0;
      }
    }
    for (int t = tables; t < counts.length; t++) {
      counts[t] = 0;
    }
    return this;
  }

  /**
   * Gives each delta row of the round the share 1/c, c the number of tasks that changed the row, whether they sent
   * their change or held it back (the mean merge, see {@link Delta#mean} and {@link Delta#hold}).
   */
  void mean() {
    for (int t = 0; t < counts.length; t++) {
      int[] pos = positions[t];
      for (int u = 0; u < counts[t]; u++) {
        int c = holders[t][u];
        for (int i = 0; i < tasks; i++) {
          c += pos[u * tasks + i] >= 0 ? 1 : 0;
        }
        float share = 1f / c;
        for (int i = 0; i < tasks; i++) {
          int p = pos[u * tasks + i];
          if (p >= 0) {
            round[i].share(t, p, share);
          }
        }
      }
    }
  }

  /** The round's deltas, by task. */
  Delta[] round() {
    return round;
  }

  /** Rows of {@code table} changed by some task in the round. */
  int rows(int table) {
    return table < counts.length ? counts[table] : 0;
  }

  /** The key of changed row u of {@code table}. */
  int key(int table, int u) {
    return keys[table][u];
  }

  /** Where row u of {@code table} is in task i's delta, or −1 when that task did not change it. */
  int position(int table, int u, int task) {
    return positions[table][u * tasks + task];
  }
}
