package io.jrlstream.bench.kafka;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.jrlstream.ops.kafka.ChildJvm;
import io.jrlstream.ops.kafka.LocalBroker;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded broker of a benchmark, in the benchmark's JVM or in a child JVM ({@link LocalBrokerMain}). In a
 * child JVM the broker's CPU (its request handling, and the JIT compiling it) is not part of the benchmark
 * process's CPU and is reported apart by {@link #cpuNanos()}, as beside a real cluster; the broker still shares
 * the machine's cores.
 *
 * <p>Lifecycle: {@link #start} returns once clients can connect; {@link #close} stops the broker (a child JVM
 * is killed; its working directory is left to the caller). Thread-safe.
 */
public final class BenchBroker implements AutoCloseable {
  /** Where the broker runs; the names are the benchmarks' {@code --broker} values. */
  public enum Placement { child, in_process }

  private final Placement placement;
  private final String bootstrapServers;
  private final LocalBroker local;
  private final ChildJvm child;

  private BenchBroker(Placement placement, String bootstrapServers, LocalBroker local, ChildJvm child) {
    this.placement = placement;
    this.bootstrapServers = bootstrapServers;
    this.local = local;
    this.child = child;
  }

  /**
   * Starts a broker working in {@code work/broker} (a child's logs go to {@code work/logs}).
   *
   * @param placement in this JVM or a child one (1 GB heap; transparent huge pages when this JVM has them, as the
   *     in-process broker of {@code jrl local} has them where {@code ops/bin/jrl} turns them on)
   * @param work      the benchmark's working directory
   * @return the running broker; close it
   * @throws InterruptedException when interrupted while waiting for a child broker
   * @throws IllegalStateException when a child broker does not come up within 2 minutes
   */
  public static BenchBroker start(Placement placement, Path work) throws InterruptedException {
    if (placement == Placement.in_process) {
      LocalBroker local = LocalBroker.start(work.resolve("broker"));
      return new BenchBroker(placement, local.bootstrapServers(), local, null);
    }
    List<String> options = new ArrayList<>(List.of("-Xmx1g"));
    if (transparentHugePages()) {
      options.add("-XX:+UseTransparentHugePages");
    }
    ChildJvm child = ChildJvm.start(LocalBrokerMain.class, work.resolve("logs"), options,
        List.of(work.resolve("broker").toString()));
    try {
      String line = child.awaitOutput(LocalBrokerMain.READY_MARKER, Duration.ofMinutes(2));
      String marker = LocalBrokerMain.READY_MARKER;
      return new BenchBroker(placement, line.substring(line.indexOf(marker) + marker.length()).strip(), null, child);
    } catch (InterruptedException | RuntimeException e) {
      child.close();
      throw e;
    }
  }

  /**
   * Whether this JVM runs with transparent huge pages ({@code ops/bin/jrl} turns them on where the kernel gives them on
   * request, and {@code JRL_JAVA_OPTS} can turn them off): a child broker makes the same choice.
   */
  static boolean transparentHugePages() {
    HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    return hotSpot != null && Boolean.parseBoolean(hotSpot.getVMOption("UseTransparentHugePages").getValue());
  }

  /** @return where the broker runs */
  public Placement placement() {
    return placement;
  }

  /** @return the bootstrap servers clients connect to */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** @return the process id of a child broker, or this process's in process */
  public long pid() {
    return child == null ? ProcessHandle.current().pid() : child.pid();
  }

  /** @return CPU the broker used so far when it runs in a child JVM; 0 in process (it is the caller's CPU) */
  public long cpuNanos() {
    return child == null ? 0 : child.cpuTime().map(Duration::toNanos).orElse(0L);
  }

  @Override
  public void close() {
    if (local != null) {
      local.close();
    } else {
      child.close();
    }
  }
}
