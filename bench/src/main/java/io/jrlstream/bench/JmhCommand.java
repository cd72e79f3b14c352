package io.jrlstream.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.Main;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code jrl bench jmh [JMH options]}: the kernel micro-benchmarks of {@link io.jrlstream.bench.jmh} through JMH's
 * own command line ({@link Main}), so every JMH option works as documented by JMH ({@code -h}). JMH runs each
 * benchmark in a forked JVM with this JVM's options (the launcher's {@code --add-modules jdk.incubator.vector}
 * among them) and class path.
 *
 * <p>Lifecycle: one run per call; JMH prints to standard output and exits the JVM with status 1 on bad options
 * or a failed benchmark.
 */
@Command(name = "jmh", customSynopsis = "jrl bench jmh [--help] [JMH_OPTION...]",
    description = {"Kernel micro-benchmarks with JMH: Vectors.dot and Vectors.axpy at 64 and 300 floats with the "
          + "SIMD and the scalar kernels, and one mini-batch of 64 through StreamingTrainer for the collaborative "
          + "view at K=64 and the rating view at K=300.",
        "Every argument goes to JMH: -l lists the benchmarks, a regular expression selects some, "
            + "-f 1 -wi 3 -w 1s -i 5 -r 1s is a short run, -rf json -rff FILE writes the results, -h shows JMH's "
            + "options."})
final class JmhCommand implements Callable<Integer> {
  @Option(names = "--help", usageHelp = true, description = "Show this help message and exit (JMH's own: -h).")
  boolean help;

  @Unmatched
  List<String> jmhArguments = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Main.main(jmhArguments.toArray(new String[0]));
    return 0;
  }
}
