package io.jrlstream.core.data;

import java.util.List;

/**
 * The positions of a list's interactions grouped by user (a counting sort), each user's in input order: user u's
 * are {@code positions[start[u]..start[u + 1])}. What the per-user split, the stream interleaving and the repeat
 * search share. Immutable once built; package-private.
 */
final class ByUser {
  final int users;
  final int[] start;
  final int[] positions;

  private ByUser(int users, int[] start, int[] positions) {
    this.users = users;
    this.start = start;
    this.positions = positions;
  }

  /**
   * @param minUsers users at least (indices {@code [0, minUsers)} exist even without interactions)
   * @throws IllegalArgumentException on a negative user index
   */
  static ByUser of(List<Interaction> xs, int minUsers) {
    int users = minUsers;
    for (Interaction x : xs) {
      if (x.user() < 0) {
        throw new IllegalArgumentException("negative user index " + x.user() + " in " + x);
      }
      users = Math.max(users, x.user() + 1);
    }
    int[] start = new int[users + 1];
    for (Interaction x : xs) {
      start[x.user() + 1]++;
    }
    for (int u = 0; u < users; u++) {
      start[u + 1] += start[u];
    }
    int n = xs.size();
    int[] positions = new int[n];
    int[] fill = start.clone();
    for (int i = 0; i < n; i++) {
      positions[fill[xs.get(i).user()]++] = i;
    }
    return new ByUser(users, start, positions);
  }
}
