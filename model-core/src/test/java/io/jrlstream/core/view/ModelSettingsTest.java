package io.jrlstream.core.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.optim.OptimizerKind;
import io.jrlstream.core.view.review.ReviewView;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelSettingsTest {
  @Test
  void shouldSetEveryKindOfSetting() {
    ModelConfig c = ModelConfig.defaults();
    c = ModelSettings.apply(c, "collaborative.replay=32");
    c = ModelSettings.apply(c, "collaborative.streamOptimizer=AdaGrad");
    c = ModelSettings.apply(c, " rating.bias = true ");
    c = ModelSettings.apply(c, "review.wordUpdates=batch");
    c = ModelSettings.apply(c, "review.passes=2");
    c = ModelSettings.apply(c, "rating.hidden=16");
    c = ModelSettings.apply(c, "image.layers=2");
    assertEquals(32, c.view("collaborative").stream().replayRatio());
    assertEquals(OptimizerKind.ADAGRAD, c.view("collaborative").stream().optimizer());
    assertTrue(c.view("rating").bias());
    assertEquals(ReviewView.WordUpdates.BATCH, c.review().wordUpdates());
    assertEquals(2, c.view("review").stream().passes());
    assertEquals(16, c.rating().hidden());
    assertEquals(2, c.image().layers());
    assertEquals(ModelConfig.defaults().view("review").stream().replayRatio(),
        c.view("review").stream().replayRatio(), "other views keep theirs");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "collaborative.replay=abc|collaborative.replay=abc|'abc' is not a number",
      "collaborative.replay=-1|collaborative.replay=-1|replay must be in [0, 10000]",
      "collaborative.reservoir=1.5|collaborative.reservoir=1.5|'1.5' is not an integer",
      "collaborative.passes=0|collaborative.passes=0|passes must be in [1, 100]",
      "collaborative.streamLr=0|collaborative.streamLr=0|streamLr must be positive",
      "collaborative.streamOptimizer=lbfgs|collaborative.streamOptimizer=lbfgs|'lbfgs' is not one of sgd, adagrad, "
          + "leaky_adagrad, adam",
      "collaborative.bias=yes|collaborative.bias=yes|'yes' is not true or false",
      "collaborative.nonsense=1|collaborative.nonsense=1|unknown setting 'nonsense' for view collaborative",
      "rating.window=5|rating.window=5|unknown setting 'window' for view rating",
      "music.lr=1|music.lr|unknown view 'music'",
      "review.window=0|review.window=0|review window must be ≥ 1",
      "collaborative.lr=NaN|collaborative.lr=NaN|'NaN' is not a finite number"})
  void shouldRefuseBadSettingsNamingTheKey(String assignment, String named, String reason) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelSettings.apply(ModelConfig.defaults(), assignment));
    assertTrue(e.getMessage().contains(named), e.getMessage());
    assertTrue(e.getMessage().contains(reason), e.getMessage());
  }

  @Test
  void shouldRefuseAnAssignmentWithoutViewOrValue() {
    assertThrows(IllegalArgumentException.class, () -> ModelSettings.apply(ModelConfig.defaults(), "replay=3"));
    assertThrows(IllegalArgumentException.class, () -> ModelSettings.apply(ModelConfig.defaults(), "review.replay"));
  }

  @Test
  void shouldReadPropertiesNamingTheBadOne() {
    Properties p = new Properties();
    p.setProperty("jrl.model.collaborative.replay", "8");
    p.setProperty("jrl.model.review.streamL2", "0.02");
    p.setProperty("jrl.views", "review");
    p.setProperty("bootstrap.servers", "x:9092");
    ModelConfig c = ModelSettings.fromProperties(ModelConfig.defaults(), p);
    assertEquals(8, c.view("collaborative").stream().replayRatio());
    assertEquals(0.02, c.view("review").stream().l2());
    p.setProperty("jrl.model.rating.passes", "many");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelSettings.fromProperties(ModelConfig.defaults(), p));
    assertTrue(e.getMessage().contains("jrl.model.rating.passes") && e.getMessage().contains("'many'"),
        e.getMessage());
  }

  @Test
  void shouldRoundTripEverySettingThroughAPropertiesFile() throws Exception {
    ModelConfig c = ModelConfig.defaults();
    for (String s : new String[] {"collaborative.replay=12.5", "collaborative.bias=true", "review.window=77",
        "review.passes=3", "rating.streamOptimizer=sgd", "rating.lambda=0.25", "image.lambda=0.001", "review.dim=17",
        "collaborative.loss=sigmoid", "review.wordLr=0.0125", "rating.replayContent=true", "image.reservoir=9",
        "collaborative.samplerHistory=50"}) {
      c = ModelSettings.apply(c, s);
    }
    StringWriter file = new StringWriter();
    ModelSettings.toProperties(c).store(file, "written by the test");
    Properties read = new Properties();
    read.load(new StringReader(file.toString()));
    assertEquals(c, ModelSettings.fromProperties(ModelConfig.defaults(), read));
    // Every documented key is written.
    for (String view : ModelConfig.VIEW_NAMES) {
      for (String key : ModelSettings.keysOf(view)) {
        assertTrue(read.containsKey(ModelSettings.PREFIX + view + "." + key), view + "." + key);
      }
    }
  }
}
