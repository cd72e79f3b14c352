package io.jrlstream.core.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Reads a data file in whichever supported format it holds, chosen by content, not by name: binary bytes
 * at its start make it an image feature file ({@link ImageFeatureReader}, 4096 little-endian floats per item),
 * else when the first non-blank line starts with '{' it is Amazon review JSON ({@link AmazonReviewReader}),
 * otherwise user-item pairs ({@link PairsTsvReader}). Either may be gzip-compressed ({@link DataFiles}).
 *
 * <p>Stateless and thread-safe.
 */
public final class DatasetReader {
  /** The formats {@link #detect} tells apart. */
  public enum Format {
    /** Amazon 2014 review JSON lines. */
    AMAZON_JSON,
    /** {@code reviewerID<TAB>asin} lines. */
    PAIRS_TSV,
    /** McAuley's binary image feature records ({@link ImageFeatureReader}). */
    IMAGE_FEATURES
  }

  private DatasetReader() {}

  /** Reads all of {@code path}. See {@link #read(Path, long)}. */
  public static Dataset read(Path path) {
    return read(path, Long.MAX_VALUE);
  }

  /**
   * Reads at most {@code maxLines} lines of {@code path} in the format {@link #detect} finds.
   *
   * @throws IllegalArgumentException naming the file when it is missing, unreadable or holds no
   *     non-blank line
   * @throws UncheckedIOException naming the file on an I/O error
   */
  public static Dataset read(Path path, long maxLines) {
    return switch (detect(path)) {
      case AMAZON_JSON -> AmazonReviewReader.read(path, maxLines);
      case PAIRS_TSV -> PairsTsvReader.read(path, maxLines);
      case IMAGE_FEATURES -> ImageFeatureReader.read(path, ImageFeatureReader.DEFAULT_DIM,
          ByteOrder.LITTLE_ENDIAN, maxLines);
    };
  }

  /**
   * The format of {@code path}: image features when its first bytes are binary (a NUL or control byte, see
   * {@link ImageFeatureReader#looksBinary}), otherwise from its first non-blank line.
   *
   * @throws IllegalArgumentException naming the file when it is missing, unreadable or holds no
   *     non-blank line
   */
  public static Format detect(Path path) {
    DataFiles.open(path); // the readers' messages for a missing or unreadable file
    if (ImageFeatureReader.looksBinary(path)) {
      return Format.IMAGE_FEATURES;
    }
    try (BufferedReader in = DataFiles.openText(path)) {
      String line;
      while ((line = in.readLine()) != null) {
        String s = line.strip();
        if (!s.isEmpty() && s.charAt(0) == '\uFEFF') {
          s = s.substring(1).strip();
        }
        if (!s.isEmpty()) {
          return s.charAt(0) == '{' ? Format.AMAZON_JSON : Format.PAIRS_TSV;
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("data file " + path + " is not readable: " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException("data file " + path + " is not readable: "
          + e.getCause().getMessage(), e);
    }
    throw new IllegalArgumentException("data file " + path + " is empty (no non-blank line)");
  }
}
