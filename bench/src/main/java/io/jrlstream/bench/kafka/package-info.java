/**
 * The benchmarks' embedded broker: {@link io.jrlstream.bench.kafka.BenchBroker} runs {@code ops}' {@code LocalBroker}
 * in the benchmark's JVM or in a child JVM ({@link io.jrlstream.bench.kafka.LocalBrokerMain}, started through the
 * {@code ops} test harness {@code ChildJvm}), whose CPU is then reported apart, as beside a real cluster.
 */
package io.jrlstream.bench.kafka;
