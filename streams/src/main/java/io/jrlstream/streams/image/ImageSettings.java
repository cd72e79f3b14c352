package io.jrlstream.streams.image;

import io.jrlstream.streams.config.SettingKey;
import io.jrlstream.streams.config.TopicSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Typed, validated settings of image feature extraction: the images topic, the ONNX model and its input and
 * output, preprocessing, micro-batching, limits on accepted images, and ONNX Runtime session options. Keys and
 * defaults are documented in {@link SettingKey} (the {@code jrl.image.*} block and {@code jrl.topic.images});
 * {@link #fromProperties} reads them. The expected output dimension is {@code jrl.feature.dim}, the dimension
 * ingestion checks feature events against, so the two cannot disagree.
 *
 * <p>Immutable and thread-safe; {@code withX} methods return validated copies.
 *
 * @param images         ImageEvent input topic
 * @param model          the .onnx file; must exist
 * @param modelId        id written into feature events; not blank
 * @param modelVersion   version written into feature events; not blank
 * @param inputName      name of the model's image input
 * @param outputName     name of the model's feature output
 * @param featureDim     features per image the model must output, ≥ 1
 * @param preprocessing  how an image becomes the model input
 * @param batchSize      images per inference micro-batch, ≥ 1
 * @param maxWait        longest an image waits for its batch to fill (wall clock); zero: batches by count only
 * @param maxBytes       largest accepted encoded image, ≥ 1
 * @param maxPixels      largest accepted width x height, ≥ 1
 * @param provider       execution provider policy
 * @param cudaDevice     CUDA device id, ≥ 0
 * @param intraThreads   intra-op threads per session, 0 for ONNX Runtime's default
 * @param interThreads   inter-op threads per session, 0 for ONNX Runtime's default
 * @param spin           whether ONNX Runtime's idle intra-op threads spin-wait for work (its default) instead of
 *                       sleeping: spinning threads take CPU from the stream threads and the broker between batches
 * @param optimization   graph optimisation level: none, basic, extended or all
 */
public record ImageSettings(TopicSpec images, Path model, String modelId, String modelVersion, String inputName,
    String outputName, int featureDim, Preprocessing preprocessing, int batchSize, Duration maxWait, long maxBytes,
    long maxPixels, ExecutionProvider provider, int cudaDevice, int intraThreads, int interThreads, boolean spin,
    String optimization) {

  /**
   * @throws IllegalArgumentException naming the setting that is out of range, or a model file that is missing
   */
  public ImageSettings {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(model, SettingKey.IMAGE_MODEL.key());
    if (!Files.isRegularFile(model)) {
      throw new IllegalArgumentException(SettingKey.IMAGE_MODEL.key() + ": no model file at " + model.toAbsolutePath());
    }
    requireText(modelId, SettingKey.IMAGE_MODEL_ID);
    requireText(modelVersion, SettingKey.IMAGE_MODEL_VERSION);
    requireText(inputName, SettingKey.IMAGE_INPUT_NAME);
    requireText(outputName, SettingKey.IMAGE_OUTPUT_NAME);
    atLeast(featureDim, 1, SettingKey.FEATURE_DIM);
    Objects.requireNonNull(preprocessing, "preprocessing");
    atLeast(batchSize, 1, SettingKey.IMAGE_BATCH_SIZE);
    Objects.requireNonNull(maxWait, SettingKey.IMAGE_MAX_WAIT_MS.key());
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException(SettingKey.IMAGE_MAX_WAIT_MS.key() + " must be ≥ 0, got " + maxWait);
    }
    atLeast(maxBytes, 1, SettingKey.IMAGE_MAX_BYTES);
    atLeast(maxPixels, 1, SettingKey.IMAGE_MAX_PIXELS);
    Objects.requireNonNull(provider, SettingKey.IMAGE_PROVIDER.key());
    atLeast(cudaDevice, 0, SettingKey.IMAGE_CUDA_DEVICE);
    atLeast(intraThreads, 0, SettingKey.IMAGE_INTRA_THREADS);
    atLeast(interThreads, 0, SettingKey.IMAGE_INTER_THREADS);
    optimization = Objects.requireNonNull(optimization, SettingKey.IMAGE_OPTIMIZATION.key()).strip()
        .toLowerCase(Locale.ROOT);
    if (!optimization.matches("none|basic|extended|all")) {
      throw new IllegalArgumentException(SettingKey.IMAGE_OPTIMIZATION.key()
          + " must be none, basic, extended or all, got '" + optimization + "'");
    }
  }

  private static void requireText(String value, SettingKey key) {
    Objects.requireNonNull(value, key.key());
    if (value.isBlank()) {
      throw new IllegalArgumentException(key.key() + " must not be blank");
    }
  }

  private static void atLeast(long value, long min, SettingKey key) {
    if (value < min) {
      throw new IllegalArgumentException(key.key() + " must be ≥ " + min + ", got " + value);
    }
  }

  /**
   * Settings for a model with every other value at its default ({@link SettingKey}).
   *
   * @param model      the .onnx file
   * @param featureDim features per image it outputs
   * @return the settings
   */
  public static ImageSettings defaults(Path model, int featureDim) {
    Properties p = new Properties();
    p.setProperty(SettingKey.IMAGE_MODEL.key(), model.toString());
    p.setProperty(SettingKey.FEATURE_DIM.key(), Integer.toString(featureDim));
    return fromProperties(p).orElseThrow();
  }

  /**
   * Reads the image settings from properties (e.g. a {@code jrl run --config} file), with the defaults of
   * {@link SettingKey} where absent. Other keys are ignored ({@code StreamsSettings.fromProperties} checks that
   * every {@code jrl.*} key is known).
   *
   * @param p the properties; not modified
   * @return the settings, or empty when {@code jrl.image.model} is not set (no image extraction)
   * @throws IllegalArgumentException naming a value that does not parse or is out of range
   */
  public static Optional<ImageSettings> fromProperties(Properties p) {
    Objects.requireNonNull(p, "properties");
    String model = value(p, SettingKey.IMAGE_MODEL);
    if (model.isEmpty()) {
      return Optional.empty();
    }
    Path modelPath = Path.of(model);
    String id = value(p, SettingKey.IMAGE_MODEL_ID);
    if (id.isEmpty()) {
      String file = modelPath.getFileName().toString();
      id = file.endsWith(".onnx") ? file.substring(0, file.length() - ".onnx".length()) : file;
    }
    String size = value(p, SettingKey.IMAGE_INPUT_SIZE);
    String[] hw = size.toLowerCase(Locale.ROOT).split("x", -1);
    if (hw.length > 2) {
      throw new IllegalArgumentException(SettingKey.IMAGE_INPUT_SIZE.key() + " must be S or HxW, got '" + size + "'");
    }
    int height = integer(hw[0].strip(), SettingKey.IMAGE_INPUT_SIZE);
    int width = hw.length == 2 ? integer(hw[1].strip(), SettingKey.IMAGE_INPUT_SIZE) : height;
    ChannelOrder order;
    try {
      order = ChannelOrder.valueOf(value(p, SettingKey.IMAGE_CHANNEL_ORDER).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(SettingKey.IMAGE_CHANNEL_ORDER.key() + " must be RGB or BGR, got '"
          + value(p, SettingKey.IMAGE_CHANNEL_ORDER) + "'");
    }
    ExecutionProvider provider;
    try {
      provider = ExecutionProvider.valueOf(value(p, SettingKey.IMAGE_PROVIDER).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(SettingKey.IMAGE_PROVIDER.key() + " must be auto, cpu or cuda, got '"
          + value(p, SettingKey.IMAGE_PROVIDER) + "'");
    }
    Preprocessing pre = new Preprocessing(height, width, integer(p, SettingKey.IMAGE_RESIZE),
        floats(p, SettingKey.IMAGE_MEAN), floats(p, SettingKey.IMAGE_STD),
        floats(value(p, SettingKey.IMAGE_PIXEL_SCALE), SettingKey.IMAGE_PIXEL_SCALE)[0], order);
    return Optional.of(new ImageSettings(
        new TopicSpec(value(p, SettingKey.TOPIC_IMAGES), integer(p, SettingKey.TOPIC_IMAGES_PARTITIONS),
            (short) Math.min(Short.MAX_VALUE, integer(p, SettingKey.TOPIC_IMAGES_REPLICATION))),
        modelPath, id, value(p, SettingKey.IMAGE_MODEL_VERSION), value(p, SettingKey.IMAGE_INPUT_NAME),
        value(p, SettingKey.IMAGE_OUTPUT_NAME), integer(p, SettingKey.FEATURE_DIM), pre,
        integer(p, SettingKey.IMAGE_BATCH_SIZE), Duration.ofMillis(longValue(p, SettingKey.IMAGE_MAX_WAIT_MS)),
        longValue(p, SettingKey.IMAGE_MAX_BYTES), longValue(p, SettingKey.IMAGE_MAX_PIXELS), provider,
        integer(p, SettingKey.IMAGE_CUDA_DEVICE), integer(p, SettingKey.IMAGE_INTRA_THREADS),
        integer(p, SettingKey.IMAGE_INTER_THREADS), bool(p, SettingKey.IMAGE_THREADS_SPIN),
        value(p, SettingKey.IMAGE_OPTIMIZATION)));
  }

  private static String value(Properties p, SettingKey key) {
    String v = p.getProperty(key.key());
    return v != null ? v.strip() : key.defaultValue().orElseThrow();
  }

  private static boolean bool(Properties p, SettingKey key) {
    String v = value(p, key).toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(key.key() + " must be true or false, got '" + v + "'");
    }
    return Boolean.parseBoolean(v);
  }

  private static int integer(Properties p, SettingKey key) {
    return integer(value(p, key), key);
  }

  private static int integer(String v, SettingKey key) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key.key() + " must be an integer, got '" + v + "'");
    }
  }

  private static long longValue(Properties p, SettingKey key) {
    String v = value(p, key);
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key.key() + " must be an integer, got '" + v + "'");
    }
  }

  private static float[] floats(Properties p, SettingKey key) {
    return floats(value(p, key), key);
  }

  private static float[] floats(String v, SettingKey key) {
    String[] parts = v.split(",", -1);
    float[] out = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        out[i] = Float.parseFloat(parts[i].strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key.key() + " must be comma-separated numbers, got '" + v + "'");
      }
    }
    return out;
  }

  /** @return a copy with another images topic */
  public ImageSettings withImages(TopicSpec newImages) {
    return new ImageSettings(newImages, model, modelId, modelVersion, inputName, outputName, featureDim, preprocessing,
        batchSize, maxWait, maxBytes, maxPixels, provider, cudaDevice, intraThreads, interThreads, spin, optimization);
  }

  /** @return a copy with another batch size */
  public ImageSettings withBatchSize(int newBatchSize) {
    return new ImageSettings(images, model, modelId, modelVersion, inputName, outputName, featureDim, preprocessing,
        newBatchSize, maxWait, maxBytes, maxPixels, provider, cudaDevice, intraThreads, interThreads, spin,
        optimization);
  }

  /** @return a copy with another wall-clock limit (zero: count-based batches only) */
  public ImageSettings withMaxWait(Duration newMaxWait) {
    return new ImageSettings(images, model, modelId, modelVersion, inputName, outputName, featureDim, preprocessing,
        batchSize, newMaxWait, maxBytes, maxPixels, provider, cudaDevice, intraThreads, interThreads, spin,
        optimization);
  }

  /** @return a copy with other preprocessing */
  public ImageSettings withPreprocessing(Preprocessing newPreprocessing) {
    return new ImageSettings(images, model, modelId, modelVersion, inputName, outputName, featureDim, newPreprocessing,
        batchSize, maxWait, maxBytes, maxPixels, provider, cudaDevice, intraThreads, interThreads, spin, optimization);
  }

  /** @return a copy with other limits on accepted images */
  public ImageSettings withLimits(long newMaxBytes, long newMaxPixels) {
    return new ImageSettings(images, model, modelId, modelVersion, inputName, outputName, featureDim, preprocessing,
        batchSize, maxWait, newMaxBytes, newMaxPixels, provider, cudaDevice, intraThreads, interThreads, spin,
        optimization);
  }

  /** @return a copy with another execution provider policy */
  public ImageSettings withProvider(ExecutionProvider newProvider) {
    return new ImageSettings(images, model, modelId, modelVersion, inputName, outputName, featureDim, preprocessing,
        batchSize, maxWait, maxBytes, maxPixels, newProvider, cudaDevice, intraThreads, interThreads, spin,
        optimization);
  }

  /** @return a copy with other ONNX Runtime thread counts (0: its default) */
  public ImageSettings withThreads(int newIntraThreads, int newInterThreads) {
    return new ImageSettings(images, model, modelId, modelVersion, inputName, outputName, featureDim, preprocessing,
        batchSize, maxWait, maxBytes, maxPixels, provider, cudaDevice, newIntraThreads, newInterThreads, spin,
        optimization);
  }

  /** @return a copy with other model input and output names and expected dimension */
  public ImageSettings withModelIo(String newInputName, String newOutputName, int newFeatureDim) {
    return new ImageSettings(images, model, modelId, modelVersion, newInputName, newOutputName, newFeatureDim,
        preprocessing, batchSize, maxWait, maxBytes, maxPixels, provider, cudaDevice, intraThreads, interThreads,
        spin, optimization);
  }
}
