package io.jrlstream.streams.image;

import io.jrlstream.streams.ingest.InvalidEventException;
import io.jrlstream.streams.ingest.RejectReason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes encoded image bytes (JPEG, PNG, and whatever else {@code javax.imageio} reads: GIF, BMP, WBMP) into a
 * {@link BufferedImage}, refusing bad input with an {@link InvalidEventException}:
 * {@link RejectReason#IMAGE_TOO_LARGE} for more bytes than {@code maxBytes}, or more pixels than
 * {@code maxPixels} (read from the header, before any pixel is decoded, so a small file that declares a huge
 * image costs nothing); {@link RejectReason#BAD_IMAGE} for empty bytes, bytes no reader recognises, a zero
 * width or height, and truncated or corrupt data (a decoder warning, such as JPEG's "premature end of data",
 * counts as corrupt: the decoder would otherwise return an image with grey where the data ran out).
 *
 * <p>The format is detected from the bytes, not from the declared content type, which uploads often get wrong.
 * Decoding works in memory ({@link MemoryCacheImageInputStream}): no temporary files, and no change to
 * {@code ImageIO}'s global settings.
 *
 * <p>Stateless apart from its limits: thread-safe. Each call allocates its decoder and the decoded image.
 */
public final class ImageDecoder {
  private final long maxBytes;
  private final long maxPixels;

  /**
   * @param maxBytes  largest accepted encoded size, ≥ 1
   * @param maxPixels largest accepted width x height, ≥ 1
   */
  public ImageDecoder(long maxBytes, long maxPixels) {
    if (maxBytes < 1 || maxPixels < 1) {
      throw new IllegalArgumentException("image limits must be ≥ 1, got " + maxBytes + " bytes and " + maxPixels
          + " pixels");
    }
    this.maxBytes = maxBytes;
    this.maxPixels = maxPixels;
  }

  /**
   * @param bytes the encoded image; not modified
   * @param what  names the image in messages, e.g. {@code "image ev-7 of item i-3"}
   * @return the decoded image
   * @throws InvalidEventException with {@link RejectReason#BAD_IMAGE} or {@link RejectReason#IMAGE_TOO_LARGE}
   */
  public BufferedImage decode(byte[] bytes, String what) {
    if (bytes == null || bytes.length == 0) {
      throw bad(what + ": no image bytes");
    }
    if (bytes.length > maxBytes) {
      throw new InvalidEventException(RejectReason.IMAGE_TOO_LARGE, what + ": " + bytes.length
          + " bytes, more than the limit of " + maxBytes + " (jrl.image.max.bytes)");
    }
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw bad(what + ": not an image in a format this decoder reads (JPEG, PNG, GIF, BMP); first bytes "
            + hex(bytes));
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int width = reader.getWidth(0);
        int height = reader.getHeight(0);
        if (width <= 0 || height <= 0) {
          throw bad(what + ": image of zero size (" + width + "x" + height + ")");
        }
        if ((long) width * height > maxPixels) {
          throw new InvalidEventException(RejectReason.IMAGE_TOO_LARGE, what + ": " + width + "x" + height
              + " pixels, more than the limit of " + maxPixels + " (jrl.image.max.pixels)");
        }
        String[] warning = new String[1];
        reader.addIIOReadWarningListener((source, message) -> {
          if (warning[0] == null) {
            warning[0] = message;
          }
        });
        BufferedImage image = reader.read(0);
        if (warning[0] != null) {
          throw bad(what + ": truncated or corrupt " + reader.getFormatName() + " (" + warning[0] + ")");
        }
        return image;
      } finally {
        reader.dispose();
      }
    } catch (InvalidEventException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Decoders throw IIOException for bad data, and at times unchecked exceptions (index out of bounds,
      // illegal arguments) on corrupt headers: all of them mean this image is bad, not that the stream is.
      throw new InvalidEventException(RejectReason.BAD_IMAGE, what + ": truncated or corrupt image ("
          + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
    }
  }

  private static InvalidEventException bad(String message) {
    return new InvalidEventException(RejectReason.BAD_IMAGE, message);
  }

  private static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(8, bytes.length); i++) {
      sb.append(String.format("%02x", bytes[i] & 0xff));
    }
    return sb.toString();
  }
}
