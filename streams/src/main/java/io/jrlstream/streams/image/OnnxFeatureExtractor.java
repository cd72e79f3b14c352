package io.jrlstream.streams.image;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * One ONNX Runtime session of the configured CNN, with direct input and output buffers for micro-batches of up
 * to {@code maxBatch} images: callers write preprocessed images into {@link #input()} (image {@code i} at
 * {@code i · floatsPerImage}), call {@link #run(int)}, and read each image's features with
 * {@link #features(int, float[])}.
 *
 * <p>{@link #open} checks the model against the settings and refuses a mismatch with an
 * {@link IllegalArgumentException} that names the model, the setting and what the model has: the input name
 * (a float tensor N x 3 x H x W whose fixed dimensions equal the configured input size) and the output name,
 * whose values per image must number {@code featureDim} (N x F, or N x F x 1 x 1 as pooled ResNet features
 * are); a batch of one black image is run through to check the output's real shape.
 *
 * <p>Inputs and outputs are tensors over the direct buffers (no copies through the JNI boundary); each run's
 * tensors and result are closed before {@code run} returns, in every path.
 *
 * <p>Lifecycle: created once per processor (task), closed on shutdown ({@link #close} releases the session;
 * the buffers go with the object). Not thread-safe: one stream thread uses it.
 */
public final class OnnxFeatureExtractor implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String modelName;
  private final String inputName;
  private final String outputName;
  private final int featureDim;
  private final int maxBatch;
  private final int floatsPerImage;
  private final long[] inputShape;
  private final long[] outputShape;
  private final FloatBuffer input;
  private final FloatBuffer output;

  private OnnxFeatureExtractor(OrtEnvironment env, OrtSession session, ImageSettings s, long[] outputShape) {
    this.env = env;
    this.session = session;
    this.modelName = s.model().file().getFileName().toString();
    this.inputName = s.model().inputName();
    this.outputName = s.model().outputName();
    this.featureDim = s.model().featureDim();
    this.maxBatch = s.batching().size();
    this.floatsPerImage = s.preprocessing().floatsPerImage();
    this.inputShape = new long[] {0, 3, s.preprocessing().height(), s.preprocessing().width()};
    this.outputShape = outputShape;
    this.input = direct((long) maxBatch * floatsPerImage);
    this.output = direct((long) maxBatch * featureDim);
  }

  private static FloatBuffer direct(long floats) {
    if (floats > Integer.MAX_VALUE / 4) {
      throw new IllegalArgumentException("a micro-batch of " + floats + " floats does not fit one buffer; lower "
          + "jrl.image.batch.size");
    }
    return ByteBuffer.allocateDirect((int) floats * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /**
   * Opens a session of the configured model with the chosen provider and checks it against the settings.
   *
   * @param env     the ONNX Runtime environment
   * @param s       model, names, dimension, preprocessing, batch size and session options
   * @param choice  CPU or CUDA (see {@link OnnxSessions#choose})
   * @return an open extractor; the caller closes it
   * @throws IllegalArgumentException when the model does not match the settings
   * @throws IllegalStateException    when ONNX Runtime cannot load the model or add the provider
   */
  public static OnnxFeatureExtractor open(OrtEnvironment env, ImageSettings s, ProviderChoice choice) {
    OrtSession session = null;
    try (OrtSession.SessionOptions o = OnnxSessions.options(s, choice)) {
      session = env.createSession(s.model().file().toString(), o);
      long[] outShape = check(session, s);
      OnnxFeatureExtractor x = new OnnxFeatureExtractor(env, session, s, outShape);
      x.run(1); // an all-zero input: checks what the model really outputs, and warms the session up
      return x;
    } catch (OrtException e) {
      closeQuietly(session);
      throw new IllegalStateException("ONNX Runtime could not run the model " + s.model().file() + " on "
          + choice.provider() + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(session);
      throw e;
    }
  }

  private static void closeQuietly(OrtSession session) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException suppressed) {
        // the first failure is the one to report
      }
    }
  }

  /** Checks the input and output declarations; returns the output shape with the batch dimension at 0. */
  private static long[] check(OrtSession session, ImageSettings s) throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    String model = "model " + s.model().file().getFileName();
    NodeInfo in = inputs.get(s.model().inputName());
    if (in == null) {
      throw new IllegalArgumentException(model + " has no input '" + s.model().inputName() + "' ("
          + ImageKeys.INPUT_NAME.key() + "); "
          + "its inputs: " + describe(inputs));
    }
    NodeInfo out = outputs.get(s.model().outputName());
    if (out == null) {
      throw new IllegalArgumentException(model + " has no output '" + s.model().outputName() + "' ("
          + ImageKeys.OUTPUT_NAME.key() + "); "
          + "its outputs: " + describe(outputs));
    }
    if (!(in.getInfo() instanceof TensorInfo ti) || ti.type != OnnxJavaType.FLOAT || ti.getShape().length != 4
        || !fits(ti.getShape()[1], 3) || !fits(ti.getShape()[2], s.preprocessing().height())
        || !fits(ti.getShape()[3], s.preprocessing().width())) {
      throw new IllegalArgumentException(model + " input '" + s.model().inputName() + "' is " + in.getInfo()
          + "; expected a float tensor N x 3 x " + s.preprocessing().height() + " x " + s.preprocessing().width()
          + " (jrl.image.input.size)");
    }
    if (!(out.getInfo() instanceof TensorInfo to) || to.type != OnnxJavaType.FLOAT || to.getShape().length < 2) {
      throw new IllegalArgumentException(model + " output '" + s.model().outputName() + "' is " + out.getInfo()
          + "; expected a float tensor N x " + s.model().featureDim() + " (jrl.feature.dim)");
    }
    long[] shape = to.getShape().clone();
    long perImage = 1;
    for (int i = 1; i < shape.length; i++) {
      perImage *= shape[i] < 0 ? 1 : shape[i];
    }
    boolean dynamic = Arrays.stream(shape, 1, shape.length).anyMatch(d -> d < 0);
    if (!dynamic && perImage != s.model().featureDim()) {
      throw new IllegalArgumentException(model + " output '" + s.model().outputName() + "' has " + perImage
          + " values per image (shape " + Arrays.toString(to.getShape()) + "), but jrl.feature.dim is "
          + s.model().featureDim() + ": configure the dimension the model outputs, or another output");
    }
    if (dynamic) { // N x F with F unknown until run: pinned outputs need a shape, so expect N x featureDim
      if (shape.length != 2) {
        throw new IllegalArgumentException(model + " output '" + s.model().outputName() + "' has dynamic dimensions "
            + Arrays.toString(to.getShape()) + "; only N x F may be dynamic");
      }
      shape[1] = s.model().featureDim();
    }
    return shape;
  }

  private static boolean fits(long declared, long wanted) {
    return declared < 0 || declared == wanted;
  }

  private static String describe(Map<String, NodeInfo> nodes) {
    StringBuilder sb = new StringBuilder();
    nodes.forEach((name, info) -> sb.append(sb.length() == 0 ? "" : ", ").append(name).append(' ')
        .append(info.getInfo()));
    return sb.toString();
  }

  /** @return the batch input buffer: image {@code i} at {@code i · floatsPerImage()}, NCHW */
  public FloatBuffer input() {
    return input;
  }

  /** @return floats per image in {@link #input()} */
  public int floatsPerImage() {
    return floatsPerImage;
  }

  /** @return features per image */
  public int featureDim() {
    return featureDim;
  }

  /** @return the largest batch {@link #run} takes */
  public int maxBatch() {
    return maxBatch;
  }

  /**
   * Runs the model on the first {@code n} images of {@link #input()}.
   *
   * @param n images, 1 … {@link #maxBatch()}
   * @throws OrtException when ONNX Runtime fails
   * @throws IllegalArgumentException when the model's output does not hold {@code featureDim} values per image
   */
  public void run(int n) throws OrtException {
    if (n < 1 || n > maxBatch) {
      throw new IllegalArgumentException("batch of " + n + " images; expected 1.." + maxBatch);
    }
    long[] inShape = inputShape.clone();
    inShape[0] = n;
    long[] outShape = outputShape.clone();
    outShape[0] = n;
    FloatBuffer in = input.slice(0, n * floatsPerImage);
    FloatBuffer out = output.slice(0, n * featureDim);
    try (OnnxTensor inTensor = OnnxTensor.createTensor(env, in, inShape);
        OnnxTensor outTensor = OnnxTensor.createTensor(env, out, outShape);
        OrtSession.Result result = session.run(Map.of(inputName, inTensor), Map.of(outputName, outTensor))) {
      if (result.size() != 1) {
        throw new IllegalStateException("expected one output, got " + result.size());
      }
    } catch (OrtException e) {
      if (e.getMessage() != null && e.getMessage().contains("hape")) {
        throw new IllegalArgumentException("model " + modelName + " output '" + outputName + "' does not have "
            + featureDim + " values per image (jrl.feature.dim): " + e.getMessage(), e);
      }
      throw e;
    }
  }

  /**
   * Copies one image's features from the last {@link #run}.
   *
   * @param i   image index in the batch
   * @param dst receives {@link #featureDim()} values
   */
  public void features(int i, float[] dst) {
    output.get(i * featureDim, dst, 0, featureDim);
  }

  /** Releases the native session. Idempotent as far as ONNX Runtime's close is. */
  @Override
  public void close() throws OrtException {
    session.close();
  }
}
