package io.jrlstream.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link VectorsBench} with the SIMD kernels: the forked JVM inherits the launcher's {@code --add-modules
 * jdk.incubator.vector}, so {@link io.jrlstream.core.math.Vectors} picks the Vector API kernels, as in the product.
 */
@Fork(1)
public class SimdVectorsBench extends VectorsBench {
  @Override
  protected boolean simd() {
    return true;
  }
}
