package io.jrlstream.streams.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationTest {
  static final Setting<String> SERVERS = Setting.required("bootstrap.servers", "localhost:9092", "cluster");
  static final Setting<Integer> BATCH = Setting.integer("jrl.batch.size", 64, 1, Integer.MAX_VALUE, "batch");
  static final Setting<Integer> MAX = Setting.integer("jrl.max", 100, 1, Integer.MAX_VALUE, "most");
  static final Setting<String> TOKEN = Setting.text("jrl.serve.http.token", "", "token").secret()
      .legacyEnvironment("JRL_HTTP_TOKEN");
  static final Catalog CATALOG = Catalog.of(SettingGroup.of("Test", "", SERVERS, BATCH, MAX, TOKEN));

  @TempDir
  Path dir;

  private Path file(String... lines) throws Exception {
    return Files.write(dir.resolve("t.properties"), List.of(lines));
  }

  @Test
  void shouldLayerCommandLineOverEnvironmentOverFileOverDefaultWhateverTheOrderOfCalls() throws Exception {
    Path f = file("bootstrap.servers=file:1", "jrl.batch.size=8", "jrl.max=9");
    Configuration c = Configuration.builder(CATALOG)
        .set("jrl.batch.size", "32", Origin.commandLine("--batch-size"))
        .environment(Map.of("JRL_BATCH_SIZE", "16", "JRL_MAX", "10", "PATH", "/bin"))
        .file(f)
        .build();

    assertEquals(32, c.get(BATCH));
    assertEquals(Origin.commandLine("--batch-size"), c.origin("jrl.batch.size"));
    assertEquals(10, c.get(MAX));
    assertEquals(Origin.environment("JRL_MAX"), c.origin("jrl.max"));
    assertEquals("file:1", c.get(SERVERS));
    assertEquals(Origin.file(f), c.origin("bootstrap.servers"));
    assertEquals("", c.get(TOKEN));
    assertEquals(Origin.DEFAULT, c.origin("jrl.serve.http.token"));
    assertFalse(c.isSet(TOKEN));
  }

  @Test
  void shouldNameKeyValueAndOriginInEveryError() throws Exception {
    Path f = file("bootstrap.servers=b:1", "jrl.batch.size=lots");
    ConfigurationException e = assertThrows(ConfigurationException.class,
        () -> Configuration.builder(CATALOG).file(f).build().get(BATCH));
    assertEquals("jrl.batch.size must be an integer >= 1, got 'lots' (file " + f + ")", e.getMessage());

    Configuration env = Configuration.builder(CATALOG).environment(Map.of("JRL_MAX", "-2")).build();
    assertEquals("jrl.max must be an integer >= 1, got '-2' (environment JRL_MAX)",
        assertThrows(ConfigurationException.class, () -> env.get(MAX)).getMessage());

    assertTrue(assertThrows(ConfigurationException.class, () -> env.get(SERVERS)).getMessage()
        .startsWith("bootstrap.servers is required (cluster): set it in the configuration file, or as environment"
            + " variable JRL_BOOTSTRAP_SERVERS"));
  }

  @Test
  void shouldListEveryUnknownJrlKeyWithItsOriginAndPassOtherKeysThrough() throws Exception {
    Path f = file("jrl.batch.sise=3", "security.protocol=SSL", "jrl.max.=4");
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> Configuration.builder(CATALOG)
        .file(f).set("jrl.bach", "1", Origin.commandLine("--x")).build());
    assertTrue(e.getMessage().startsWith("unknown configuration keys jrl.bach (command line --x), jrl.batch.sise (file "
        + f + "), jrl.max. (file " + f + "); the jrl.* keys are [jrl.batch.size, jrl.max, jrl.serve.http.token]"),
        e.getMessage());

    Configuration ok = Configuration.builder(CATALOG).file(file("security.protocol=SSL", "jrl.max=4")).build();
    assertEquals(Map.of("security.protocol", "SSL"), ok.passthrough());
  }

  @Test
  void shouldReadEnvironmentVariablesLegacyNamesAndKafkaProperties() {
    Configuration c = Configuration.builder(CATALOG).environment(Map.of("JRL_HTTP_TOKEN", "old",
        "JRL_KAFKA_SASL_JAAS_CONFIG", "secret stuff", "JRL_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "JRL_BACH_SIZE", "1",
        "JRL_JAVA_OPTS", "-Xmx1g", "HOME", "/root")).build();
    assertEquals("old", c.get(TOKEN));
    assertEquals(Origin.environment("JRL_HTTP_TOKEN"), c.origin(TOKEN.key()));
    assertEquals(Map.of("sasl.jaas.config", "secret stuff", "security.protocol", "SASL_SSL"), c.passthrough());
    assertEquals(List.of("JRL_BACH_SIZE", "JRL_JAVA_OPTS"), c.ignoredEnvironment());

    Configuration both = Configuration.builder(CATALOG)
        .environment(Map.of("JRL_HTTP_TOKEN", "old", "JRL_SERVE_HTTP_TOKEN", "new")).build();
    assertEquals("new", both.get(TOKEN));

    ConfigurationException e = assertThrows(ConfigurationException.class, () -> Configuration.builder(CATALOG)
        .environment(Map.of("JRL_KAFKA_BOOTSTRAP_SERVERS", "b:1")).build());
    assertTrue(e.getMessage().contains("set by JRL_BOOTSTRAP_SERVERS"), e.getMessage());
  }

  @Test
  void shouldAddOriginsToARecordsOwnCheck() throws Exception {
    Path f = file("jrl.batch.size=50");
    Configuration c = Configuration.builder(CATALOG).file(f).build();
    ConfigurationException e = assertThrows(ConfigurationException.class, () -> c.build(x -> {
      if (x.get(BATCH) > x.get(MAX) / 4) {
        throw new IllegalArgumentException("jrl.batch.size must be at most a quarter of jrl.max.");
      }
      return x;
    }));
    assertEquals("jrl.batch.size must be at most a quarter of jrl.max. (jrl.batch.size: file " + f
        + "; jrl.max: default)", e.getMessage());
  }

  @Test
  void shouldShowEffectiveValuesWithSecretsHidden() {
    Properties p = new Properties();
    p.setProperty("jrl.serve.http.token", "s3cr3t");
    p.setProperty("sasl.jaas.config", "password=x");
    p.setProperty("acks", "all");
    Configuration c = Configuration.of(CATALOG, p).with("jrl.max", "7", Origin.commandLine("--max"));
    List<Configuration.Entry> e = c.effective();
    assertEquals(List.of("bootstrap.servers", "jrl.batch.size", "jrl.max", "jrl.serve.http.token", "acks",
        "sasl.jaas.config"), e.stream().map(Configuration.Entry::key).toList());
    assertEquals("64", e.get(1).value());
    assertEquals(Origin.DEFAULT, e.get(1).origin());
    assertEquals("7", e.get(2).value());
    assertEquals("[hidden]", e.get(3).value());
    assertEquals("[hidden]", e.get(5).value());
    assertFalse(c.toString().contains("s3cr3t"), c.toString());
    assertEquals(64, c.without("jrl.batch.size").get(BATCH));
  }

  @Test
  void shouldRefuseSettingsOutsideItsCatalogAsAWiringError() {
    Configuration c = Configuration.defaults(CATALOG);
    assertThrows(IllegalStateException.class, () -> c.get(Setting.integer("jrl.other", 1, 1, 2, "other")));
    assertThrows(IllegalStateException.class, () -> c.get(Setting.integer("jrl.max", 100, 1, 200, "look-alike")));
  }

  @Test
  void shouldRefuseCatalogsWhoseKeysCollide() {
    Setting<Integer> a = Setting.integer("jrl.a-b", 1, 1, 2, "a");
    Setting<Integer> b = Setting.integer("jrl.a.b", 1, 1, 2, "b");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Catalog.of(SettingGroup.of("g", "", a, b)))
        .getMessage().contains("both map to environment variable JRL_A_B"));
    assertThrows(IllegalArgumentException.class, () -> Catalog.of(SettingGroup.of("g", "", a), SettingGroup.of("h",
        "", a)));
    Setting<Integer> kafka = Setting.integer("jrl.kafka.x", 1, 1, 2, "k");
    assertThrows(IllegalArgumentException.class, () -> Catalog.of(SettingGroup.of("g", "", kafka)));
  }

  @Test
  void shouldReportEveryBadValueAtOnceWhicheverPartReadsIt() {
    Configuration c = Configuration.builder(CATALOG).environment(Map.of("JRL_BATCH_SIZE", "x", "JRL_MAX", "0"))
        .build();
    ConfigurationException e = assertThrows(ConfigurationException.class, c::requireValid);
    assertEquals("2 bad values: jrl.batch.size must be an integer >= 1, got 'x' (environment JRL_BATCH_SIZE); jrl.max"
        + " must be an integer >= 1, got '0' (environment JRL_MAX)", e.getMessage());
    Configuration d = Configuration.defaults(CATALOG);
    assertSame(d, d.requireValid());
  }

  @Test
  void shouldReportAMissingFileByName() {
    Path missing = dir.resolve("nope.properties");
    assertEquals("config file " + missing + " does not exist", assertThrows(ConfigurationException.class,
        () -> Configuration.builder(CATALOG).file(missing)).getMessage());
  }
}
