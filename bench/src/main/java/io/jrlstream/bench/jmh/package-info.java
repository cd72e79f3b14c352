/**
 * Kernel micro-benchmarks with JMH, run by {@code jrl bench jmh} (CONVENTIONS.md: benchmarks in JMH, apart from
 * tests): {@link io.jrlstream.core.math.Vectors}' dot product and axpy with each kernel implementation
 * ({@link io.jrlstream.bench.jmh.SimdVectorsBench}, {@link io.jrlstream.bench.jmh.ScalarVectorsBench}), and one
 * mini-batch of a view through the streaming trainer ({@link io.jrlstream.bench.jmh.TrainingStepBench}). JMH's
 * annotation processor generates the harness classes (subpackages {@code jmh_generated}) and
 * {@code META-INF/BenchmarkList} at compile time.
 */
package io.jrlstream.bench.jmh;
