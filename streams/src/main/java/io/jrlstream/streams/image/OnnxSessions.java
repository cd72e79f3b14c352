package io.jrlstream.streams.image;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the {@link OnnxFeatureExtractor}s of one application: chooses the execution provider once, on first
 * use, logs the choice and its reason once, and gives every session the same provider and options.
 *
 * <p>Provider policy ({@code jrl.image.provider}): {@code cpu} uses the CPU provider; {@code cuda} adds the CUDA
 * provider and fails start-up with the loader's message when it does not load; {@code auto} uses CUDA when an
 * NVIDIA driver is present and the CUDA provider loads (it needs CUDA 12 and cuDNN 9 libraries), and otherwise
 * falls back to CPU, saying why. Without a driver, {@code auto} does not even try: trying makes ONNX Runtime
 * unpack its ~580 MB CUDA provider library first (see the README on {@code onnxruntime.native.path}).
 *
 * <p>Lifecycle: one instance per application, shared by its processors' suppliers; no native resource of its
 * own. Thread-safe: stream threads may open sessions concurrently.
 */
public final class OnnxSessions {
  private static final Logger LOG = LoggerFactory.getLogger(OnnxSessions.class);
  private static final Path NVIDIA_DRIVER = Path.of("/proc/driver/nvidia/version");

  private final ImageSettings settings;
  private final BooleanSupplier gpuPresent;
  private ProviderChoice choice; // guarded by this

  /** @param settings model, provider policy and session options */
  public OnnxSessions(ImageSettings settings) {
    this(settings, () -> Files.exists(NVIDIA_DRIVER));
  }

  /**
   * @param settings   model, provider policy and session options
   * @param gpuPresent whether an NVIDIA driver is present (tests force the CUDA attempt with it)
   */
  OnnxSessions(ImageSettings settings, BooleanSupplier gpuPresent) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.gpuPresent = Objects.requireNonNull(gpuPresent, "gpuPresent");
  }

  /** @return the settings sessions are opened with */
  public ImageSettings settings() {
    return settings;
  }

  /**
   * The provider every session uses, chosen and logged on the first call.
   *
   * @return the choice
   * @throws IllegalStateException when {@code jrl.image.provider=cuda} and the CUDA provider does not load
   */
  public synchronized ProviderChoice choice() {
    if (choice == null) {
      choice = choose(settings, gpuPresent);
      LOG.info("image features: ONNX Runtime {} on the {} provider ({}); model {}", OrtEnvironment.getEnvironment()
          .getVersion(), choice.provider(), choice.reason(), settings.model().file());
    }
    return choice;
  }

  /**
   * Opens a session with the chosen provider and checks the model against the settings.
   *
   * @return an open extractor; the caller closes it
   * @throws IllegalArgumentException when the model does not match the settings
   * @throws IllegalStateException    when ONNX Runtime cannot load the model or the required provider
   */
  public OnnxFeatureExtractor open() {
    return OnnxFeatureExtractor.open(OrtEnvironment.getEnvironment(), settings, choice());
  }

  /**
   * Opens and closes one session: call at start-up, so that a model that does not match the configuration, or a
   * provider that does not load, stops the start with a clear message instead of failing a stream thread.
   *
   * @throws IllegalArgumentException when the model does not match the settings
   * @throws IllegalStateException    when ONNX Runtime cannot load the model or the required provider
   */
  public void verify() {
    OnnxFeatureExtractor check = open();
    try {
      check.close();
    } catch (OrtException e) {
      throw new IllegalStateException("closing the check session of " + settings.model().file() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Chooses the provider as the class comment describes.
   *
   * @param s          provider policy and CUDA device
   * @param gpuPresent whether an NVIDIA driver is present
   * @return the choice with its reason
   * @throws IllegalStateException when the policy is {@code cuda} and the provider does not load
   */
  static ProviderChoice choose(ImageSettings s, BooleanSupplier gpuPresent) {
    int device = s.session().cudaDevice();
    switch (s.session().provider()) {
      case CPU:
        return new ProviderChoice(false, device, "jrl.image.provider=cpu");
      case AUTO:
        if (!gpuPresent.getAsBoolean()) {
          return new ProviderChoice(false, device, "jrl.image.provider=auto and no NVIDIA driver on this machine ("
              + NVIDIA_DRIVER + " absent)");
        }
        break;
      default:
        break;
    }
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.addCUDA(device);
      return new ProviderChoice(true, device, "jrl.image.provider=" + s.session().provider().name().toLowerCase()
          + " and the CUDA provider loaded");
    } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
      String why = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (s.session().provider() == ExecutionProvider.CUDA) {
        throw new IllegalStateException("jrl.image.provider=cuda, but ONNX Runtime's CUDA provider did not load ("
            + why + "); it needs an NVIDIA driver, CUDA 12 and cuDNN 9 libraries on the library path (see the README)"
            + ", or set jrl.image.provider=auto or cpu", e);
      }
      return new ProviderChoice(false, device, "jrl.image.provider=auto and the CUDA provider did not load, "
          + "so CPU (" + why + ")");
    }
  }

  /**
   * The session options every session of these settings gets (optimisation level, thread counts, provider), e.g.
   * for a bare session to compare with.
   *
   * @param s      the settings
   * @param choice the provider
   * @return new options; the caller closes them
   * @throws OrtException when ONNX Runtime refuses an option
   */
  public static OrtSession.SessionOptions options(ImageSettings s, ProviderChoice choice) throws OrtException {
    OrtSession.SessionOptions o = new OrtSession.SessionOptions();
    try {
      o.setOptimizationLevel(switch (s.session().optimization()) {
        case NONE -> OrtSession.SessionOptions.OptLevel.NO_OPT;
        case BASIC -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
        case EXTENDED -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
        case ALL -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
      });
      if (s.session().intraThreads() > 0) {
        o.setIntraOpNumThreads(s.session().intraThreads());
      }
      if (s.session().interThreads() > 0) {
        o.setInterOpNumThreads(s.session().interThreads());
      }
      o.addConfigEntry("session.intra_op.allow_spinning", s.session().spin() ? "1" : "0");
      o.addConfigEntry("session.inter_op.allow_spinning", s.session().spin() ? "1" : "0");
      if (choice.cuda()) {
        o.addCUDA(choice.device());
      }
      return o;
    } catch (OrtException | RuntimeException e) {
      o.close();
      throw e;
    }
  }
}
