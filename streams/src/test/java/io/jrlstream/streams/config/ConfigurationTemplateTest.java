package io.jrlstream.streams.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.streams.StreamsCatalog;
import java.io.StringReader;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConfigurationTemplateTest {

  private static Properties load(String text) throws Exception {
    Properties p = new Properties();
    p.load(new StringReader(text));
    return p;
  }

  @Test
  void shouldWriteEveryKeyWithItsDefaultAndMeaningOnLinesOfTheirOwnSoThatItLoadsBack() throws Exception {
    Catalog catalog = StreamsCatalog.CATALOG;
    String text = ConfigurationTemplate.write(Configuration.defaults(catalog), List.of("header"));
    Properties p = load(text);

    assertEquals(catalog.settings().size(), p.size());
    Configuration loaded = Configuration.of(catalog, p);
    for (Setting<?> s : catalog.settings()) {
      String expected = s.defaultText().orElseGet(() -> s.example().orElseThrow());
      assertEquals(expected, p.getProperty(s.key()), s.key());
      assertEquals(s.parse(expected), loaded.get(s), s.key());
      s.defaultValue().ifPresent(d -> assertEquals(d, loaded.get(s), s.key()));
      int at = text.indexOf("\n" + s.key() + "=");
      String before = text.substring(text.lastIndexOf("\n\n", at), at);
      assertTrue(before.contains("Environment: " + s.environmentName() + "."), s.key() + ": " + before);
    }
    for (String line : text.split("\n")) {
      assertTrue(line.isEmpty() || line.startsWith("#") || line.matches("[a-zA-Z0-9.-]+=[^#]*"), line);
      assertTrue(line.length() <= ConfigurationTemplate.WIDTH, line);
    }
    assertTrue(text.startsWith("# header\n"), text);
  }

  @Test
  void shouldWriteTheValuesOfAConfigurationButNoSecret() throws Exception {
    Setting<String> token = Setting.text("jrl.token", "", "token").secret();
    Setting<String> path = Setting.text("jrl.path", "", "a path with odd characters");
    Catalog catalog = Catalog.of(SettingGroup.of("g", "the group", ConfigurationTest.BATCH, token, path));
    Properties given = new Properties();
    given.setProperty("jrl.batch.size", "8");
    given.setProperty("jrl.token", "s3cr3t");
    given.setProperty("jrl.path", " C:\\models\\caf\u00e9 #1");
    given.setProperty("sasl.jaas.config", "password=x");
    given.setProperty("acks", "all");
    String text = ConfigurationTemplate.write(Configuration.of(catalog, given), List.of());
    Properties p = load(text);

    assertEquals("8", p.getProperty("jrl.batch.size"));
    assertTrue(text.contains("Default: 64."), text);
    assertEquals("", p.getProperty("jrl.token"));
    assertFalse(text.contains("s3cr3t") || text.contains("password=x"), text);
    assertEquals("C:\\models\\caf\u00e9 #1", p.getProperty("jrl.path"), "stripped, as every value is read");
    assertEquals("all", p.getProperty("acks"));
    assertFalse(p.containsKey("sasl.jaas.config"));
  }
}
