package io.jrlstream.ops;

import io.jrlstream.ops.export.EmbeddingExport;
import io.jrlstream.streams.config.StreamsSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jrl export --view NAME --out DIR}: a view's embeddings as NumPy files ({@link EmbeddingExport}). */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Export a view's latest embeddings from its compacted topic into DIR: users.npy and items.npy "
          + "(float32, C order), users.ids.txt and items.ids.txt (ids in row order) and manifest.json.",
        "Python: numpy.load('DIR/items.npy'); open('DIR/items.ids.txt').read().split('\\n')."})
final class ExportCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--view", required = true, description = "View name (its topic is jrl.topic.embeddings.prefix + "
      + "NAME).")
  String view;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output folder (created when absent).")
  Path out;

  @Mixin
  ConfigOptions configOptions;

  @Override
  public Integer call() {
    PrintWriter o = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    EmbeddingExport.Result r = EmbeddingExport.run(StreamsSettings.from(configOptions.read()), view, out);
    o.printf("exported view %s to %s: %d users x %d, %d items x %d (%d records read, end offsets %s) in %.1f s%n",
        view, out, r.users(), r.userDim(), r.items(), r.itemDim(), r.records(), r.endOffsets(),
        (System.nanoTime() - t0) / 1e9);
    o.flush();
    return 0;
  }
}
