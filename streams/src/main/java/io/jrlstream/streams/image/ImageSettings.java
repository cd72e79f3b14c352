package io.jrlstream.streams.image;

import io.jrlstream.streams.config.Catalog;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.ConfigurationException;
import io.jrlstream.streams.config.Origin;
import io.jrlstream.streams.config.StreamsKeys;
import io.jrlstream.streams.config.TopicSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Typed, validated settings of image feature extraction, in the parts the extractor uses apart: the images topic,
 * the ONNX {@link Model} and its input and output, {@link Preprocessing}, micro-{@link Batching}, which images are
 * {@link Accepted}, and the ONNX Runtime {@link Session} options. Keys and defaults are declared in
 * {@link ImageKeys}; {@link #from} reads them. The model's output dimension is {@code jrl.feature.dim}, the dimension
 * ingestion checks feature events against, so the two cannot disagree.
 *
 * <p>Immutable and thread-safe; each part is checked on construction (failures name the key) and changed with its
 * own {@code withX}.
 *
 * @param images        ImageEvent input topic
 * @param model         the model and its input and output
 * @param preprocessing how an image becomes the model input
 * @param batching      inference micro-batches
 * @param accepted      limits on accepted images
 * @param session       ONNX Runtime session options
 */
public record ImageSettings(TopicSpec images, Model model, Preprocessing preprocessing, Batching batching,
    Accepted accepted, Session session) {

  /**
   * The feature extractor.
   *
   * @param file       the .onnx file; must exist
   * @param id         model id written into feature events; not blank
   * @param version    model version written into feature events; not blank
   * @param inputName  name of the model's image input
   * @param outputName name of the model's feature output
   * @param featureDim features per image the model must output, at least 1
   */
  public record Model(Path file, String id, String version, String inputName, String outputName, int featureDim) {
    /** @throws IllegalArgumentException naming the key that is out of range, or a model file that is missing */
    public Model {
      Objects.requireNonNull(file, ImageKeys.MODEL.key());
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(ImageKeys.MODEL.key() + ": no model file at " + file.toAbsolutePath());
      }
      ImageKeys.MODEL_ID.require(id);
      if (id.isBlank()) {
        throw new IllegalArgumentException(ImageKeys.MODEL_ID.key() + " must not be blank");
      }
      ImageKeys.MODEL_VERSION.require(version);
      ImageKeys.INPUT_NAME.require(inputName);
      ImageKeys.OUTPUT_NAME.require(outputName);
      StreamsKeys.FEATURE_DIM.require(featureDim);
    }

    /** @return a copy with other input and output names and output dimension */
    public Model withIo(String newInputName, String newOutputName, int newFeatureDim) {
      return new Model(file, id, version, newInputName, newOutputName, newFeatureDim);
    }
  }

  /**
   * Inference micro-batches.
   *
   * @param size    images per batch, at least 1
   * @param maxWait longest an image waits for its batch to fill (wall clock); zero: batches by count only
   */
  public record Batching(int size, Duration maxWait) {
    /** @throws IllegalArgumentException naming the key that is out of range */
    public Batching {
      ImageKeys.BATCH_SIZE.require(size);
      ImageKeys.MAX_WAIT_MS.require(Objects.requireNonNull(maxWait, ImageKeys.MAX_WAIT_MS.key()).toMillis());
    }

    /** @return a copy with another size */
    public Batching withSize(int newSize) {
      return new Batching(newSize, maxWait);
    }

    /** @return a copy with another wait (zero: batches by count only) */
    public Batching withMaxWait(Duration newMaxWait) {
      return new Batching(size, newMaxWait);
    }
  }

  /**
   * Limits on accepted images, checked before decoding.
   *
   * @param maxBytes  largest encoded image, at least 1
   * @param maxPixels largest width x height, at least 1
   */
  public record Accepted(long maxBytes, long maxPixels) {
    /** @throws IllegalArgumentException naming the key that is out of range */
    public Accepted {
      ImageKeys.MAX_BYTES.require(maxBytes);
      ImageKeys.MAX_PIXELS.require(maxPixels);
    }
  }

  /**
   * ONNX Runtime session options.
   *
   * @param provider     execution provider policy
   * @param cudaDevice   CUDA device id, at least 0
   * @param intraThreads intra-op threads per session, 0 for ONNX Runtime's default
   * @param interThreads inter-op threads per session, 0 for ONNX Runtime's default
   * @param spin         whether ONNX Runtime's idle intra-op threads spin-wait for work (its default) instead of
   *                     sleeping: spinning threads take CPU from the stream threads and the broker between batches
   * @param optimization graph optimisation level
   */
  public record Session(ExecutionProvider provider, int cudaDevice, int intraThreads, int interThreads, boolean spin,
      ImageKeys.Optimization optimization) {
    /** @throws IllegalArgumentException naming the key that is out of range */
    public Session {
      ImageKeys.PROVIDER.require(provider);
      ImageKeys.CUDA_DEVICE.require(cudaDevice);
      ImageKeys.INTRA_THREADS.require(intraThreads);
      ImageKeys.INTER_THREADS.require(interThreads);
      ImageKeys.OPTIMIZATION.require(optimization);
    }

    /** @return a copy with another execution provider policy */
    public Session withProvider(ExecutionProvider newProvider) {
      return new Session(newProvider, cudaDevice, intraThreads, interThreads, spin, optimization);
    }

    /** @return a copy with other thread counts (0: ONNX Runtime's default) */
    public Session withThreads(int newIntraThreads, int newInterThreads) {
      return new Session(provider, cudaDevice, newIntraThreads, newInterThreads, spin, optimization);
    }
  }

  /** @throws NullPointerException naming a missing part */
  public ImageSettings {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(preprocessing, "preprocessing");
    Objects.requireNonNull(batching, "batching");
    Objects.requireNonNull(accepted, "accepted");
    Objects.requireNonNull(session, "session");
  }

  /** The keys {@link #fromProperties} knows: those of {@link ImageKeys} and {@link StreamsKeys}. */
  private static final Catalog CATALOG = StreamsKeys.CATALOG.plus(ImageKeys.CATALOG);

  /**
   * Settings for a model with every other value at its default ({@link ImageKeys}).
   *
   * @param model      the .onnx file
   * @param featureDim features per image it outputs
   * @return the settings
   */
  public static ImageSettings defaults(Path model, int featureDim) {
    Configuration c = Configuration.defaults(CATALOG)
        .with(ImageKeys.MODEL.key(), model.toString(), Origin.DEFAULT)
        .with(StreamsKeys.FEATURE_DIM.key(), Integer.toString(featureDim), Origin.DEFAULT);
    return from(c).orElseThrow();
  }

  /**
   * Reads the image settings from properties that hold keys of {@link ImageKeys} and {@link StreamsKeys} only
   * ({@link #from} of a configuration of them).
   *
   * @throws ConfigurationException as {@link #from}, or naming an unknown {@code jrl.*} key
   */
  public static Optional<ImageSettings> fromProperties(Properties p) {
    return from(Configuration.of(CATALOG, p));
  }

  /**
   * Reads the image settings, with the defaults of {@link ImageKeys} where absent.
   *
   * @param c the configuration; its catalog must hold the keys of {@link ImageKeys} and {@link StreamsKeys}
   * @return the settings, or empty when {@code jrl.image.model} is empty (no image extraction)
   * @throws ConfigurationException naming a value that does not parse or is out of range, and its origin
   */
  public static Optional<ImageSettings> from(Configuration c) {
    String model = c.get(ImageKeys.MODEL).strip();
    if (model.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(c.build(x -> {
      Path file = Path.of(model);
      String id = x.get(ImageKeys.MODEL_ID).strip();
      if (id.isEmpty()) {
        String name = file.getFileName().toString();
        id = name.endsWith(".onnx") ? name.substring(0, name.length() - ".onnx".length()) : name;
      }
      ImageKeys.InputSize size = x.get(ImageKeys.INPUT_SIZE);
      return new ImageSettings(ImageKeys.IMAGES.read(x),
          new Model(file, id, x.get(ImageKeys.MODEL_VERSION), x.get(ImageKeys.INPUT_NAME),
              x.get(ImageKeys.OUTPUT_NAME), x.get(StreamsKeys.FEATURE_DIM)),
          new Preprocessing(size.height(), size.width(), x.get(ImageKeys.RESIZE), floats(x.get(ImageKeys.MEAN)),
              floats(x.get(ImageKeys.STD)), x.get(ImageKeys.PIXEL_SCALE).floatValue(),
              x.get(ImageKeys.CHANNEL_ORDER)),
          new Batching(x.get(ImageKeys.BATCH_SIZE), Duration.ofMillis(x.get(ImageKeys.MAX_WAIT_MS))),
          new Accepted(x.get(ImageKeys.MAX_BYTES), x.get(ImageKeys.MAX_PIXELS)),
          new Session(x.get(ImageKeys.PROVIDER), x.get(ImageKeys.CUDA_DEVICE), x.get(ImageKeys.INTRA_THREADS),
              x.get(ImageKeys.INTER_THREADS), x.get(ImageKeys.THREADS_SPIN), x.get(ImageKeys.OPTIMIZATION)));
    }));
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  /** @return a copy with another images topic */
  public ImageSettings withImages(TopicSpec newImages) {
    return new ImageSettings(newImages, model, preprocessing, batching, accepted, session);
  }

  /** @return a copy with another model */
  public ImageSettings withModel(Model newModel) {
    return new ImageSettings(images, newModel, preprocessing, batching, accepted, session);
  }

  /** @return a copy with other preprocessing */
  public ImageSettings withPreprocessing(Preprocessing newPreprocessing) {
    return new ImageSettings(images, model, newPreprocessing, batching, accepted, session);
  }

  /** @return a copy with other micro-batches */
  public ImageSettings withBatching(Batching newBatching) {
    return new ImageSettings(images, model, preprocessing, newBatching, accepted, session);
  }

  /** @return a copy with other limits on accepted images */
  public ImageSettings withAccepted(Accepted newAccepted) {
    return new ImageSettings(images, model, preprocessing, batching, newAccepted, session);
  }

  /** @return a copy with other session options */
  public ImageSettings withSession(Session newSession) {
    return new ImageSettings(images, model, preprocessing, batching, accepted, newSession);
  }
}
