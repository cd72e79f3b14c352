package io.jrlstream.ops.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NpyTest {
  @Test
  void shouldWriteAVersion1HeaderPaddedTo64BytesThatParsesBack() {
    for (long rows : new long[] {0, 3, 123_456_789_012L}) {
      byte[] h = Npy.header(rows, 300);
      assertEquals(0, h.length % 64, "data must start 64-aligned");
      assertEquals('\n', h[h.length - 1]);
      assertEquals(h.length - 10, (h[8] & 0xff) | (h[9] & 0xff) << 8, "header length field, little-endian");
      String dict = new String(h, 10, h.length - 10, StandardCharsets.US_ASCII);
      assertTrue(dict.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", 300), }"), dict);
      assertArrayEquals(new long[] {rows, 300}, Npy.shape(h));
    }
  }

  @Test
  void shouldRejectWhatIsNotAFloat32COrderHeader() {
    byte[] h = Npy.header(2, 2);
    h[6] = 2; // version 2.0
    assertThrows(IllegalArgumentException.class, () -> Npy.shape(h));
    byte[] f8 = new String(Npy.header(2, 2), StandardCharsets.ISO_8859_1).replace("<f4", "<f8")
        .getBytes(StandardCharsets.ISO_8859_1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.shape(f8));
    assertTrue(e.getMessage().contains("<f8"), e.getMessage());
  }
}
