package io.jrlstream.core.data;

import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Reads user-item pairs, one {@code reviewerID<TAB>asin} per line (plain or gzip), into a
 * {@link Dataset}: the format of the JRL paper's Beauty 5-core pairs (paper §5.1, Table 2). Pairs carry
 * no stars ({@link Float#NaN}), no text and no time (0); input order is kept, so a file that lists
 * each user's items in time order keeps that order in {@link Dataset#interactions()}.
 *
 * <p>A line is malformed, reported in the dataset's {@link ReadReport} with its number and reason and
 * otherwise skipped, when it does not have exactly two tab-separated columns or when either id is empty
 * (ids are stripped of surrounding white space). All other lines are kept; blank lines hold no record
 * and are skipped.
 *
 * <p>Stateless and thread-safe; each call builds its own dataset.
 */
public final class PairsTsvReader {
  private PairsTsvReader() {}

  /** Reads every line of {@code path}. See {@link #read(Path, long)}. */
  public static Dataset read(Path path) {
    return read(path, Long.MAX_VALUE);
  }

  /**
   * Reads at most {@code maxLines} lines of {@code path} (plain or gzip, told apart by content).
   *
   * @throws IllegalArgumentException naming the file when it is missing or unreadable, or when maxLines
   *     is below 1
   * @throws UncheckedIOException naming the file on an I/O error (e.g. a truncated gzip stream)
   */
  public static Dataset read(Path path, long maxLines) {
    return LineReading.read(path, maxLines, PairsTsvReader::parse);
  }

  /**
   * Reads at most {@code maxLines} lines of already decompressed text; {@code source} names it in the
   * report. The reader is not closed.
   */
  public static Dataset read(Reader in, String source, long maxLines) {
    return LineReading.read(in, source, maxLines, PairsTsvReader::parse);
  }

  static String parse(String line, Consumer<SourceRecord> out) {
    int tab = line.indexOf('\t');
    if (tab < 0) {
      return "expected 2 tab-separated columns, found 1";
    }
    int second = line.indexOf('\t', tab + 1);
    if (second >= 0) {
      int columns = 2;
      for (int i = second; i >= 0; i = line.indexOf('\t', i + 1)) {
        columns++;
      }
      return "expected 2 tab-separated columns, found " + columns;
    }
    String user = line.substring(0, tab).strip();
    String item = line.substring(tab + 1).strip();
    if (user.isEmpty()) {
      return "empty reviewerID";
    }
    if (item.isEmpty()) {
      return "empty asin";
    }
    out.accept(SourceRecord.interaction(user, item, Float.NaN, null, null, 0L));
    return null;
  }
}
