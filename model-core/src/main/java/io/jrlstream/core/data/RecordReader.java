package io.jrlstream.core.data;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Streams the records of a data file in any supported format (Amazon review JSON lines, the pairs TSV,
 * McAuley image feature files; plain or gzip) one at a time, as written ({@link SourceRecord}), with their
 * position: the 1-based line number of a text file, the record number of a feature file. For consumers that
 * must not hold a whole file in memory or need each record's position, such as {@code jrl import}; the
 * offline readers ({@link DatasetReader}) build a {@link Dataset} instead. Parsing and the rules for malformed
 * records are those of {@link AmazonReviewReader}, {@link PairsTsvReader} and {@link ImageFeatureReader}.
 *
 * <p>Lifecycle: {@link #open}, then {@link #next()} until it returns false (optionally {@link #skipTo} first,
 * to resume), then {@link #close()}. Blank lines are counted as lines but never returned. {@link #bytesRead()}
 * against {@link #size()} tells how far through the file (as stored, so compressed bytes for gzip) reading is,
 * for progress displays. Not thread-safe.
 */
public final class RecordReader implements AutoCloseable {
  /**
   * How feature files are read.
   *
   * @param featureDim floats per record of an image feature file (McAuley's: 4096)
   * @param byteOrder byte order of those floats (McAuley's: little-endian, see {@link ImageFeatureReader})
   */
  public record Options(int featureDim, ByteOrder byteOrder) {
    public Options {
      if (featureDim < 1) {
        throw new IllegalArgumentException("feature dimension must be at least 1, got " + featureDim);
      }
      Objects.requireNonNull(byteOrder, "byteOrder");
    }

    /** 4096 little-endian floats, as in McAuley's files. */
    public static Options defaults() {
      return new Options(ImageFeatureReader.DEFAULT_DIM, ByteOrder.LITTLE_ENDIAN);
    }
  }

  private final DatasetReader.Format format;
  private final long size;
  private final CountingStream counted;
  private final BufferedReader lines;
  private final LineReading.LineParser parser;
  private final ImageFeatureReader features;
  private final ReportBuilder report;
  private final Consumer<SourceRecord> take = r -> this.record = r;
  private SourceRecord record;
  private String problem;

  private RecordReader(Path path, DatasetReader.Format format, Options options) throws IOException {
    this.format = format;
    this.size = Files.size(path);
    this.counted = new CountingStream(Files.newInputStream(path));
    InputStream in = DataFiles.decompressIfGzip(counted);
    String name = DataFiles.name(path);
    if (format == DatasetReader.Format.IMAGE_FEATURES) {
      this.features = new ImageFeatureReader(in, name, options.featureDim(), options.byteOrder());
      this.lines = null;
      this.parser = null;
      this.report = null;
    } else {
      this.features = null;
      this.lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
      this.parser = format == DatasetReader.Format.AMAZON_JSON ? AmazonReviewReader.parser() : PairsTsvReader::parse;
      this.report = new ReportBuilder(name);
    }
  }

  /**
   * Opens {@code path}, detecting its format ({@link DatasetReader#detect}).
   *
   * @throws IllegalArgumentException naming the file when it is missing, unreadable or empty
   */
  public static RecordReader open(Path path, Options options) {
    return open(path, DatasetReader.detect(path), options);
  }

  /**
   * Opens {@code path} as {@code format}.
   *
   * @throws IllegalArgumentException naming the file when it is missing or unreadable
   */
  public static RecordReader open(Path path, DatasetReader.Format format, Options options) {
    DataFiles.open(path); // checks existence and readability with the readers' messages
    try {
      return new RecordReader(path, format, options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open data file " + path + ": " + e.getMessage(), e);
    }
  }

  public DatasetReader.Format format() {
    return format;
  }

  /**
   * Advances to the next record (a text file's next non-blank line).
   *
   * @return false at the end of the file
   * @throws UncheckedIOException naming the file and position on an I/O error
   */
  public boolean next() {
    record = null;
    problem = null;
    if (features != null) {
      if (!features.next()) {
        return false;
      }
      problem = features.problem();
      if (problem == null) {
        record = SourceRecord.features(features.item(), features.features().clone());
      }
      return true;
    }
    try {
      String line;
      while ((line = lines.readLine()) != null) {
        report.line();
        if (report.lines() == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        problem = parser.parse(line, take);
        if (problem == null) {
          report.record();
        } else {
          report.malformed(report.lines(), problem);
        }
        return true;
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException(report.build().source() + ": read error after line " + report.lines() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Skips forward so that {@link #position()} is {@code position} (or the file's end, if sooner): the next
   * {@link #next()} reads what follows. Skipped lines or records are not parsed.
   *
   * @return the position reached
   */
  public long skipTo(long position) {
    if (features != null) {
      features.skip(position - features.position());
      return features.position();
    }
    try {
      while (report.lines() < position && lines.readLine() != null) {
        report.line();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(report.build().source() + ": read error after line " + report.lines() + ": "
          + e.getMessage(), e);
    }
    return report.lines();
  }

  /** 1-based line number (text) or record number (image features) of the current record. */
  public long position() {
    return features != null ? features.position() : report.lines();
  }

  /** The current record, or null when it is malformed. */
  public SourceRecord record() {
    return record;
  }

  /** Why the current record is malformed, or null. */
  public String problem() {
    return problem;
  }

  /** Bytes of the file as stored read so far (read-ahead included: exact at the end, close before). */
  public long bytesRead() {
    return counted.count;
  }

  /** Bytes of the file as stored. */
  public long size() {
    return size;
  }

  /** What this reader saw: positions passed (skipped ones included), records, malformed ones with reasons. */
  public ReadReport report() {
    return features != null ? features.report() : report.build();
  }

  @Override
  public void close() {
    try {
      if (features != null) {
        features.close();
      } else {
        lines.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("closing " + report().source() + ": " + e.getMessage(), e);
    }
  }

  /** Counts the bytes read from the file. */
  private static final class CountingStream extends FilterInputStream {
    private long count;

    CountingStream(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = in.skip(n);
      count += Math.max(0, s);
      return s;
    }
  }
}
