package io.jrlstream.bench.jmh;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link VectorsBench} with the scalar kernels: {@code -Djrl.scalar=true} in the forked JVM makes
 * {@link io.jrlstream.core.math.Vectors} choose its scalar loops (as a JVM without the incubator module would).
 */
@Fork(value = 1, jvmArgsAppend = "-Djrl.scalar=true")
public class ScalarVectorsBench extends VectorsBench {
  @Override
  protected boolean simd() {
    return false;
  }
}
