package io.jrlstream.ops;

import io.jrlstream.core.data.DataFiles;
import io.jrlstream.core.data.DatasetReader;
import io.jrlstream.core.data.RecordReader;
import io.jrlstream.core.data.SourceRecord;
import io.jrlstream.ops.importer.ImportKeys;
import io.jrlstream.ops.importer.ImportProgress;
import io.jrlstream.ops.importer.Importer;
import io.jrlstream.ops.importer.ProgressMeter;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.Origin;
import io.jrlstream.streams.config.StreamsSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl import --data FILE}: loads a data file into the input topics with its original event times, exactly
 * once per line across re-runs and interruptions ({@link Importer}), showing progress on standard error.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Import history into the input topics: Amazon review JSON lines, reviewerID<TAB>asin pairs, or "
          + "McAuley image feature files (.b), plain or gzip, detected by content.",
        "Events keep their original event times and get ids from the file's fingerprint and line number. Each chunk "
            + "of events commits in one transaction with a progress marker, so a re-run imports nothing twice and an "
            + "interrupted run resumes where it stopped. Malformed lines are reported (number and reason) and "
            + "skipped."})
final class ImportCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--data", paramLabel = "FILE", required = true, description = "The file to import.")
  Path file;

  @Mixin
  ConfigOptions configOptions;

  @Option(names = "--format", paramLabel = "FORMAT",
      description = "AMAZON_JSON, PAIRS_TSV or IMAGE_FEATURES (default: detected from the content).")
  DatasetReader.Format format;

  @Option(names = "--feature-dim", paramLabel = "F",
      description = "Floats per record of an image feature file (default: jrl.feature.dim, 4096).")
  Integer featureDim;

  @Option(names = "--byte-order", paramLabel = "little|big", defaultValue = "little",
      description = "Byte order of an image feature file's floats (default ${DEFAULT-VALUE}: McAuley's files).")
  String byteOrder;

  @Option(names = "--model-id", defaultValue = "caffe-reference-fc7",
      description = "Model id written into image feature events (default ${DEFAULT-VALUE}).")
  String modelId;

  @Option(names = "--model-version", defaultValue = "mcauley-2016",
      description = "Model version written into image feature events (default ${DEFAULT-VALUE}).")
  String modelVersion;

  @Option(names = "--chunk-lines", paramLabel = "N",
      description = "Lines committed per transaction (overrides jrl.import.chunk.lines, default 5000).")
  Integer chunkLines;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Configuration c = configOptions.read(b -> {
      if (chunkLines != null) {
        b.set(ImportKeys.CHUNK_LINES.key(), Integer.toString(chunkLines), Origin.commandLine("--chunk-lines"));
      }
    });
    StreamsSettings s = StreamsSettings.from(c);
    ByteOrder order = switch (byteOrder.toLowerCase(Locale.ROOT)) {
      case "little" -> ByteOrder.LITTLE_ENDIAN;
      case "big" -> ByteOrder.BIG_ENDIAN;
      default -> throw new IllegalArgumentException("--byte-order must be little or big, got " + byteOrder);
    };
    Importer.Options o = new Importer.Options(c.get(ImportKeys.CHUNK_LINES), format,
        new RecordReader.Options(featureDim != null ? featureDim : s.featureDim(), order), modelId, modelVersion);
    String topic = c.get(ImportKeys.IMPORTS_TOPIC);
    ProgressMeter meter = new ProgressMeter(err, ProgressMeter.stderrIsTerminal(), "lines");
    DataFiles.open(file).close(); // a missing or unreadable file fails before any connection
    long t0 = System.nanoTime();
    err.printf("importing %s into %s%n", file, s.bootstrapServers());
    err.flush();
    Importer.Result r = Importer.run(file, s, topic, o, new Importer.Listener() {
      @Override
      public void started(String fingerprint, ImportProgress before) {
        if (before.complete()) {
          meter.message("already imported completely (fingerprint " + fingerprint + ", " + before.events()
              + " events): nothing new to import");
        } else if (before.position() > 0) {
          meter.message("resuming after line " + before.position() + " (fingerprint " + fingerprint + ", "
              + before.events() + " events committed by an earlier run)");
        } else {
          meter.message("fingerprint " + fingerprint + ", "
              + before.format().toLowerCase(Locale.ROOT).replace('_', ' '));
        }
      }

      @Override
      public void malformed(long position, String reason) {
        meter.message("  line " + position + ": " + reason);
      }

      @Override
      public void progress(double fraction, long positions) {
        meter.update(fraction, positions);
      }
    });
    long lines = r.after().position() - r.before().position();
    if (!r.before().complete()) {
      meter.finish(1, lines);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    List<String> kinds = new ArrayList<>();
    for (SourceRecord.Kind k : SourceRecord.Kind.values()) {
      long n = r.byKind().getOrDefault(k, 0L);
      if (n > 0) {
        kinds.add(n + " " + k.name().toLowerCase(Locale.ROOT) + (n == 1 ? "" : "s"));
      }
    }
    out.printf("imported %s: %d new events%s from %d lines in %.1f s (%.0f lines/s); %d malformed lines%s%n",
        file.getFileName(), r.events(), kinds.isEmpty() ? "" : " (" + String.join(", ", kinds) + ")", lines, secs,
        lines / Math.max(secs, 1e-9), r.malformed(), r.before().position() > 0
            ? "; totals over all runs: " + r.after().events() + " events, " + r.after().malformed() + " malformed"
            : "");
    out.flush();
    return 0;
  }
}
