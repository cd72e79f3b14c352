package io.jrlstream.streams.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns a decoded image into one image's slice of the model input, NCHW, as {@link Preprocessing} defines it:
 * <ol>
 *   <li>RGB values 0–255: a grey image's samples are copied to all three channels (as PIL's
 *       {@code convert("RGB")} does; {@code BufferedImage.getRGB} would apply a gamma curve to them), alpha is
 *       dropped, other images go through their colour model to sRGB;</li>
 *   <li>resize so that the shorter side is {@code resize} (the longer one {@code floor(resize · long / short)}),
 *       or straight to the input size when {@code resize} is 0, with a bilinear filter that widens when
 *       shrinking (antialiasing): PIL's and torchvision's {@code Resize}, and
 *       {@code torch.nn.functional.interpolate(mode="bilinear", antialias=True)};</li>
 *   <li>centre crop to height x width (offsets rounded half to even, as torchvision rounds them);</li>
 *   <li>{@code (value / pixelScale − mean[c]) / std[c]}, channel planes in the configured order.</li>
 * </ol>
 * The test fixtures' script ({@code src/test/resources/onnx/make_test_model.py}) computes the same steps with
 * PyTorch; the tests compare the features.
 *
 * <p>Lifecycle and threading: one instance per processor (task); not thread-safe. Scratch arrays grow to the
 * largest image seen and are reused, so steady-state preprocessing allocates nothing.
 */
public final class ImagePreprocessor {
  private final Preprocessing p;
  private final float[] out;
  private final float[] mean;
  private final float[] std;
  private float[] rgb = new float[0];      // source pixels, 3 planes of w*h
  private float[] rows = new float[0];     // after the horizontal pass: 3 planes of h*cropWidth
  private int[] line = new int[0];
  private final Axis horizontal = new Axis();
  private final Axis vertical = new Axis();

  /** @param p the preprocessing to apply */
  public ImagePreprocessor(Preprocessing p) {
    this.p = Objects.requireNonNull(p, "preprocessing");
    this.out = new float[p.floatsPerImage()];
    this.mean = p.mean();
    this.std = p.std();
  }

  /** @return the preprocessing this applies */
  public Preprocessing preprocessing() {
    return p;
  }

  /**
   * Writes one image's {@code 3 · height · width} input values into {@code dst} at {@code offset}.
   *
   * @param image  the decoded image; not modified
   * @param dst    the batch input buffer; its position and limit are not changed
   * @param offset index of the image's first value in {@code dst}
   * @throws IndexOutOfBoundsException when the image does not fit at offset
   */
  public void toInput(BufferedImage image, FloatBuffer dst, int offset) {
    int w = image.getWidth();
    int h = image.getHeight();
    readRgb(image, w, h);
    int outW;
    int outH;
    if (p.resize() == 0) {
      outW = p.width();
      outH = p.height();
    } else if (h <= w) {
      outH = p.resize();
      outW = (int) ((long) p.resize() * w / h);
    } else {
      outW = p.resize();
      outH = (int) ((long) p.resize() * h / w);
    }
    int left = (int) Math.rint((outW - p.width()) / 2.0);
    int top = (int) Math.rint((outH - p.height()) / 2.0);
    horizontal.compute(w, outW, left, p.width());
    vertical.compute(h, outH, top, p.height());
    resizeAndNormalise(w, h);
    dst.put(offset, out);
  }

  private void readRgb(BufferedImage image, int w, int h) {
    int n = w * h;
    if (rgb.length < 3 * n) {
      rgb = new float[3 * n];
    }
    Raster raster = image.getRaster();
    if (image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
      int bits = image.getColorModel().getComponentSize(0);
      float scale = bits == 8 ? 1f : 255f / ((1 << bits) - 1);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float v = raster.getSample(x, y, 0) * scale;
          int i = y * w + x;
          rgb[i] = v;
          rgb[n + i] = v;
          rgb[2 * n + i] = v;
        }
      }
      return;
    }
    if (readInterleavedBytes(image, w, h)) {
      return;
    }
    if (line.length < w) {
      line = new int[w];
    }
    for (int y = 0; y < h; y++) {
      image.getRGB(0, y, w, 1, line, 0, w);
      for (int x = 0; x < w; x++) {
        int argb = line[x];
        int i = y * w + x;
        rgb[i] = (argb >> 16) & 0xff;
        rgb[n + i] = (argb >> 8) & 0xff;
        rgb[2 * n + i] = argb & 0xff;
      }
    }
  }

  /**
   * The fast path for what JPEG and PNG decoding give: 8-bit sRGB samples interleaved in one byte array (RGB,
   * BGR, RGBA, ABGR, not premultiplied), read directly instead of pixel by pixel through the colour model.
   *
   * @return false when the image is stored otherwise
   */
  private boolean readInterleavedBytes(BufferedImage image, int w, int h) {
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    if (!(raster.getDataBuffer() instanceof DataBufferByte db) || db.getNumBanks() != 1
        || !(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm) || !(cm instanceof ComponentColorModel)
        || !cm.getColorSpace().isCS_sRGB() || cm.isAlphaPremultiplied() || sm.getNumBands() < 3
        || sm.getNumBands() > 4) {
      return false;
    }
    for (int b = 0; b < sm.getNumBands(); b++) {
      if (sm.getSampleSize(b) != 8) {
        return false;
      }
    }
    byte[] data = db.getData();
    int pixel = sm.getPixelStride();
    int scan = sm.getScanlineStride();
    int[] offsets = sm.getBandOffsets();
    int base = db.getOffset() - raster.getSampleModelTranslateY() * scan - raster.getSampleModelTranslateX() * pixel;
    int n = w * h;
    int r = offsets[0];
    int g = offsets[1];
    int b = offsets[2];
    for (int y = 0; y < h; y++) {
      int row = base + y * scan;
      int i = y * w;
      for (int x = 0; x < w; x++, i++) {
        int at = row + x * pixel;
        rgb[i] = data[at + r] & 0xff;
        rgb[n + i] = data[at + g] & 0xff;
        rgb[2 * n + i] = data[at + b] & 0xff;
      }
    }
    return true;
  }

  /**
   * Horizontal pass over every source row (crop columns only), then vertical pass (crop rows only). Both work a
   * whole row at a time, so that the inner loops run over contiguous arrays (the JIT vectorises them); each value
   * is still summed tap by tap in the same order, so the result is the same as pixel by pixel.
   */
  private void resizeAndNormalise(int w, int h) {
    int n = w * h;
    int cw = p.width();
    int ch = p.height();
    if (rows.length < 3 * h * cw) {
      rows = new float[3 * h * cw];
    }
    for (int c = 0; c < 3; c++) {
      int src = c * n;
      int dst = c * h * cw;
      for (int y = vertical.first(); y < vertical.last(); y++) { // only the rows the vertical pass reads
        horizontal.applyAlong(rgb, src + y * w, rows, dst + y * cw);
      }
    }
    float scale = p.pixelScale();
    boolean bgr = p.channelOrder() == ChannelOrder.BGR;
    for (int c = 0; c < 3; c++) {
      int plane = bgr ? 2 - c : c; // source plane (R, G, B) that becomes input plane c
      int src = plane * h * cw;
      int dst = c * ch * cw;
      float m = mean[c];
      float s = std[c];
      for (int y = 0; y < ch; y++) {
        int o = dst + y * cw;
        vertical.applyAcross(y, rows, src, cw, out, o);
        for (int x = o; x < o + cw; x++) {
          out[x] = (out[x] / scale - m) / s;
        }
      }
    }
  }

  /**
   * Resampling weights along one axis for the output indices a crop keeps: for output index {@code i}, the
   * source indices {@code start[i] … start[i] + count[i] − 1} with normalised triangle-filter weights, the filter
   * widened by the scale when shrinking (PIL's {@code precompute_coeffs}, torch's antialiased bilinear).
   */
  private static final class Axis {
    int[] start = new int[0];
    int[] count = new int[0];
    float[] weights = new float[0];
    int stride;
    int n;
    boolean unit; // every kept output is the next source value with weight 1

    void compute(int inSize, int outSize, int first, int n) {
      this.n = n;
      double scale = (double) inSize / outSize;
      double support = scale >= 1 ? scale : 1.0;
      double inv = scale >= 1 ? 1 / scale : 1.0;
      stride = (int) Math.ceil(support) * 2 + 1;
      if (start.length < n) {
        start = new int[n];
        count = new int[n];
      }
      if (weights.length < n * stride) {
        weights = new float[n * stride];
      }
      for (int k = 0; k < n; k++) {
        int i = first + k;
        double center = (i + 0.5) * scale;
        int min = Math.max((int) (center - support + 0.5), 0);
        int max = Math.min((int) (center + support + 0.5), inSize) - min;
        double total = 0;
        for (int j = 0; j < max; j++) {
          double d = Math.abs((j + min - center + 0.5) * inv);
          double wgt = d < 1 ? 1 - d : 0;
          weights[k * stride + j] = (float) wgt;
          total += wgt;
        }
        for (int j = 0; j < max; j++) {
          weights[k * stride + j] = total == 0 ? 0 : (float) (weights[k * stride + j] / total);
        }
        // Drop zero weights at both ends (an unscaled axis has [1, 0]): the same sum, fewer reads.
        int from = 0;
        while (max > 1 && weights[k * stride + max - 1] == 0) {
          max--;
        }
        while (max - from > 1 && weights[k * stride + from] == 0) {
          from++;
        }
        System.arraycopy(weights, k * stride + from, weights, k * stride, max - from);
        start[k] = min + from;
        count[k] = max - from;
      }
      unit = true;
      for (int k = 0; k < n && unit; k++) {
        unit = count[k] == 1 && weights[k * stride] == 1f && start[k] == start[0] + k;
      }
    }

    /**
     * One line along this axis: {@code dst[to + k] = Σ_j weight(k, j) · values[from + start[k] + j]} for the
     * {@code n} kept outputs; a copy where every output is one source value with weight 1 (an unscaled axis).
     */
    void applyAlong(float[] values, int from, float[] dst, int to) {
      if (unit) {
        System.arraycopy(values, from + start[0], dst, to, n);
        return;
      }
      for (int k = 0; k < n; k++) {
        float sum = 0;
        int at = from + start[k];
        int wi = k * stride;
        for (int j = 0, c = count[k]; j < c; j++) {
          sum += weights[wi + j] * values[at + j];
        }
        dst[to + k] = sum;
      }
    }

    /**
     * Output {@code k} across lines of {@code width} values: {@code dst[to + x] = Σ_j weight(k, j) ·
     * values[base + (start[k] + j) · width + x]} for {@code x < width}, tap by tap over whole lines.
     */
    void applyAcross(int k, float[] values, int base, int width, float[] dst, int to) {
      Arrays.fill(dst, to, to + width, 0f);
      int wi = k * stride;
      for (int j = 0, c = count[k]; j < c; j++) {
        float wgt = weights[wi + j];
        int from = base + (start[k] + j) * width;
        for (int x = 0; x < width; x++) {
          dst[to + x] += wgt * values[from + x];
        }
      }
    }

    /** @return the first source index any kept output reads */
    int first() {
      return start[0];
    }

    /** @return one past the last source index any kept output reads */
    int last() {
      return start[n - 1] + count[n - 1];
    }
  }
}
