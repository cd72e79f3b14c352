package io.jrlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.view.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model settings from a trainer's configuration file ({@code jrl.model.VIEW.KEY}) and from {@code --set}. */
class ModelOptionsTest {
  @Test
  void shouldReadTheFileAndLetSetOverrideIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trainer.properties");
    Files.writeString(file, String.join("\n", "bootstrap.servers=localhost:9092", "jrl.views=collaborative",
        "jrl.model.collaborative.replay=24", "jrl.model.collaborative.streamL2=0.05", "jrl.model.review.bias=true"));
    Properties p = RunCommand.loadConfig(file);
    ModelOptions o = new ModelOptions();
    o.sets = List.of("collaborative.replay=8");
    ModelConfig c = o.apply(ModelConfig.defaults(), p);
    assertEquals(8, c.view("collaborative").stream().replayRatio(), "--set wins over the file");
    assertEquals(0.05, c.view("collaborative").stream().l2(), "the file's setting");
    assertTrue(c.view("review").bias());
    assertEquals(c, new ModelOptions().apply(ModelConfig.defaults(), p).withView("collaborative",
        c.view("collaborative")), "the same file gives the same settings again (a restart)");
  }

  @Test
  void shouldNameTheBadKeyOfTheFileAndOfSet(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trainer.properties");
    Files.writeString(file, "jrl.model.rating.replay=lots\n");
    Properties p = RunCommand.loadConfig(file);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ModelOptions().apply(ModelConfig.defaults(), p));
    assertTrue(e.getMessage().startsWith("jrl.model.rating.replay=lots: 'lots' is not a number"),
        e.getMessage());
    ModelOptions o = new ModelOptions();
    o.sets = List.of("rating.passes=0");
    e = assertThrows(IllegalArgumentException.class, () -> o.apply(ModelConfig.defaults()));
    assertTrue(e.getMessage().startsWith("--set rating.passes=0") && e.getMessage().contains("passes must be"),
        e.getMessage());
  }
}
