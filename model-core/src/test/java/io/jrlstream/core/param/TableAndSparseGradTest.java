package io.jrlstream.core.param;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Row initialisation that depends only on (seed, name, row), and the sparse per-batch gradient buffers. */
class TableAndSparseGradTest {
  @Test
  void shouldInitialiseRowsIndependentlyOfCreationOrder() {
    Table a = new Table("x", 4, Table.Init.NORMAL, 0.1f, 5);
    a.ensure(40);
    Table b = new Table("x", 4, Table.Init.NORMAL, 0.1f, 5);
    for (int n = 1; n <= 40; n += 7) {
      b.ensure(n);
    }
    b.ensure(40);
    for (int r = 0; r < 40; r++) {
      assertArrayEquals(a.row(r), b.row(r), "row " + r);
    }
    Table other = new Table("y", 4, Table.Init.NORMAL, 0.1f, 5);
    other.ensure(1);
    assertFalse(Arrays.equals(a.row(0), other.row(0)), "the name is part of the seed");
  }

  @Test
  void shouldResetARowToItsInitialValue() {
    Table t = new Table("w", 3, Table.Init.UNIFORM, 0.5f, 1);
    t.ensure(2);
    float[] initial = t.row(1).clone();
    for (float x : initial) {
      assertTrue(Math.abs(x) < 0.5f);
    }
    t.set(1, new float[] {9f, 9f, 9f});
    t.reset(1);
    assertArrayEquals(initial, t.row(1));
    assertThrows(IndexOutOfBoundsException.class, () -> t.row(2));
  }

  @Test
  void shouldZeroARowOnFirstTouchOfEachBatch() {
    SparseGrad g = new SparseGrad(2);
    g.row(5)[0] = 3f;
    g.row(1)[1] = 4f;
    g.row(5)[1] = 1f; // same batch: accumulates, not re-zeroed
    assertEquals(2, g.touchedCount());
    assertEquals(5, g.touched(0), "first-touch order");
    assertEquals(1, g.touched(1));
    assertArrayEquals(new float[] {3f, 1f}, g.touchedGrad(0));
    assertEquals(9 + 1 + 16, g.squaredNorm(), 1e-12);

    g.clear();
    assertEquals(0, g.touchedCount());
    assertEquals(0.0, g.squaredNorm());
    assertArrayEquals(new float[] {0f, 0f}, g.row(5), "reused buffer is zeroed in the next batch");
    g.row(100)[0] = 1f; // growth beyond the initial capacity
    assertEquals(2, g.touchedCount());
    assertEquals(100, g.touched(1));
  }
}
