package io.jrlstream.core.train;

import java.util.Arrays;

/** A growable open-addressing set of non-negative ints (linear probing). Not thread-safe. */
public final class IntSet {
  private int[] slots = filled(8);
  private int size;

  public boolean add(int v) {
    if (v < 0) {
      throw new IllegalArgumentException("IntSet holds non-negative ints, got " + v);
    }
    if ((size + 1) * 2 > slots.length) {
      grow();
    }
    int mask = slots.length - 1;
    int i = mix(v) & mask;
    while (slots[i] >= 0) {
      if (slots[i] == v) {
        return false;
      }
      i = (i + 1) & mask;
    }
    slots[i] = v;
    size++;
    return true;
  }

  public boolean contains(int v) {
    int mask = slots.length - 1;
    int i = mix(v) & mask;
    while (slots[i] >= 0) {
      if (slots[i] == v) {
        return true;
      }
      i = (i + 1) & mask;
    }
    return false;
  }

  /**
   * Removes v; returns whether it was there. Linear probing's backward-shift deletion: the entries after v in its
   * cluster move back into the hole they would have probed, so no tombstones are left.
   */
  public boolean remove(int v) {
    int mask = slots.length - 1;
    int i = mix(v) & mask;
    while (slots[i] != v) {
      if (slots[i] < 0) {
        return false;
      }
      i = (i + 1) & mask;
    }
    int hole = i;
    for (int j = (hole + 1) & mask; slots[j] >= 0; j = (j + 1) & mask) {
      int home = mix(slots[j]) & mask;
      // Move j's entry into the hole unless its home lies cyclically in (hole, j]: then it is still reachable.
      boolean reachable = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!reachable) {
        slots[hole] = slots[j];
        hole = j;
      }
    }
    slots[hole] = -1;
    size--;
    return true;
  }

  public int size() {
    return size;
  }

  /** The members in ascending order (a new array). */
  public int[] toSortedArray() {
    int[] out = new int[size];
    int n = 0;
    for (int s : slots) {
      if (s >= 0) {
        out[n++] = s;
      }
    }
    Arrays.sort(out);
    return out;
  }

  private void grow() {
    int[] old = slots;
    slots = filled(old.length * 2);
    size = 0;
    for (int s : old) {
      if (s >= 0) {
        add(s);
      }
    }
  }

  private static int mix(int v) {
    int h = v * 0x9E3779B9;
    return h ^ (h >>> 16);
  }

  private static int[] filled(int n) {
    int[] a = new int[n];
    Arrays.fill(a, -1);
    return a;
  }
}
