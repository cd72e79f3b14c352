package io.jrlstream.streams.image;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * A read-only {@code List<Float>} over one image's feature array: what {@link ImageFeatureProcessor} puts in the
 * {@code ImageFeatureEvent}s it forwards, so that the record holds no boxes and {@link ImageFeatureSerializer}
 * writes the array itself. The array is the list's own (the processor allocates one per event).
 */
final class FeatureList extends AbstractList<Float> implements RandomAccess {
  private final float[] values;

  /** @param values the features; owned by the list from now on */
  FeatureList(float[] values) {
    this.values = values;
  }

  @Override
  public Float get(int index) {
    return values[index];
  }

  @Override
  public int size() {
    return values.length;
  }

  /** @return the features themselves, not a copy: for the serializer only, which does not modify them */
  float[] array() {
    return values;
  }
}
