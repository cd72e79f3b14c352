package io.jrlstream.core.param;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** A decoded row replaces the row whole: values and optimiser state alike. */
class RowCodecTest {
  @Test
  void shouldReplaceTheStateWithWhatTheBytesHoldNoneIncluded() {
    Param source = new Param(new Table("t", 3, Table.Init.ZERO, 0f, 1));
    source.value().ensure(1);
    source.value().set(0, new float[] {1, 2, 3});
    byte[] stateless = RowCodec.encode(source, 0);
    source.state1(0)[0] = 7f;
    source.state2(0)[2] = 9f;
    byte[] withState = RowCodec.encode(source, 0);

    Param target = new Param(new Table("t", 3, Table.Init.ZERO, 0f, 1));
    RowCodec.decode(target, 0, withState);
    assertArrayEquals(new float[] {7, 0, 0}, target.state1OrNull(0));
    assertArrayEquals(new float[] {0, 0, 9}, target.state2OrNull(0));
    RowCodec.decode(target, 0, stateless); // a newer version of the row, written after its state was reset
    assertArrayEquals(new float[] {1, 2, 3}, target.value().row(0));
    assertArrayEquals(new float[3], target.state1OrNull(0), "stale first moment kept");
    assertArrayEquals(new float[3], target.state2OrNull(0), "stale second moment kept");
  }
}
