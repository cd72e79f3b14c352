package io.jrlstream.streams.image;

import io.jrlstream.streams.config.Catalog;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.SettingGroup;
import io.jrlstream.streams.config.StreamsKeys.TopicKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The keys of image feature extraction with ONNX Runtime ({@link ImageSettings}): the images topic, the model and
 * its input and output, preprocessing, micro-batching, limits on accepted images and session options. The model's
 * output dimension is {@code jrl.feature.dim} ({@code StreamsKeys#FEATURE_DIM}), the dimension ingestion checks
 * feature events against, so the two cannot disagree.
 */
public final class ImageKeys {
  private ImageKeys() {}

  /** Model input height and width, written {@code S} (square) or {@code HxW}. */
  public record InputSize(int height, int width) {
    /** @throws IllegalArgumentException unless both are at least 1 */
    public InputSize {
      if (height < 1 || width < 1) {
        throw new IllegalArgumentException("input size must be at least 1x1, got " + height + "x" + width);
      }
    }

    static InputSize parse(String text) {
      String[] hw = text.toLowerCase(Locale.ROOT).split("x", -1);
      if (hw.length > 2) {
        throw new IllegalArgumentException();
      }
      int h = Integer.parseInt(hw[0].strip());
      return new InputSize(h, hw.length == 2 ? Integer.parseInt(hw[1].strip()) : h);
    }

    @Override
    public String toString() {
      return height == width ? Integer.toString(height) : height + "x" + width;
    }
  }

  /** ONNX Runtime's graph optimisation levels. */
  public enum Optimization {
    NONE, BASIC, EXTENDED, ALL
  }

  public static final TopicKeys IMAGES = TopicKeys.of("jrl.topic.images", "jrl.images",
      "ImageEvent input topic of the feature extractor", "each partition's task holds its own ONNX session");
  public static final Setting<String> MODEL = Setting.text("jrl.image.model", "",
      "ONNX feature extractor (.onnx file); empty: no image extraction");
  public static final Setting<String> MODEL_ID = Setting.text("jrl.image.model.id", "",
      "model id written into feature events (empty: the file name without .onnx)");
  public static final Setting<String> MODEL_VERSION = Setting.name("jrl.image.model.version", "1",
      "model version written into feature events");
  public static final Setting<String> INPUT_NAME = Setting.name("jrl.image.input.name", "input",
      "name of the model's image input (float, N x 3 x H x W)");
  public static final Setting<String> OUTPUT_NAME = Setting.name("jrl.image.output.name", "features",
      "name of the model's feature output (N x jrl.feature.dim, or N x dim x 1 x 1)");
  public static final Setting<InputSize> INPUT_SIZE = Setting.of("jrl.image.input.size", new InputSize(224, 224),
      "S or HxW, each at least 1", InputSize::parse, InputSize::toString, "model input height and width");
  public static final Setting<Integer> RESIZE = Setting.integer("jrl.image.resize", 256, 0, Integer.MAX_VALUE,
      "shorter side after resizing, before the centre crop to the input size (0: resize straight to it)");
  public static final Setting<List<Float>> MEAN = floats("jrl.image.mean", List.of(0.485f, 0.456f, 0.406f),
      "per-channel mean subtracted after scaling, in channel order");
  public static final Setting<List<Float>> STD = floats("jrl.image.std", List.of(0.229f, 0.224f, 0.225f),
      "per-channel standard deviation divided by, in channel order");
  public static final Setting<Double> PIXEL_SCALE = Setting.number("jrl.image.pixel.scale", 255,
      Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, "pixels 0-255 are divided by this before the mean (1: Caffe"
          + " style)").allowing(d -> d > 0 && d <= Float.MAX_VALUE, "a finite number > 0");
  public static final Setting<ChannelOrder> CHANNEL_ORDER = Setting.choice("jrl.image.channel.order",
      ChannelOrder.class, ChannelOrder.RGB, "channel order of the model input");
  public static final Setting<Integer> BATCH_SIZE = Setting.integer("jrl.image.batch.size", 32, 1, Integer.MAX_VALUE,
      "images per inference micro-batch");
  public static final Setting<Long> MAX_WAIT_MS = Setting.longValue("jrl.image.max.wait.ms", 200L, 0L,
      Long.MAX_VALUE, "longest an image waits for its micro-batch to fill, wall clock (0: batches by count only)");
  public static final Setting<Long> MAX_BYTES = Setting.longValue("jrl.image.max.bytes", 16L << 20, 1L,
      Long.MAX_VALUE, "largest accepted encoded image, in bytes");
  public static final Setting<Long> MAX_PIXELS = Setting.longValue("jrl.image.max.pixels", 40_000_000L, 1L,
      Long.MAX_VALUE, "largest accepted image, width x height, checked before decoding");
  public static final Setting<ExecutionProvider> PROVIDER = Setting.choice("jrl.image.provider",
      ExecutionProvider.class, ExecutionProvider.AUTO,
      "ONNX Runtime execution provider: auto (CUDA when it loads, else CPU), cpu or cuda");
  public static final Setting<Integer> CUDA_DEVICE = Setting.integer("jrl.image.cuda.device", 0, 0,
      Integer.MAX_VALUE, "CUDA device id for the cuda provider");
  public static final Setting<Integer> INTRA_THREADS = Setting.integer("jrl.image.threads.intra", 0, 0,
      Integer.MAX_VALUE, "ONNX Runtime intra-op threads per session (0: its default)");
  public static final Setting<Integer> INTER_THREADS = Setting.integer("jrl.image.threads.inter", 0, 0,
      Integer.MAX_VALUE, "ONNX Runtime inter-op threads per session (0: its default)");
  public static final Setting<Boolean> THREADS_SPIN = Setting.bool("jrl.image.threads.spin", false,
      "let ONNX Runtime's idle threads spin between batches (lower latency; burns CPU the stream threads need)");
  public static final Setting<Optimization> OPTIMIZATION = Setting.choice("jrl.image.optimization",
      Optimization.class, Optimization.ALL, "ONNX Runtime graph optimisation");

  /** Image feature extraction. */
  public static final SettingGroup IMAGE = new SettingGroup("Image feature extraction",
      "ImageEvents through an ONNX Runtime CNN to ImageFeatureEvents (runs when jrl.image.model is set); the model"
          + " outputs jrl.feature.dim features per image.",
      concat(IMAGES.settings(), List.<Setting<?>>of(MODEL, MODEL_ID, MODEL_VERSION, INPUT_NAME, OUTPUT_NAME,
          INPUT_SIZE, RESIZE, MEAN, STD, PIXEL_SCALE, CHANNEL_ORDER, BATCH_SIZE, MAX_WAIT_MS, MAX_BYTES, MAX_PIXELS,
          PROVIDER, CUDA_DEVICE, INTRA_THREADS, INTER_THREADS, THREADS_SPIN, OPTIMIZATION)));

  /** The group of this class. */
  public static final Catalog CATALOG = Catalog.of(IMAGE);

  private static Setting<List<Float>> floats(String key, List<Float> dflt, String doc) {
    return Setting.of(key, List.copyOf(dflt), "three comma-separated finite numbers", ImageKeys::parseFloats,
        l -> String.join(",", l.stream().map(f -> Float.toString(f)).toList()), doc)
        .allowing(l -> l.size() == 3 && l.stream().allMatch(Float::isFinite), "three comma-separated finite numbers");
  }

  private static List<Float> parseFloats(String text) {
    List<Float> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      out.add(Float.parseFloat(part.strip()));
    }
    return List.copyOf(out);
  }

  private static List<Setting<?>> concat(List<Setting<?>> a, List<Setting<?>> b) {
    List<Setting<?>> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
