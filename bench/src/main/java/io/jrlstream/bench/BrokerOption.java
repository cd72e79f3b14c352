package io.jrlstream.bench;

import io.jrlstream.bench.kafka.BenchBroker;
import picocli.CommandLine.Option;

/** {@code --broker child|in_process}: where a benchmark's embedded broker runs. */
final class BrokerOption {
  @Option(names = "--broker", defaultValue = "child",
      description = "Broker in a child JVM (as beside a real cluster; its CPU is reported apart) or in_process "
          + "(default ${DEFAULT-VALUE}).")
  BenchBroker.Placement placement;

  /** Whether the broker runs in a child JVM (its CPU then counts apart from the benchmark's). */
  boolean child() {
    return placement == BenchBroker.Placement.child;
  }
}
