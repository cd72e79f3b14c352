package io.jrlstream.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads McAuley's Amazon image feature files ({@code image_features_<Category>.b}, the visual input of the
 * JRL paper's image view, paper §3.3 and §5.1): a sequence of fixed-size records, each a 10-byte ASIN
 * (ASCII) followed by F float32 values, F = 4096 (the fc7 layer of the Caffe reference network), with no
 * header, separator or trailer.
 *
 * <p><b>Byte order.</b> The dataset page describes the layout only as "10 characters (the product ID),
 * followed by 4096 floats", and its reader ({@code readImageFeatures}) loads the floats with Python's
 * {@code array.array('f').fromfile}, which uses the machine's native byte order: the files were written and
 * are read on x86, so they are little-endian. That is the default here; {@link ByteOrder#BIG_ENDIAN} is an
 * option for files written elsewhere. The dimension is configurable for other extractors.
 *
 * <p><b>Bad data is reported, never dropped silently.</b> A record whose id is not 1–10 printable ASCII
 * characters (trailing spaces and NULs are padding) or that holds a NaN or infinite value is malformed: its
 * number and reason go to the {@link #report()}, and reading goes on with the next record (records have a
 * fixed size, so one bad record cannot hide the next). A file that ends in the middle of a record has a
 * truncated trailing record: it is reported as malformed ("truncated: n of m bytes") and is the last one.
 *
 * <p>Lifecycle: open, call {@link #next()} until it returns false, {@link #close()} (try-with-resources).
 * The vector that {@link #features()} returns is reused by the next call to {@link #next()}: copy it to keep
 * it. Reading allocates nothing per record apart from the item id string. Not thread-safe.
 */
public final class ImageFeatureReader implements AutoCloseable {
  /** Bytes of the item id at the start of every record. */
  public static final int ID_BYTES = 10;
  /** Feature dimension of McAuley's files. */
  public static final int DEFAULT_DIM = 4096;

  private final InputStream in;
  private final String source;
  private final int dim;
  private final int recordBytes;
  private final byte[] buffer;
  private final ByteBuffer view;
  private final float[] features;
  private final ReportBuilder report;
  private String item;
  private String problem;
  private boolean ended;

  /**
   * Reads records from {@code in} (not decompressed here; see {@link #open}); {@code source} names it in
   * messages. The stream is closed by {@link #close()}.
   *
   * @throws IllegalArgumentException when dim is below 1 or a record would exceed 2 GiB
   */
  public ImageFeatureReader(InputStream in, String source, int dim, ByteOrder order) {
    if (dim < 1 || dim > (Integer.MAX_VALUE - ID_BYTES) / Float.BYTES) {
      throw new IllegalArgumentException("feature dimension must be between 1 and "
          + (Integer.MAX_VALUE - ID_BYTES) / Float.BYTES + ", got " + dim);
    }
    this.in = in;
    this.source = source;
    this.dim = dim;
    this.recordBytes = ID_BYTES + dim * Float.BYTES;
    this.buffer = new byte[recordBytes];
    this.view = ByteBuffer.wrap(buffer).order(order);
    this.features = new float[dim];
    this.report = new ReportBuilder(source);
  }

  /**
   * Opens {@code path} (plain or gzip, told apart by content).
   *
   * @throws IllegalArgumentException naming the file when it is missing or unreadable, or for a bad dim
   */
  public static ImageFeatureReader open(Path path, int dim, ByteOrder order) {
    return new ImageFeatureReader(DataFiles.open(path), DataFiles.name(path), dim, order);
  }

  /**
   * Reads a whole file into a {@link Dataset} that holds item features and no interactions (what the offline
   * trainer joins with an interaction file). Malformed records are in the dataset's report.
   */
  public static Dataset read(Path path, int dim, ByteOrder order) {
    return read(path, dim, order, Long.MAX_VALUE);
  }

  /** As {@link #read(Path, int, ByteOrder)}, reading at most {@code maxRecords} records. */
  public static Dataset read(Path path, int dim, ByteOrder order, long maxRecords) {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
    }
    Dataset.Builder b = new Dataset.Builder(DataFiles.name(path));
    try (ImageFeatureReader r = open(path, dim, order)) {
      while (r.position() < maxRecords && r.next()) {
        if (r.problem() == null) {
          b.features(r.item(), r.features());
        }
      }
      return b.report(r.report()).build();
    }
  }

  /**
   * Reads the next record.
   *
   * @return false at the end of the file (after a truncated trailing record, which is returned first with
   *     its {@link #problem()})
   * @throws UncheckedIOException naming the source and the record on an I/O error
   */
  public boolean next() {
    if (ended) {
      return false;
    }
    int n;
    try {
      n = in.readNBytes(buffer, 0, recordBytes);
    } catch (IOException e) {
      throw new UncheckedIOException(source + ": read error in record " + (report.lines() + 1) + ": "
          + e.getMessage(), e);
    }
    if (n == 0) {
      ended = true;
      return false;
    }
    report.line();
    item = null;
    if (n < recordBytes) {
      ended = true;
      problem = "truncated: " + n + " of " + recordBytes + " bytes (the file ends inside the record)";
      report.malformed(report.lines(), problem);
      return true;
    }
    problem = parse();
    if (problem == null) {
      report.record();
    } else {
      item = null;
      report.malformed(report.lines(), problem);
    }
    return true;
  }

  private String parse() {
    int end = ID_BYTES;
    while (end > 0 && (buffer[end - 1] == ' ' || buffer[end - 1] == 0)) {
      end--;
    }
    if (end == 0) {
      return "empty item id";
    }
    for (int i = 0; i < end; i++) {
      if (buffer[i] <= ' ' || buffer[i] > '~') {
        return "item id is not printable ASCII (byte " + i + " is 0x" + Integer.toHexString(buffer[i] & 0xff) + ")";
      }
    }
    item = new String(buffer, 0, end, StandardCharsets.US_ASCII);
    for (int i = 0; i < dim; i++) {
      float x = view.getFloat(ID_BYTES + i * Float.BYTES);
      if (!Float.isFinite(x)) {
        return "item " + item + ": feature " + i + " of " + dim + " is " + x;
      }
      features[i] = x;
    }
    return null;
  }

  /**
   * Skips records so that the next {@link #next()} reads record {@code count + 1}; skipped records are counted
   * as read but not checked. For resuming where an earlier reader stopped.
   *
   * @return the records actually skipped (fewer at the end of the file)
   */
  public long skip(long count) {
    long skipped = 0;
    try {
      while (skipped < count && !ended) {
        int n = in.readNBytes(buffer, 0, recordBytes);
        if (n < recordBytes) {
          ended = true; // a truncated tail was reported by the reader that read it first
          if (n > 0) {
            report.line();
            skipped++;
          }
          break;
        }
        report.line();
        report.record();
        skipped++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(source + ": read error while skipping: " + e.getMessage(), e);
    }
    return skipped;
  }

  /** 1-based number of the record {@link #next()} read last. */
  public long position() {
    return report.lines();
  }

  /** The current record's item id, or null when it is malformed. */
  public String item() {
    return item;
  }

  /** The current record's features (reused by the next call of {@link #next()}), valid when {@link #problem()} is null.
   * */
  public float[] features() {
    return features;
  }

  /** Why the current record is malformed, or null. */
  public String problem() {
    return problem;
  }

  public int dim() {
    return dim;
  }

  /** Bytes of one record: {@value #ID_BYTES} + 4·F. */
  public int recordBytes() {
    return recordBytes;
  }

  /** What was read so far: records, good ones, malformed ones with reasons (a truncated tail included). */
  public ReadReport report() {
    return report.build();
  }

  /**
   * Whether {@code path} looks like an image feature file rather than text: its first record's bytes hold a NUL
   * or other control byte that no text line has (fc7 features are mostly exact zeros after the ReLU, and any
   * float's bytes are binary), while its first 10 bytes are an id.
   */
  public static boolean looksBinary(Path path) {
    try (InputStream s = DataFiles.open(path)) {
      byte[] head = s.readNBytes(4096);
      for (byte b : head) {
        if (b == 0 || (b > 0 && b < 32 && b != '\n' && b != '\r' && b != '\t')) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing " + source + ": " + e.getMessage(), e);
    }
  }
}
