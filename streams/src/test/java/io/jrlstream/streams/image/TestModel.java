package io.jrlstream.streams.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jrlstream.schemas.ImageEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The checked-in test fixtures of {@code src/test/resources/onnx} (made by {@code make_test_model.py}): the tiny
 * CNN, its settings, the test images and the features PyTorch computed for them.
 */
final class TestModel {
  static final Path DIR = resourceDir();
  static final Path MODEL = DIR.resolve("tiny-cnn.onnx");
  static final int DIM = 16;

  private static final AvroCodec<ImageEvent> IMAGES = AvroCodec.of(ImageEvent.class);

  private TestModel() {}

  private static Path resourceDir() {
    try {
      return Path.of(TestModel.class.getResource("/onnx/reference.json").toURI()).getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The settings the references were computed with; CPU provider, batch 4, no wall-clock limit. */
  static ImageSettings settings() {
    Properties p = new Properties();
    p.setProperty("jrl.image.model", MODEL.toString());
    p.setProperty("jrl.feature.dim", Integer.toString(DIM));
    p.setProperty("jrl.image.input.size", "32");
    p.setProperty("jrl.image.resize", "36");
    p.setProperty("jrl.image.batch.size", "4");
    p.setProperty("jrl.image.max.wait.ms", "0");
    p.setProperty("jrl.image.provider", "cpu");
    p.setProperty("jrl.image.threads.intra", "1");
    return ImageSettings.fromProperties(p).orElseThrow();
  }

  /** {@link #settings()} with micro-batches of n. */
  static ImageSettings withBatchSize(int n) {
    ImageSettings s = settings();
    return s.withBatching(s.batching().withSize(n));
  }

  /** {@link #settings()} with another execution provider policy. */
  static ImageSettings withProvider(ExecutionProvider provider) {
    ImageSettings s = settings();
    return s.withSession(s.session().withProvider(provider));
  }

  /** {@link #settings()} with other model input and output names and dimension. */
  static ImageSettings withModelIo(String input, String output, int featureDim) {
    ImageSettings s = settings();
    return s.withModel(s.model().withIo(input, output, featureDim));
  }

  /** Image file name → PyTorch's features, in file name order. */
  static Map<String, float[]> references() {
    try {
      JsonNode doc = new ObjectMapper().readTree(DIR.resolve("reference.json").toFile());
      Map<String, float[]> out = new LinkedHashMap<>();
      doc.get("images").fields().forEachRemaining(e -> {
        JsonNode f = e.getValue().get("features");
        float[] v = new float[f.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) f.get(i).asDouble();
        }
        out.put(e.getKey(), v);
      });
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] image(String name) {
    try {
      return Files.readAllBytes(DIR.resolve("images").resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String contentType(String name) {
    return name.endsWith(".png") ? "image/png" : "image/jpeg";
  }

  /** An encoded ImageEvent (Avro single-object encoding) for the image bytes. */
  static byte[] event(String eventId, String itemId, byte[] imageBytes, String contentType) {
    return IMAGES.encode(new ImageEvent(eventId, Instant.ofEpochMilli(1_700_000_000_000L), itemId,
        ByteBuffer.wrap(imageBytes), contentType));
  }

  /** Largest absolute difference between two vectors of the same length. */
  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths " + a.length + " and " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
