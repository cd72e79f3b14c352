package io.jrlstream.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.math.Vectors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The micro-benchmarks' set-up and operations, run once as plain code (no timing: the figures come from
 * {@code jrl bench jmh}); and the benchmark list JMH's annotation processor generated, which {@code jrl bench jmh}
 * runs from.
 */
class KernelBenchmarksTest {
  @Test
  void shouldListEveryKernelBenchmarkForJmh() throws IOException {
    String list;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
      assertTrue(in != null, "META-INF/BenchmarkList is missing: JMH's annotation processor did not run");
      list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String b : new String[] {"SimdVectorsBench_dot", "SimdVectorsBench_axpy", "ScalarVectorsBench_dot",
        "ScalarVectorsBench_axpy", "TrainingStepBench_miniBatch"}) {
      assertTrue(list.contains("io.jrlstream.bench.jmh.jmh_generated." + b + "_jmhTest"), b + " not in\n" + list);
    }
  }

  @Test
  void shouldComputeDotAndAxpyOnTheSeededRowsAndRefuseTheWrongKernels() {
    // The tests run with --add-modules jdk.incubator.vector, as the launcher does: SIMD kernels.
    assertTrue(Vectors.implementation().startsWith("simd"), Vectors.implementation());
    SimdVectorsBench b = new SimdVectorsBench();
    b.n = 300;
    b.setUp();
    double expected = 0;
    for (int i = 0; i < 300; i++) {
      expected += (double) b.x()[i] * b.y()[i];
    }
    assertEquals(expected, b.dot(), 1e-4);
    float[] y0 = b.y().clone();
    b.axpy();
    float[] want = new float[300];
    for (int i = 0; i < 300; i++) {
      want[i] = y0[i] + 1e-6f * b.x()[i];
    }
    assertArrayEquals(want, b.y());

    ScalarVectorsBench scalar = new ScalarVectorsBench();
    scalar.n = 64;
    IllegalStateException e = assertThrows(IllegalStateException.class, scalar::setUp);
    assertTrue(e.getMessage().contains("ScalarVectorsBench times the scalar kernels, but this JVM runs 'simd"),
        e.getMessage());
  }

  @Test
  void shouldTrainExactlyOneMiniBatchPerCall() {
    for (String step : new String[] {"collaborative-K64", "rating-K300"}) {
      TrainingStepBench b = new TrainingStepBench();
      b.step = step;
      b.spec = new SyntheticSpec(200, 120, 8, 5, 0, 0); // 1,000 events: 15 whole batches
      b.setUp();
      assertEquals(15, b.trainer().batches(), step);
      assertEquals(16, b.miniBatch(), step);
      assertEquals(17, b.miniBatch(), step);
      assertEquals(0, b.trainer().pending().size(), step);
      assertEquals(step.startsWith("rating") ? 300 : 64, b.trainer().view().config().dim(), step);
    }
    TrainingStepBench bad = new TrainingStepBench();
    bad.step = "rating300";
    assertThrows(IllegalArgumentException.class, bad::setUp);
  }
}
