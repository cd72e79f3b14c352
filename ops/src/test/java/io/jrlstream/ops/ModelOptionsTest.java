package io.jrlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.ModelSettings;
import io.jrlstream.streams.config.Configuration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model settings from a trainer's configuration ({@code jrl.model.VIEW.KEY}, {@link ModelKeys}) and from
 * {@code --set}, read the way {@code jrl run} reads them ({@link RunSettings}).
 */
class ModelOptionsTest {
  private static ModelConfig model(Path file, ModelOptions o) {
    Configuration.Builder b = JrlConfiguration.builder(file, Map.of());
    ModelKeys.addTo(b, o);
    return RunSettings.from(b.build().requireValid(), o::apply, "jrl-state").model();
  }

  @Test
  void shouldReadTheFileAndLetSetOverrideIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trainer.properties");
    Files.writeString(file, String.join("\n", "bootstrap.servers=localhost:9092", "jrl.views=collaborative",
        "jrl.model.collaborative.replay=24", "jrl.model.collaborative.streamL2=0.05", "jrl.model.review.bias=true"));
    ModelOptions o = new ModelOptions();
    o.sets = List.of("collaborative.replay=8");
    ModelConfig c = model(file, o);
    assertEquals(8, c.view("collaborative").stream().replayRatio(), "--set wins over the file");
    assertEquals(0.05, c.view("collaborative").stream().l2(), "the file's setting");
    assertTrue(c.view("review").bias());
    ModelConfig again = model(file, new ModelOptions());
    assertEquals(24, again.view("collaborative").stream().replayRatio(), "the file's setting without --set");
    assertEquals(c, again.withView("collaborative", c.view("collaborative")),
        "the same file gives the same settings again (a restart)");
  }

  @Test
  void shouldNameTheBadKeyItsValueAndWhereItCameFrom(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trainer.properties");
    Files.writeString(file, "bootstrap.servers=localhost:9092\njrl.model.rating.replay=lots\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model(file, new ModelOptions()));
    assertTrue(e.getMessage().startsWith("jrl.model.rating.replay must be a number from 0 to 10000, got 'lots'")
        && e.getMessage().contains("file " + file), e.getMessage());
    Files.writeString(file, "bootstrap.servers=localhost:9092\n");
    ModelOptions o = new ModelOptions();
    o.sets = List.of("rating.passes=0");
    e = assertThrows(IllegalArgumentException.class, () -> model(file, o));
    assertTrue(e.getMessage().startsWith("jrl.model.rating.passes must be an integer from 1 to 100, got '0'")
        && e.getMessage().contains("passes must be in [1, 100]") && e.getMessage().contains("command line --set"),
        e.getMessage());
  }

  @Test
  void shouldDeclareEveryModelKeyWithTheModelsDefault() {
    Properties defaults = ModelSettings.toProperties(ModelConfig.defaults());
    assertEquals(defaults.size(), ModelKeys.MODEL.settings().size(), "one setting per model key");
    for (String key : defaults.stringPropertyNames()) {
      assertEquals(defaults.getProperty(key), JrlConfiguration.CATALOG.setting(key).orElseThrow().defaultText()
          .orElseThrow(), key + ": the template's default is the model's");
    }
  }
}
