package io.jrlstream.streams.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SettingTest {
  enum Colour { RED, DARK_BLUE }

  @Test
  void shouldParseEachTypeAndFormatItBack() {
    Setting<Integer> i = Setting.integer("jrl.i", 5, 1, 10, "an int");
    Setting<Long> l = Setting.longValue("jrl.l", -1L, Long.MIN_VALUE, Long.MAX_VALUE, "a long");
    Setting<Double> d = Setting.number("jrl.d", 0.5, 0, 1, "a fraction");
    Setting<Boolean> b = Setting.bool("jrl.b", false, "a flag");
    Setting<Colour> c = Setting.choice("jrl.c", Colour.class, Colour.RED, "a colour");
    Setting<List<String>> list = Setting.list("jrl.list", List.of("a"), "names");
    Setting<Short> r = Setting.replication("jrl.r", "replication");

    assertEquals(7, i.parse(" 7 "));
    assertEquals(-3L, l.parse("-3"));
    assertEquals(0.25, d.parse("0.25"));
    assertEquals(true, b.parse("TRUE"));
    assertEquals(Colour.DARK_BLUE, c.parse("dark_blue"));
    assertEquals("dark_blue", c.format(Colour.DARK_BLUE));
    assertEquals(List.of("x", "y"), list.parse(" x, ,y ,"));
    assertEquals(List.of(), list.parse(""));
    assertEquals("x,y", list.format(List.of("x", "y")));
    assertEquals((short) -1, r.defaultValue().orElseThrow());
    assertEquals((short) 3, r.parse("3"));
    for (Setting<?> s : List.of(i, l, d, b, c, list, r)) {
      roundTrip(s);
    }
  }

  private static <T> void roundTrip(Setting<T> s) {
    T v = s.defaultValue().orElseThrow();
    assertEquals(v, s.parse(s.format(v)), s.key());
    assertEquals(s.defaultText().orElseThrow(), s.format(v), s.key());
  }

  @Test
  void shouldNameTheKeyTheExpectationAndTheTextInEveryParseError() {
    Setting<Integer> i = Setting.integer("jrl.batch.size", 64, 1, Integer.MAX_VALUE, "batch");
    assertEquals("jrl.batch.size must be an integer >= 1, got 'abc'", message(() -> i.parse("abc")));
    assertEquals("jrl.batch.size must be an integer >= 1, got '0'", message(() -> i.parse("0")));
    assertEquals("jrl.batch.size must be an integer >= 1, got '99999999999'", message(() -> i.parse("99999999999")));
    assertEquals("jrl.x must be an integer from 1 to 10, got '11'",
        message(() -> Setting.integer("jrl.x", 1, 1, 10, "x").parse("11")));
    assertEquals("jrl.b must be true or false, got 'yes'",
        message(() -> Setting.bool("jrl.b", true, "b").parse("yes")));
    assertEquals("jrl.c must be one of red, dark_blue, got 'green'",
        message(() -> Setting.choice("jrl.c", Colour.class, Colour.RED, "c").parse("green")));
    assertTrue(message(() -> Setting.replication("jrl.r", "r").parse("0")).startsWith("jrl.r must be -1"));
    assertTrue(message(() -> Setting.number("jrl.d", 0, 0, 1, "d").parse("NaN")).startsWith("jrl.d must be a number"));
    assertEquals("jrl.t must be non-blank text, got ''", message(() -> Setting.required("jrl.t", "e", "t").parse(" ")));
  }

  @Test
  void shouldCheckValuesGivenInCodeWithTheSameRange() {
    Setting<Integer> i = Setting.integer("jrl.batch.size", 64, 1, Integer.MAX_VALUE, "batch");
    assertEquals(3, i.require(3));
    assertEquals("jrl.batch.size must be an integer >= 1, got 0", message(() -> i.require(0)));
    assertThrows(NullPointerException.class, () -> i.require(null));
    Setting<String> token = Setting.text("jrl.token", "", "token").allowing(t -> t.length() < 4, "short").secret();
    assertEquals("jrl.token must be short, got [hidden]", message(() -> token.require("secret")));
  }

  @Test
  void shouldRefuseDeclarationsThatCannotWork() {
    assertThrows(IllegalArgumentException.class, () -> Setting.integer("jrl.x", 0, 1, 10, "default out of range"));
    assertThrows(IllegalArgumentException.class, () -> Setting.integer("jrl x", 1, 1, 10, "space in key"));
    assertThrows(IllegalArgumentException.class, () -> Setting.integer("jrl.x", 1, 1, 10, " "));
  }

  @Test
  void shouldMapKeysToEnvironmentVariables() {
    assertEquals("JRL_BATCH_SIZE", Setting.environmentName("jrl.batch.size"));
    assertEquals("JRL_BOOTSTRAP_SERVERS", Setting.environmentName("bootstrap.servers"));
    assertEquals("JRL_MODEL_REVIEW_MINCOUNT", Setting.environmentName("jrl.model.review.minCount"));
    assertEquals("JRL_TOPIC_IMAGE_FEATURES", Setting.environmentName("jrl.topic.image.features"));
    assertEquals("JRL_STATE_DIR", Setting.environmentName("state.dir"));
  }

  private static String message(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }
}
