package io.jrlstream.streams.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up checks: the provider choice with its reason (including the CUDA provider failing to load, as it does
 * on a machine without CUDA 12 and cuDNN 9), and a model that does not match the configuration refused with a
 * message that says what the model has.
 */
class OnnxSessionsTest {
  @TempDir
  Path dir;

  @Test
  void shouldUseCpuWithoutTryingCudaWhenNoDriverIsPresent() {
    ProviderChoice c = OnnxSessions.choose(TestModel.withProvider(ExecutionProvider.AUTO), () -> false);
    assertFalse(c.cuda());
    assertTrue(c.reason().contains("no NVIDIA driver"), c.reason());
    assertEquals("CPU", new OnnxSessions(TestModel.settings()).choice().provider());
  }

  /**
   * With a driver reported present, auto tries the CUDA provider. Where its libraries do not load (no CUDA 12 or
   * cuDNN 9 here), addCUDA throws and the choice falls back to CPU with the loader's message; the sessions still
   * work. Where they do load, the choice is CUDA: the test accepts both, and checks the reason either way.
   */
  @Test
  void shouldFallBackToCpuWithTheLoadersReasonWhenTheCudaProviderDoesNotLoad() throws Exception {
    ImageSettings s = TestModel.withProvider(ExecutionProvider.AUTO);
    OnnxSessions sessions = new OnnxSessions(s, () -> true);
    ProviderChoice c = sessions.choice();
    if (c.cuda()) {
      assertTrue(c.reason().contains("CUDA provider loaded"), c.reason());
    } else {
      assertTrue(c.reason().contains("the CUDA provider did not load") && c.reason().contains("OrtException"),
          c.reason());
      assertThrows(IllegalStateException.class, () -> OnnxSessions.choose(
          s.withSession(s.session().withProvider(ExecutionProvider.CUDA)), () -> true),
          "provider=cuda must refuse to fall back");
    }
    assertTrue(sessions.choice() == c, "chosen once");
    sessions.verify();
  }

  @Test
  void shouldRefuseAModelWhoseOutputDimensionDiffers() {
    ImageSettings s = TestModel.withModelIo("input", "features", 4096);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OnnxSessions(s).verify());
    assertTrue(e.getMessage().contains("has 16 values per image") && e.getMessage().contains("jrl.feature.dim is 4096"),
        e.getMessage());
  }

  @Test
  void shouldRefuseUnknownInputOrOutputNamesNamingTheModelsOwn() {
    IllegalArgumentException in = assertThrows(IllegalArgumentException.class,
        () -> new OnnxSessions(TestModel.withModelIo("data", "features", 16)).verify());
    assertTrue(in.getMessage().contains("no input 'data'") && in.getMessage().contains("its inputs: input"),
        in.getMessage());
    IllegalArgumentException out = assertThrows(IllegalArgumentException.class,
        () -> new OnnxSessions(TestModel.withModelIo("input", "fc7", 16)).verify());
    assertTrue(out.getMessage().contains("no output 'fc7'") && out.getMessage().contains("its outputs: features"),
        out.getMessage());
  }

  @Test
  void shouldRefuseAnInputSizeTheModelDoesNotTake() {
    Preprocessing p = TestModel.settings().preprocessing();
    ImageSettings s = TestModel.settings().withPreprocessing(new Preprocessing(64, 64, 72, p.mean(), p.std(),
        p.pixelScale(), p.channelOrder()));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OnnxSessions(s).verify());
    assertTrue(e.getMessage().contains("expected a float tensor N x 3 x 64 x 64"), e.getMessage());
  }

  @Test
  void shouldRefuseAFileThatIsNoModelAndAMissingOne() throws Exception {
    Path junk = Files.writeString(dir.resolve("junk.onnx"), "not a model");
    Properties p = new Properties();
    p.setProperty("jrl.image.model", junk.toString());
    p.setProperty("jrl.image.provider", "cpu");
    ImageSettings s = ImageSettings.fromProperties(p).orElseThrow();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new OnnxSessions(s).verify());
    assertTrue(e.getMessage().contains("could not run the model"), e.getMessage());
    p.setProperty("jrl.image.model", dir.resolve("absent.onnx").toString());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> ImageSettings.fromProperties(p));
    assertTrue(missing.getMessage().contains("no model file"), missing.getMessage());
  }

  @Test
  void shouldReadSettingsWithDefaultsAndRefuseBadValues() {
    Properties p = new Properties();
    assertTrue(ImageSettings.fromProperties(p).isEmpty(), "no model: no extraction");
    p.setProperty("jrl.image.model", TestModel.MODEL.toString());
    ImageSettings s = ImageSettings.fromProperties(p).orElseThrow();
    assertEquals("tiny-cnn", s.model().id());
    assertEquals(Preprocessing.imageNet(), s.preprocessing());
    assertEquals(32, s.batching().size());
    assertEquals("jrl.images", s.images().name());
    p.setProperty("jrl.image.input.size", "20x30");
    p.setProperty("jrl.image.resize", "0");
    p.setProperty("jrl.image.channel.order", "bgr");
    assertEquals(30, ImageSettings.fromProperties(p).orElseThrow().preprocessing().width());
    for (String[] bad : new String[][] {{"jrl.image.mean", "1,2"}, {"jrl.image.std", "1,0,1"},
        {"jrl.image.provider", "tpu"}, {"jrl.image.channel.order", "RBG"}, {"jrl.image.batch.size", "0"},
        {"jrl.image.resize", "10"}, {"jrl.image.optimization", "max"}}) {
      Properties q = (Properties) p.clone();
      q.setProperty(bad[0], bad[1]);
      if (bad[0].equals("jrl.image.resize")) {
        q.setProperty("jrl.image.input.size", "32");
      }
      assertThrows(IllegalArgumentException.class, () -> ImageSettings.fromProperties(q), bad[0] + "=" + bad[1]);
    }
  }
}
