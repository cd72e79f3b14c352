package io.jrlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.ops.serve.HttpKeys;
import io.jrlstream.streams.StreamsCatalog;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.Origin;
import io.jrlstream.streams.config.Setting;
import io.jrlstream.streams.config.StreamsKeys;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The configuration file format from the command line: {@code jrl config --template} writes a file that loads as is
 * and reads back as exactly the defaults, {@code jrl config --effective} shows every value's origin, and bad values
 * are refused with the key, the value and where it came from, all without a broker.
 */
class ConfigCommandTest {
  @TempDir
  Path dir;

  private Path template(Map<String, String> env, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("config", "--template"));
    all.addAll(List.of(args));
    JrlRun r = JrlRun.of(env, all.toArray(String[]::new));
    assertEquals(0, r.code(), r.err());
    return Files.writeString(dir.resolve("t.properties"), r.out());
  }

  @Test
  void shouldWriteATemplateThatLoadsAsIsToExactlyTheDefaults() throws Exception {
    Path t = template(Map.of());
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(t)));
    for (Setting<?> s : JrlConfiguration.CATALOG.settings()) {
      assertTrue(p.containsKey(s.key()), "the template lacks " + s.key());
    }
    assertEquals(JrlConfiguration.CATALOG.settings().size(), p.size(), "keys beyond the catalog: " + p.keySet());
    assertEquals("localhost:9092", p.getProperty("bootstrap.servers"));
    for (String line : Files.readAllLines(t)) {
      assertFalse(!line.startsWith("#") && line.contains("#"), "a comment after a value: " + line);
    }

    RunSettings fromTemplate = RunSettings.from(JrlConfiguration.builder(t, Map.of()).build(), UnaryOperator.identity(),
        "jrl-state");
    RunSettings defaults = RunSettings.from(JrlConfiguration.builder(null, Map.of())
        .set("bootstrap.servers", "localhost:9092", Origin.commandLine("--bootstrap-servers")).build(),
        UnaryOperator.identity(), "jrl-state");
    assertEquals(defaults, fromTemplate);
    assertEquals(-1, fromTemplate.streams().reviews().replication(), "replication defaults to the broker's");

    JrlRun effective = JrlRun.of(Map.of(), "config", "--effective", "--config", t.toString());
    assertEquals(0, effective.code(), effective.err());
    assertTrue(effective.out().contains(JrlConfiguration.CATALOG.settings().size() + " values from the file, 0 from"
        + " the environment, 0 from the command line"), effective.out());
  }

  @Test
  void shouldShowWhereEveryValueComesFromWithCommandLineOverEnvironmentOverFile() throws Exception {
    Path f = Files.writeString(dir.resolve("f.properties"), String.join("\n", "bootstrap.servers=file:9092",
        "jrl.seed=7", "jrl.batch.size=8", "jrl.model.review.lr=0.5", "linger.ms=5", ""));
    Map<String, String> env = Map.of("JRL_BATCH_SIZE", "32", "JRL_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT",
        "JRL_HTTP_TOKEN", "t0k3n", "JRL_BATCH_SIZ", "1", "JRL_JAVA_OPTS", "-Xmx1g");
    JrlRun r = JrlRun.of(env, "config", "--effective", "--config", f.toString(), "--http-port", "9999", "--set",
        "review.lr=0.01", "--state-dir", dir.resolve("state").toString());
    assertEquals(0, r.code(), r.err());
    assertLine(r.out(), "bootstrap.servers", "file:9092", "file " + f);
    assertLine(r.out(), "jrl.seed", "7", "file " + f);
    assertLine(r.out(), "jrl.batch.size", "32", "environment JRL_BATCH_SIZE");
    assertLine(r.out(), "jrl.model.review.lr", "0.01", "command line --set");
    assertLine(r.out(), "jrl.serve.http.port", "9999", "command line --http-port");
    assertLine(r.out(), "jrl.serve.http.token", "[hidden]", "environment JRL_HTTP_TOKEN");
    assertLine(r.out(), "security.protocol", "PLAINTEXT", "environment JRL_KAFKA_SECURITY_PROTOCOL");
    assertLine(r.out(), "linger.ms", "5", "file " + f);
    assertLine(r.out(), "jrl.checkpoint.batches", "500", "default");
    assertFalse(r.out().contains("t0k3n"), r.out());
    assertTrue(r.out().contains("views collaborative,review,rating, batch 32"), r.out());
    assertTrue(r.err().contains("environment variable JRL_BATCH_SIZ is not a configuration key"), r.err());
    assertFalse(r.err().contains("JRL_JAVA_OPTS"), r.err());
  }

  private static void assertLine(String table, String key, String value, String origin) {
    assertTrue(table.lines().anyMatch(l -> l.matches(Pattern.quote(key) + " +"
        + Pattern.quote(value) + " +" + Pattern.quote(origin))),
        key + " " + value + " " + origin + " not in\n" + table);
  }

  @Test
  void shouldNameTheKeyTheValueAndItsOriginWhenAValueIsBad() throws Exception {
    Path f = Files.writeString(dir.resolve("bad.properties"), "bootstrap.servers=b:1\njrl.batch.size=lots\n");
    JrlRun file = JrlRun.of(Map.of(), "run", "--config", f.toString());
    assertEquals(2, file.code(), file.err());
    assertTrue(file.err().contains("jrl run: jrl.batch.size must be an integer >= 1, got 'lots' (file " + f + ")"),
        file.err());

    JrlRun env = JrlRun.of(Map.of("JRL_BOOTSTRAP_SERVERS", "b:1", "JRL_IMAGE_MAX_WAIT_MS", "-1"), "run");
    assertEquals(2, env.code(), env.err());
    assertTrue(env.err().contains("jrl.image.max.wait.ms must be an integer >= 0, got '-1' (environment"
        + " JRL_IMAGE_MAX_WAIT_MS)"), env.err());

    Path crossed = Files.writeString(dir.resolve("crossed.properties"), "bootstrap.servers=b:1\n"
        + "jrl.rocksdb.write.buffer.bytes=300000000\n");
    JrlRun both = JrlRun.of(Map.of(), "config", "--effective", "--config", crossed.toString());
    assertEquals(2, both.code(), both.err());
    assertTrue(both.err().contains("jrl.rocksdb.write.buffer.bytes (300000000) must be below jrl.rocksdb.cache.bytes"
        + " (268435456) (jrl.rocksdb.write.buffer.bytes: file " + crossed + "; jrl.rocksdb.cache.bytes: default)"),
        both.err());

    Path typo = Files.writeString(dir.resolve("typo.properties"), "bootstrap.servers=b:1\njrl.batch.sise=3\n");
    JrlRun unknown = JrlRun.of(Map.of(), "import", "--data", f.toString(), "--config", typo.toString());
    assertEquals(2, unknown.code(), unknown.err());
    assertTrue(unknown.err().contains("unknown configuration key jrl.batch.sise (file " + typo + ")"), unknown.err());

    JrlRun none = JrlRun.of(Map.of(), "export", "--view", "review", "--out", dir.toString());
    assertEquals(2, none.code(), none.err());
    assertTrue(none.err().contains("bootstrap.servers is required"), none.err());
    assertTrue(none.err().contains("JRL_BOOTSTRAP_SERVERS"), none.err());
  }

  @Test
  void shouldGiveEveryKeyAnEnvironmentVariableOfItsOwnAndForgetNoModuleKey() {
    Map<String, Setting<?>> vars = JrlConfiguration.CATALOG.environmentVariables();
    int legacy = JrlConfiguration.CATALOG.settings().stream().mapToInt(s -> s.legacyEnvironmentNames().size()).sum();
    assertEquals(JrlConfiguration.CATALOG.settings().size() + legacy, vars.size());
    assertEquals(Set.of(), intersection(vars.keySet(), JrlConfiguration.LAUNCHER_VARIABLES));
    assertEquals("jrl.batch.size", vars.get("JRL_BATCH_SIZE").key());
    assertEquals("bootstrap.servers", vars.get("JRL_BOOTSTRAP_SERVERS").key());
    assertEquals("jrl.model.review.minCount", vars.get("JRL_MODEL_REVIEW_MINCOUNT").key());
    assertEquals(HttpKeys.TOKEN, vars.get("JRL_HTTP_TOKEN"));
    for (Setting<?> s : StreamsCatalog.CATALOG.settings()) {
      assertTrue(JrlConfiguration.CATALOG.contains(s), s.key() + " is not in the product's catalog");
    }
    Configuration d = Configuration.defaults(JrlConfiguration.CATALOG);
    assertEquals(StreamsKeys.APPLICATION_ID.defaultValue().orElseThrow(), d.get(StreamsKeys.APPLICATION_ID));
  }

  private static Set<String> intersection(Set<String> a, Set<String> b) {
    Set<String> out = new HashSet<>(a);
    out.retainAll(b);
    return out;
  }

  @Test
  void shouldKeepTheOlderOptionNamesAsHiddenAliases() throws Exception {
    CommandLine cl = Jrl.commandLine(Map.of());
    CommandLine.ParseResult r = cl.parseArgs("export", "--view", "v", "--out", "o", "--bootstrap", "b:1");
    ExportCommand export = r.subcommand().commandSpec().commandLine().getCommand();
    assertEquals("b:1", export.configOptions.bootstrapServers);
    QueryCommand query = Jrl.commandLine(Map.of()).parseArgs("query", "u", "--token", "t", "--json").subcommand()
        .commandSpec().commandLine().getCommand();
    assertEquals("t", query.token);
    assertTrue(query.raw);
    LocalCommand local = Jrl.commandLine(Map.of()).parseArgs("local", "--port", "9093").subcommand().commandSpec()
        .commandLine().getCommand();
    assertEquals(9093, local.port);
    String help = Jrl.commandLine(Map.of()).getSubcommands().get("export").getUsageMessage();
    assertTrue(help.contains("--bootstrap-servers") && !help.contains("--bootstrap "), help);

    JrlRun keys = JrlRun.of(Map.of(), "run", "--keys");
    assertEquals(0, keys.code(), keys.err());
    Properties p = new Properties();
    p.load(new StringReader(keys.out()));
    assertEquals("64", p.getProperty("jrl.batch.size"), "jrl run --keys prints the template");
  }
}
