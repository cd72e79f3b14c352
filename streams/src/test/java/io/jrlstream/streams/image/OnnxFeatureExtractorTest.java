package io.jrlstream.streams.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Java's decode, preprocessing and ONNX Runtime inference against the features PyTorch computed for the same
 * images with the same weights ({@code make_test_model.py}).
 *
 * <p>Tolerances: the PNGs decode to the same pixels in both, the JPEG too here (Java's decoder and PIL's
 * libjpeg-turbo both use the accurate integer inverse DCT of the IJG code), and the resize is the same algorithm,
 * so what remains is float rounding (resize weights in double here, in float in torch; ONNX Runtime's and torch's
 * convolutions sum in different orders): measured 3e-8 to 4e-8 on features of magnitude 0.01–0.3, allowed
 * {@value #PNG_TOLERANCE}; JPEG gets {@value #JPEG_TOLERANCE} in case another JDK's decoder rounds a pixel level
 * differently. A wrong step (channel order, crop, another mean) moves features by far more, as the last test shows.
 */
class OnnxFeatureExtractorTest {
  static final double PNG_TOLERANCE = 1e-5;
  static final double JPEG_TOLERANCE = 1e-3;

  @Test
  void shouldComputeTheFeaturesPyTorchComputedForEveryTestImage() throws Exception {
    Map<String, float[]> refs = TestModel.references();
    assertEquals(4, refs.size());
    Map<String, float[]> java = extract(TestModel.settings(), new ArrayList<>(refs.keySet()));
    for (Map.Entry<String, float[]> e : refs.entrySet()) {
      double diff = TestModel.maxAbsDiff(e.getValue(), java.get(e.getKey()));
      double tolerance = e.getKey().endsWith(".png") ? PNG_TOLERANCE : JPEG_TOLERANCE;
      assertTrue(diff <= tolerance, e.getKey() + ": features differ from PyTorch's by " + diff + " > " + tolerance);
    }
  }

  @Test
  void shouldGiveTheSameFeaturesWhateverTheBatchSize() throws Exception {
    List<String> names = new ArrayList<>(TestModel.references().keySet());
    Map<String, float[]> batched = extract(TestModel.settings(), names);
    Map<String, float[]> single = extract(TestModel.withBatchSize(1), names);
    for (String name : names) {
      assertTrue(TestModel.maxAbsDiff(batched.get(name), single.get(name)) <= 1e-6, name);
    }
  }

  @Test
  void shouldMoveFeaturesFarBeyondTheToleranceWhenPreprocessingIsWrong() throws Exception {
    Preprocessing right = TestModel.settings().preprocessing();
    Preprocessing bgr = new Preprocessing(right.height(), right.width(), right.resize(), right.mean(), right.std(),
        right.pixelScale(), ChannelOrder.BGR);
    Preprocessing noCrop = new Preprocessing(right.height(), right.width(), 0, right.mean(), right.std(),
        right.pixelScale(), right.channelOrder());
    Map<String, float[]> refs = TestModel.references();
    for (Preprocessing wrong : List.of(bgr, noCrop)) {
      Map<String, float[]> java = extract(TestModel.settings().withPreprocessing(wrong), List.of("rgb-40x32.png"));
      double diff = TestModel.maxAbsDiff(refs.get("rgb-40x32.png"), java.get("rgb-40x32.png"));
      assertTrue(diff > 10 * JPEG_TOLERANCE, wrong + " moved the features by only " + diff);
    }
  }

  /** Decodes, preprocesses and extracts the named test images, in batches of the settings' size. */
  static Map<String, float[]> extract(ImageSettings s, List<String> names) throws Exception {
    ImageDecoder decoder = new ImageDecoder(s.accepted().maxBytes(), s.accepted().maxPixels());
    ImagePreprocessor pre = new ImagePreprocessor(s.preprocessing());
    Map<String, float[]> out = new LinkedHashMap<>();
    try (OnnxFeatureExtractor x = new OnnxSessions(s).open()) {
      for (int from = 0; from < names.size(); from += s.batching().size()) {
        int n = Math.min(s.batching().size(), names.size() - from);
        for (int i = 0; i < n; i++) {
          BufferedImage img = decoder.decode(TestModel.image(names.get(from + i)), names.get(from + i));
          pre.toInput(img, x.input(), i * x.floatsPerImage());
        }
        x.run(n);
        for (int i = 0; i < n; i++) {
          float[] f = new float[x.featureDim()];
          x.features(i, f);
          out.put(names.get(from + i), f);
        }
      }
    }
    return out;
  }
}
