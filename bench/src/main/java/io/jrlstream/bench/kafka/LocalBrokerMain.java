package io.jrlstream.bench.kafka;

import io.jrlstream.ops.kafka.LocalBroker;
import java.nio.file.Path;

/**
 * Runs a {@link LocalBroker} as a process of its own (for benchmarks that must not share a JVM with the
 * broker, and for users who want the embedded broker apart from the trainer). Argument: the working
 * directory. Prints {@link #READY_MARKER} followed by the bootstrap servers once clients can connect, then
 * runs until the process is stopped (a shutdown hook closes the broker).
 */
public final class LocalBrokerMain {
  /** Printed on standard output, followed by a space and the bootstrap servers, once the broker is up. */
  public static final String READY_MARKER = "JRL-BROKER-READY";

  private LocalBrokerMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 1) {
      System.err.println("usage: LocalBrokerMain WORK_DIR");
      System.exit(2);
    }
    LocalBroker broker = LocalBroker.start(Path.of(args[0]));
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "jrl-broker-shutdown"));
    System.out.println(READY_MARKER + " " + broker.bootstrapServers());
    System.out.flush();
    Thread.currentThread().join();
  }
}
