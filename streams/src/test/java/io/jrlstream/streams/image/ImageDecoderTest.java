package io.jrlstream.streams.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.streams.ingest.InvalidEventException;
import io.jrlstream.streams.ingest.RejectReason;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Decoding with limits: good images decode; every kind of bad one is refused with its reason and a message. */
class ImageDecoderTest {
  private final ImageDecoder decoder = new ImageDecoder(100_000, 12_000);

  @Test
  void shouldDecodePngAndJpeg() {
    BufferedImage png = decoder.decode(TestModel.image("rgb-40x32.png"), "png");
    assertEquals(40, png.getWidth());
    assertEquals(32, png.getHeight());
    BufferedImage jpeg = decoder.decode(TestModel.image("photo-120x96.jpg"), "jpeg");
    assertEquals(120, jpeg.getWidth());
  }

  @Test
  void shouldRefuseBytesThatAreNoImage() {
    assertRefused(RejectReason.BAD_IMAGE, "not an image", "GIF89 is what this is not".getBytes());
    assertRefused(RejectReason.BAD_IMAGE, "no image bytes", new byte[0]);
    assertRefused(RejectReason.BAD_IMAGE, "no image bytes", null);
  }

  @Test
  void shouldRefuseTruncatedJpegAndPng() {
    byte[] jpeg = TestModel.image("photo-120x96.jpg");
    assertRefused(RejectReason.BAD_IMAGE, "truncated or corrupt", Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
    byte[] png = TestModel.image("rgb-40x32.png");
    assertRefused(RejectReason.BAD_IMAGE, "truncated or corrupt", Arrays.copyOf(png, png.length - 30));
    assertRefused(RejectReason.BAD_IMAGE, "truncated or corrupt", Arrays.copyOf(png, 20)); // inside the header
  }

  @Test
  void shouldRefuseTooManyBytesOrPixelsAndAZeroSize() {
    assertRefused(RejectReason.IMAGE_TOO_LARGE, "100001 bytes", new byte[100_001]);
    assertRefused(RejectReason.IMAGE_TOO_LARGE, "101x120 pixels", png(101, 120));
    // A 60-byte file whose header declares 50000 x 50000: refused from the header, nothing decoded.
    assertRefused(RejectReason.IMAGE_TOO_LARGE, "50000x50000 pixels", withSize(png(1, 1), 50_000, 50_000));
    assertRefused(RejectReason.BAD_IMAGE, "", withSize(png(1, 1), 0, 7));
  }

  private void assertRefused(RejectReason reason, String message, byte[] bytes) {
    InvalidEventException e = assertThrows(InvalidEventException.class, () -> decoder.decode(bytes, "image x"));
    assertEquals(reason, e.reason(), e.getMessage());
    assertTrue(e.getMessage().startsWith("image x") && e.getMessage().contains(message), e.getMessage());
  }

  /** A grey PNG of the given size. */
  static byte[] png(int width, int height) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The PNG with its IHDR width and height replaced (CRC fixed), so only the header lies. */
  private static byte[] withSize(byte[] png, int width, int height) {
    byte[] b = png.clone();
    ByteBuffer buf = ByteBuffer.wrap(b);
    buf.putInt(16, width).putInt(20, height); // IHDR data starts at 16: after signature (8), length and type
    CRC32 crc = new CRC32();
    crc.update(b, 12, 17); // type + 13 data bytes
    buf.putInt(29, (int) crc.getValue());
    return b;
  }
}
