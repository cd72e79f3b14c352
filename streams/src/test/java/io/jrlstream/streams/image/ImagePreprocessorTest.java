package io.jrlstream.streams.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The unscaled case, which the PyTorch references (all resized) do not cover: an image whose shorter side is
 * already the resize size is only centre-cropped and normalised, value for value.
 */
class ImagePreprocessorTest {
  private static final float[] MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] STD = {0.229f, 0.224f, 0.225f};

  @Test
  void shouldOnlyCropAndNormaliseAnImageAlreadyAtTheResizeSize() {
    int w = 40;
    int h = 36;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    SplittableRandom rnd = new SplittableRandom(7);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, rnd.nextInt(1 << 24));
      }
    }
    Preprocessing p = new Preprocessing(32, 32, 36, MEAN, STD, 255f, ChannelOrder.BGR);
    FloatBuffer dst = FloatBuffer.allocate(5 + p.floatsPerImage());
    new ImagePreprocessor(p).toInput(img, dst, 5);
    for (int c = 0; c < 3; c++) {
      int shift = 16 - 8 * (2 - c); // BGR: plane 0 is blue
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          float v = (img.getRGB(x + 4, y + 2) >> shift) & 0xff;
          assertEquals((v / 255f - MEAN[c]) / STD[c], dst.get(5 + (c * 32 + y) * 32 + x), 0f,
              "plane " + c + " at " + x + "," + y);
        }
      }
    }
  }
}
