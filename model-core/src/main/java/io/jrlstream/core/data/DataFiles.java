package io.jrlstream.core.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opens data files for the readers: plain or gzip-compressed, told apart by the gzip magic bytes
 * (0x1f 0x8b), never by the file name, so a {@code .json} that is really gzip and a {@code .gz} that is
 * really plain text both read correctly.
 *
 * <p>Stateless and thread-safe. The caller closes what it gets back (try-with-resources).
 */
public final class DataFiles {
  private static final int BUFFER = 1 << 16;

  private DataFiles() {}

  /**
   * Opens {@code path} for reading, decompressing it when it starts with the gzip magic bytes.
   *
   * @throws IllegalArgumentException naming the file when it does not exist, is a directory or is not
   *     readable
   * @throws UncheckedIOException naming the file when opening it fails otherwise
   */
  public static InputStream open(Path path) {
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("data file " + path + " does not exist");
    }
    if (Files.isDirectory(path)) {
      throw new IllegalArgumentException("data file " + path + " is a directory, not a file");
    }
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException("data file " + path + " is not readable");
    }
    try {
      return decompressIfGzip(Files.newInputStream(path));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open data file " + path + ": " + e.getMessage(), e);
    }
  }

  /** {@link #open} as UTF-8 text. */
  public static BufferedReader openText(Path path) {
    return new BufferedReader(new InputStreamReader(open(path), StandardCharsets.UTF_8), BUFFER);
  }

  /**
   * Wraps {@code in} so that it yields the decompressed bytes when it starts with the gzip magic bytes,
   * and the bytes as they are otherwise. On failure {@code in} is closed.
   */
  public static InputStream decompressIfGzip(InputStream in) throws IOException {
    try {
      BufferedInputStream b = new BufferedInputStream(in, BUFFER);
      b.mark(2);
      int b0 = b.read();
      int b1 = b.read();
      b.reset();
      if (b0 == 0x1f && b1 == 0x8b) {
        return new GZIPInputStream(b, BUFFER);
      }
      return b;
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /** The file name of {@code path} (used as a report's source and a dataset's name). */
  static String name(Path path) {
    Path f = path.getFileName();
    return f == null ? path.toString() : f.toString();
  }
}
