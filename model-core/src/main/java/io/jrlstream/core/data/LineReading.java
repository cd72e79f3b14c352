package io.jrlstream.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The line loop both file formats share: 1-based line numbers, a leading UTF-8 byte order mark dropped,
 * blank lines skipped (counted as lines, they hold no record), a cap on lines read, every malformed line
 * reported, I/O errors rethrown naming the source and the last line read. Stateless.
 */
final class LineReading {
  /** Parses one non-blank line. */
  interface LineParser {
    /**
     * Gives the record on {@code line} to {@code out}, or returns why the line is malformed (and gives
     * nothing).
     */
    String parse(String line, Consumer<SourceRecord> out);
  }

  private LineReading() {}

  static Dataset read(Path path, long maxLines, LineParser parser) {
    try (BufferedReader in = DataFiles.openText(path)) {
      return read(in, DataFiles.name(path), maxLines, parser);
    } catch (IOException e) {
      throw new UncheckedIOException("closing " + path + ": " + e.getMessage(), e);
    }
  }

  static Dataset read(Reader reader, String source, long maxLines, LineParser parser) {
    if (maxLines < 1) {
      throw new IllegalArgumentException("maxLines must be at least 1, got " + maxLines);
    }
    BufferedReader in = reader instanceof BufferedReader br ? br : new BufferedReader(reader, 1 << 16);
    Dataset.Builder out = new Dataset.Builder(source);
    ReportBuilder report = new ReportBuilder(source);
    Consumer<SourceRecord> add = r -> out.add(r.user(), r.item(), r.stars(), r.text(), r.time());
    String line;
    try {
      while (report.lines() < maxLines && (line = in.readLine()) != null) {
        report.line();
        if (report.lines() == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        String problem = parser.parse(line, add);
        if (problem == null) {
          report.record();
        } else {
          report.malformed(report.lines(), problem);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(source + ": read error after line " + report.lines() + ": "
          + e.getMessage(), e);
    }
    return out.report(report.build()).build();
  }
}
