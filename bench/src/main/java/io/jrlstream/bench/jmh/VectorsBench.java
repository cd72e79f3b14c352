package io.jrlstream.bench.jmh;

import io.jrlstream.core.math.Rng;
import io.jrlstream.core.math.Vectors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link Vectors#dot} and {@link Vectors#axpy} on rows of {@code n} floats at offset 0, one call per operation, at
 * the dimensions the views use (64: the collaborative view; 300: the content views, DESIGN.md §1). The subclasses
 * fix which kernels their forked JVM runs, {@link SimdVectorsBench} the SIMD ones and {@link ScalarVectorsBench}
 * the scalar ones, because {@link Vectors} chooses once per JVM. {@code axpy} has a single implementation (a plain
 * loop that C2 may vectorise on its own), so its two rows time the same code and their gap is the noise.
 *
 * <p>Lifecycle: JMH creates one instance per fork and thread; {@link #setUp} fills the rows from a seeded
 * generator and refuses to run when the JVM's kernels are not the ones the class names. Not thread-safe (one
 * instance per benchmark thread, {@link Scope#Thread}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public abstract class VectorsBench {
  /** axpy's scale: small, so that y stays far from overflow over billions of calls. */
  private static final float A = 1e-6f;

  /** Floats per row. */
  @Param({"64", "300"})
  public int n;

  private float[] x;
  private float[] y;

  /** @return whether this benchmark's JVM must run the SIMD kernels (else the scalar ones) */
  protected abstract boolean simd();

  /**
   * Fills x and y with seeded values in [-1, 1).
   *
   * @throws IllegalStateException when {@link Vectors#implementation()} is not the kind {@link #simd()} names (a
   *     fork without the flags the class sets, or {@code -f 0}, which runs every benchmark in one JVM)
   */
  @Setup(Level.Trial)
  public void setUp() {
    String kernels = Vectors.implementation();
    if (kernels.startsWith("simd") != simd()) {
      throw new IllegalStateException(getClass().getSimpleName() + " times the " + (simd() ? "SIMD" : "scalar")
          + " kernels, but this JVM runs '" + kernels + "': run it forked (-f 1 or more), without -jvmArgs that drop "
          + "--add-modules jdk.incubator.vector or the class's -Djrl.scalar");
    }
    Rng rng = new Rng(n);
    x = new float[n];
    y = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = rng.nextFloat() * 2 - 1;
      y[i] = rng.nextFloat() * 2 - 1;
    }
  }

  /** @return x · y */
  @Benchmark
  public float dot() {
    return Vectors.dot(x, 0, y, 0, n);
  }

  /** y += A · x (y is state, so the work is not dead code). */
  @Benchmark
  public void axpy() {
    Vectors.axpy(A, x, 0, y, 0, n);
  }

  /** @return the row axpy writes, for tests */
  float[] y() {
    return y;
  }

  /** @return the row axpy reads, for tests */
  float[] x() {
    return x;
  }
}
