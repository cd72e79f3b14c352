package io.jrlstream.ops;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.DatasetReader;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --data FILE}: an Amazon 2014 JSON-lines review file or a user-item pairs TSV (plain or gzip). A picocli
 * mixin, public for the commands of modules that add to the command line (the benchmarks).
 */
public final class DataOption {
  @Option(names = "--data", paramLabel = "FILE",
      description = "Amazon 2014 review JSON lines or reviewerID<TAB>asin pairs, plain or gzip. "
          + "Without it: a built-in synthetic data set with planted structure.")
  Path file;

  /** Reads the file (or generates the synthetic set), reporting what was read and every malformed line on err. */
  public Dataset load(PrintWriter err) {
    if (file == null) {
      Dataset d = SyntheticData.generate(SyntheticSpec.defaults(), 1L);
      err.println("no --data: using the built-in synthetic data set (" + d.interactions().size() + " interactions)");
      return d;
    }
    long t0 = System.nanoTime();
    Dataset d = DatasetReader.read(file);
    err.printf("read %s in %.2f s%n", d.report().summary(), (System.nanoTime() - t0) / 1e9);
    if (d.report().malformed() > 0) {
      for (var p : d.report().problems()) {
        err.printf("  line %d: %s%n", p.line(), p.reason());
      }
    }
    err.flush();
    return d;
  }
}
