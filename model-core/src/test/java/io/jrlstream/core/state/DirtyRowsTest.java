package io.jrlstream.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirtyRowsTest {
  @Test
  void shouldHandEachChangedRowOnceInOrderOfFirstChange() {
    DirtyRows d = new DirtyRows();
    d.mark(5);
    d.mark(100);
    d.mark(5);
    d.markRange(2, 4);
    assertEquals(4, d.count());
    List<Integer> got = new ArrayList<>();
    d.drain(got::add);
    assertEquals(List.of(5, 100, 2, 3), got);
    assertEquals(0, d.count());
    d.mark(5);
    got.clear();
    d.drain(got::add);
    assertEquals(List.of(5), got, "a drained row can change again");
  }

  @Test
  void shouldRoundTripValuesAndRefuseAnotherFormat() {
    byte[] b = new StateWriter(3).putInt(-7).putLong(1L << 40).putFloat(1.5f).putInts(new int[] {1, 2, 3}, 1, 2)
        .putLongs(new long[] {9}, 0, 1).putFloats(new float[] {0.25f}, 0, 1).putString("héllo").putString(null)
        .toBytes();
    StateReader r = new StateReader(b, 3, "x");
    assertEquals(-7, r.getInt());
    assertEquals(1L << 40, r.getLong());
    assertEquals(1.5f, r.getFloat());
    assertEquals(List.of(2, 3), Arrays.stream(r.getInts()).boxed().toList());
    assertEquals(9, r.getLongs()[0]);
    assertEquals(0.25f, r.getFloats()[0]);
    assertEquals("héllo", r.getString());
    assertNull(r.getString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new StateReader(b, 4, "block b row 7"));
    assertEquals("block b row 7: unknown state format version 3 (this build reads version 4); reset the "
        + "application's state", e.getMessage());
  }
}
