package io.jrlstream.streams.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * How an image becomes the model's input, as torchvision's {@code Resize(resize)}, {@code CenterCrop((height,
 * width))}, {@code ToTensor()} (÷ {@code pixelScale}) and {@code Normalize(mean, std)} define it, in the channel
 * order the model expects. {@link ImagePreprocessor} implements it.
 *
 * <p>Immutable and thread-safe (the arrays are copied in and out).
 *
 * @param height       model input height, ≥ 1
 * @param width        model input width, ≥ 1
 * @param resize       the shorter side is resized to this before the centre crop; 0 resizes straight to height x
 *                     width (aspect ratio not kept); otherwise ≥ max(height, width)
 * @param mean         three per-channel means, in {@code channelOrder}
 * @param std          three per-channel standard deviations (&gt; 0), in {@code channelOrder}
 * @param pixelScale   pixel values 0–255 are divided by this (&gt; 0) before the mean is subtracted
 * @param channelOrder order of the three planes in the input tensor
 */
public record Preprocessing(int height, int width, int resize, float[] mean, float[] std, float pixelScale,
    ChannelOrder channelOrder) {

  /** torchvision's ImageNet preprocessing: resize 256, crop 224, mean and std of ImageNet, RGB. */
  public static Preprocessing imageNet() {
    return new Preprocessing(224, 224, 256, new float[] {0.485f, 0.456f, 0.406f},
        new float[] {0.229f, 0.224f, 0.225f}, 255f, ChannelOrder.RGB);
  }

  /**
   * @throws IllegalArgumentException naming the value out of range
   */
  public Preprocessing {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException(ImageKeys.INPUT_SIZE.key() + " must be at least 1x1, got " + height + "x"
          + width);
    }
    if (resize != 0 && resize < Math.max(height, width)) {
      throw new IllegalArgumentException(ImageKeys.RESIZE.key() + " (shorter side " + resize
          + ") must be 0 or at least " + ImageKeys.INPUT_SIZE.key() + " " + height + "x" + width
          + ", or the centre crop would not fit");
    }
    mean = three(mean, ImageKeys.MEAN.key());
    std = three(std, ImageKeys.STD.key());
    for (float s : std) {
      if (!(s > 0) || !Float.isFinite(s)) {
        throw new IllegalArgumentException(ImageKeys.STD.key() + " values must be finite and > 0, got "
            + Arrays.toString(std));
      }
    }
    for (float m : mean) {
      if (!Float.isFinite(m)) {
        throw new IllegalArgumentException(ImageKeys.MEAN.key() + " values must be finite, got "
            + Arrays.toString(mean));
      }
    }
    if (!(pixelScale > 0) || !Float.isFinite(pixelScale)) {
      throw new IllegalArgumentException(ImageKeys.PIXEL_SCALE.key() + " must be finite and > 0, got " + pixelScale);
    }
    Objects.requireNonNull(channelOrder, ImageKeys.CHANNEL_ORDER.key());
  }

  private static float[] three(float[] values, String what) {
    Objects.requireNonNull(values, what);
    if (values.length != 3) {
      throw new IllegalArgumentException(what + " needs 3 values (one per channel), got " + Arrays.toString(values));
    }
    return values.clone();
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  /** @return floats in one image's input: 3 x height x width */
  public int floatsPerImage() {
    return 3 * height * width;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Preprocessing p && p.height == height && p.width == width && p.resize == resize
        && Arrays.equals(p.mean, mean) && Arrays.equals(p.std, std) && p.pixelScale == pixelScale
        && p.channelOrder == channelOrder;
  }

  @Override
  public int hashCode() {
    return Objects.hash(height, width, resize, Arrays.hashCode(mean), Arrays.hashCode(std), pixelScale, channelOrder);
  }

  @Override
  public String toString() {
    return "Preprocessing[" + height + "x" + width + ", resize " + resize + ", mean " + Arrays.toString(mean)
        + ", std " + Arrays.toString(std) + ", scale " + pixelScale + ", " + channelOrder + "]";
  }
}
