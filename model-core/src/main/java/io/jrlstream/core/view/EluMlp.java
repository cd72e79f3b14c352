package io.jrlstream.core.view;

import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.Table;
import java.util.function.Function;

/**
 * A dense multi-layer perceptron with ELU after every layer: x → φ(W_1·x + b_1) → … → φ(W_L·h + b_L).
 * The rating view's predictor (K → H → 1, paper §3.4) and the image view's decoder (K → F, or
 * K → (F+K)/2 → F; paper §3.3) are both this.
 *
 * <p>{@link #forward} keeps the pre-activations of the last call in scratch buffers that
 * {@link #backward} then uses, so a forward/backward pair must not be interleaved with another forward
 * on the same instance. Allocates nothing per call. Not thread-safe.
 */
public final class EluMlp {
  private final int[] sizes;
  private final Param[] weights;
  private final Param[] biases;
  private final float[][] pre;
  private final float[][] act;
  private final float[][] delta;
  private float[] input;

  /**
   * @param name prefix of the parameter tables
   * @param sizes layer widths, input first: {K, H, 1} or {K, F}
   * @param register turns each new table into a registered {@link Param} of the owning view
   */
  public EluMlp(String name, int[] sizes, long seed, Function<Table, Param> register) {
    if (sizes.length < 2) {
      throw new IllegalArgumentException("an MLP needs an input and an output size, got " + sizes.length);
    }
    this.sizes = sizes.clone();
    int layers = sizes.length - 1;
    weights = new Param[layers];
    biases = new Param[layers];
    pre = new float[layers][];
    act = new float[layers][];
    delta = new float[layers + 1][];
    for (int l = 0; l < layers; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      // Glorot-style scale keeps activations in ELU's useful range at the start.
      Table w = new Table(name + ".W" + (l + 1), in, Table.Init.NORMAL, (float) Math.sqrt(2.0 / (in + out)), seed);
      w.ensure(out);
      Table b = new Table(name + ".b" + (l + 1), out, Table.Init.ZERO, 0f, seed);
      b.ensure(1);
      weights[l] = register.apply(w);
      biases[l] = register.apply(b);
      pre[l] = new float[out];
      act[l] = new float[out];
      delta[l + 1] = new float[out];
    }
    delta[0] = new float[sizes[0]];
  }

  public int inputSize() {
    return sizes[0];
  }

  public int outputSize() {
    return sizes[sizes.length - 1];
  }

  /** Computes the output for x; the returned array is a scratch buffer valid until the next forward. */
  public float[] forward(float[] x) {
    input = x;
    float[] in = x;
    for (int l = 0; l < weights.length; l++) {
      Table w = weights[l].value();
      float[] b = biases[l].value().row(0);
      int out = sizes[l + 1];
      int n = sizes[l];
      float[] z = pre[l];
      float[] a = act[l];
      for (int r = 0; r < out; r++) {
        z[r] = Vectors.dot(w.row(r), 0, in, 0, n) + b[r];
        a[r] = Vectors.elu(z[r]);
      }
      in = a;
    }
    return in;
  }

  /**
   * Back-propagates dLoss/dOutput (for the last {@link #forward}) into the weight and bias gradients and
   * returns dLoss/dInput (a scratch buffer valid until the next backward).
   *
   * @param dOut gradient with respect to the output; not modified
   */
  public float[] backward(float[] dOut) {
    int layers = weights.length;
    System.arraycopy(dOut, 0, delta[layers], 0, sizes[layers]);
    for (int l = layers - 1; l >= 0; l--) {
      int out = sizes[l + 1];
      int n = sizes[l];
      float[] d = delta[l + 1];
      float[] z = pre[l];
      for (int r = 0; r < out; r++) {
        d[r] *= Vectors.eluGrad(z[r]);
      }
      float[] in = l == 0 ? input : act[l - 1];
      float[] gb = biases[l].gradRow(0);
      Vectors.axpy(1f, d, 0, gb, 0, out);
      float[] dIn = delta[l];
      Vectors.zero(dIn, 0, n);
      Table w = weights[l].value();
      for (int r = 0; r < out; r++) {
        float dr = d[r];
        if (dr == 0f) {
          continue;
        }
        Vectors.axpy(dr, in, 0, weights[l].gradRow(r), 0, n);
        Vectors.axpy(dr, w.row(r), 0, dIn, 0, n);
      }
    }
    return delta[0];
  }
}
