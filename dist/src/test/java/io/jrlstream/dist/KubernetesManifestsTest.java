package io.jrlstream.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.jrlstream.ops.JrlConfiguration;
import io.jrlstream.ops.OpsKeys;
import io.jrlstream.ops.pipeline.Lifecycle;
import io.jrlstream.ops.serve.HttpKeys;
import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.StreamsKeys;
import io.jrlstream.streams.image.ImageKeys;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests ({@code src/main/kubernetes}, {@code deploy/kubernetes} in the archive) parsed and checked
 * against the code: every pod reads the ConfigMap's file, whose keys are the code's and which binds the HTTP ports
 * where probes reach them; probes ask {@code /health} (liveness) and {@code /ready} (readiness) on the port the
 * command serves them on (the serving port, or {@code jrl.metrics.port} with {@code --no-serve}); state lives on
 * each pod's persistent volume where {@code state.dir} points; serving advertises its pod's DNS name through a
 * headless Service; standby replicas are configured, with a replica to hold them; SIGTERM has the time the code
 * takes to close; the image is the Dockerfile's.
 */
class KubernetesManifestsTest {
  private static final Path DIR = Path.of("src", "main", "kubernetes"); // tests run in the module's folder
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static List<JsonNode> docs;
  private static Properties config;

  @BeforeAll
  static void parse() throws IOException {
    docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(DIR)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (var it = YAML.readerFor(JsonNode.class).readValues(Files.readString(f, StandardCharsets.UTF_8))) {
          while (it.hasNext()) {
            JsonNode doc = (JsonNode) it.next();
            if (doc != null && !doc.isEmpty()) {
              docs.add(doc);
            }
          }
        }
      }
    }
    JsonNode map = only("ConfigMap", "jrl-config");
    config = new Properties();
    config.load(new StringReader(map.path("data").path("jrl.properties").asText()));
  }

  private static List<JsonNode> kind(String kind) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
  }

  private static JsonNode only(String kind, String name) {
    List<JsonNode> found = kind(kind).stream().filter(d -> d.path("metadata").path("name").asText().equals(name))
        .toList();
    assertEquals(1, found.size(), kind + " " + name);
    return found.get(0);
  }

  @Test
  void shouldConfigureOnlyKnownKeysAndPortsAndStateWherePodsNeedThem() {
    // Read as jrl run reads it: an unknown jrl.* key or a bad value fails here, naming the key.
    Configuration c = Configuration.of(JrlConfiguration.CATALOG, config).requireValid();
    for (String key : config.stringPropertyNames()) {
      assertFalse(config.getProperty(key).contains("#"), key + ": properties files have no inline comments");
    }
    assertTrue(c.isSet(StreamsKeys.BOOTSTRAP_SERVERS), "bootstrap.servers");
    assertEquals("0.0.0.0", c.get(HttpKeys.BIND), "probes reach the pod's address, not loopback");
    assertTrue(Integer.parseInt(config.getProperty("num.standby.replicas", "0")) >= 1, "standby replicas");
    for (String k : List.of(StreamsKeys.REVIEWS.replication().key(), StreamsKeys.RATINGS.replication().key(),
        StreamsKeys.IMAGE_FEATURES.replication().key(), StreamsKeys.DEAD_LETTERS.replication().key(),
        ImageKeys.IMAGES.replication().key(), "replication.factor")) {
      assertEquals("3", config.getProperty(k), k + ": a real cluster's replication");
    }
  }

  @Test
  void shouldRunEachRoleAsAStatefulSetWithProbesPortsVolumesAndTheConfigOfTheCode() {
    List<JsonNode> sets = kind("StatefulSet");
    assertEquals(List.of("jrl-serving", "jrl-trainer"), sets.stream().map(s -> s.path("metadata").path("name")
        .asText()).sorted().toList());
    for (JsonNode set : sets) {
      String name = set.path("metadata").path("name").asText();
      JsonNode spec = set.path("spec");
      JsonNode pod = spec.path("template").path("spec");
      JsonNode c = pod.path("containers").get(0);
      List<String> args = new ArrayList<>();
      c.path("args").forEach(a -> args.add(a.asText()));
      boolean trainer = args.get(0).equals("run");
      assertEquals(trainer ? "jrl-trainer" : "jrl-serving", name);
      assertTrue(trainer || args.get(0).equals("serve"), name + " runs " + args);
      assertEquals(trainer, args.contains("--no-serve"), name + ": the trainer serves no queries");
      assertTrue(spec.path("replicas").asInt() >= 2, name + ": a second pod holds the standby replicas");

      // The port the command answers /health, /ready and /metrics on, named by the probes.
      Configuration conf = Configuration.of(JrlConfiguration.CATALOG, config);
      int port = trainer ? conf.get(OpsKeys.METRICS_PORT) : conf.get(HttpKeys.PORT);
      assertEquals(trainer ? 9464 : 8080, port, name + ": the code's default port");
      JsonNode ports = c.path("ports");
      assertEquals(1, ports.size(), name + " ports");
      assertEquals(port, ports.get(0).path("containerPort").asInt(), name + " container port");
      String portName = ports.get(0).path("name").asText();
      assertEquals("/health", c.path("livenessProbe").path("httpGet").path("path").asText(), name);
      assertEquals("/ready", c.path("readinessProbe").path("httpGet").path("path").asText(), name);
      assertEquals("/health", c.path("startupProbe").path("httpGet").path("path").asText(), name);
      for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
        assertEquals(portName, c.path(probe).path("httpGet").path("port").asText(), name + " " + probe + " port");
      }
      assertEquals(Integer.toString(port), set.path("spec").path("template").path("metadata").path("annotations")
          .path("prometheus.io/port").asText(), name + ": scraped on that port");

      // The config file the command reads is the ConfigMap's, mounted.
      String configFile = args.get(args.indexOf("--config") + 1);
      JsonNode configMount = mount(c, "config");
      assertEquals(configFile, configMount.path("mountPath").asText() + "/jrl.properties", name);
      assertEquals("jrl-config", volume(pod, "config").path("configMap").path("name").asText(), name);

      // state.dir on the pod's own persistent volume.
      JsonNode state = mount(c, "state");
      assertTrue(config.getProperty("state.dir").startsWith(state.path("mountPath").asText() + "/"),
          name + ": state.dir " + config.getProperty("state.dir") + " not on the volume");
      assertEquals("state", spec.path("volumeClaimTemplates").get(0).path("metadata").path("name").asText(), name);
      assertEquals("ReadWriteOnce", spec.path("volumeClaimTemplates").get(0).path("spec").path("accessModes").get(0)
          .asText(), name);

      // A headless Service gives each pod its DNS name; SIGTERM gets the time the code takes to close.
      JsonNode headless = only("Service", spec.path("serviceName").asText());
      assertEquals("None", headless.path("spec").path("clusterIP").asText(), name + ": headless");
      assertEquals(spec.path("selector").path("matchLabels"), headless.path("spec").path("selector"), name);
      assertEquals(spec.path("selector").path("matchLabels"), spec.path("template").path("metadata").path("labels"));
      assertTrue(pod.path("terminationGracePeriodSeconds").asLong() > Lifecycle.CLOSE_TIMEOUT.toSeconds(),
          name + ": SIGTERM waits up to " + Lifecycle.CLOSE_TIMEOUT + " for the clients to close");
      assertTrue(c.path("image").asText().equals("jrl:" + System.getProperty("jrl.version", "0.1.0-SNAPSHOT")),
          name + " image " + c.path("image").asText());
      assertTrue(c.path("command").isMissingNode(), name + ": the image's entry point (bin/jrl) runs");
      for (JsonNode e : c.path("env")) {
        String variable = e.path("name").asText();
        assertTrue(!variable.startsWith("JRL_") || JrlConfiguration.LAUNCHER_VARIABLES.contains(variable)
            || JrlConfiguration.CATALOG.environmentVariables().containsKey(variable),
            name + ": " + variable + " is neither a launcher variable nor a configuration key's");
      }

      if (!trainer) {
        // Forwarded queries go to the pod's stable DNS name, on the serving port.
        String advertised = args.get(args.indexOf("--http-advertised") + 1);
        assertEquals("$(POD_NAME)." + headless.path("metadata").path("name").asText()
            + ".$(POD_NAMESPACE).svc.cluster.local:" + port, advertised);
        assertEquals("metadata.name", env(c, "POD_NAME").path("valueFrom").path("fieldRef").path("fieldPath")
            .asText());
        assertEquals("metadata.namespace", env(c, "POD_NAMESPACE").path("valueFrom").path("fieldRef")
            .path("fieldPath").asText());
        assertTrue(headless.path("spec").path("publishNotReadyAddresses").asBoolean(),
            "a pod is reachable by name before it is ready");
        assertEquals(port, only("Service", "jrl-serving").path("spec").path("ports").get(0).path("port").asInt());
      }
    }
  }

  @Test
  void shouldBuildTheImageTheManifestsRunFromTheArchive() throws IOException {
    String docker = Files.readString(Path.of("src", "main", "docker", "Dockerfile"), StandardCharsets.UTF_8);
    assertTrue(docker.contains("ADD jrl-${VERSION}-dist.tar.gz /opt/"), "the image unpacks the archive");
    assertTrue(docker.contains("ENTRYPOINT [\"/opt/jrl/bin/jrl\"]"), "the launcher is the entry point");
    assertTrue(docker.contains("EXPOSE 8080 9464"), "the serving and metrics ports");
    assertTrue(docker.contains("USER 10001:10001"));
    for (JsonNode set : kind("StatefulSet")) {
      assertEquals(10001, set.path("spec").path("template").path("spec").path("securityContext").path("fsGroup")
          .asInt(), "the volume is writable by the image's user");
    }
  }

  private static JsonNode mount(JsonNode container, String name) {
    for (JsonNode m : container.path("volumeMounts")) {
      if (m.path("name").asText().equals(name)) {
        return m;
      }
    }
    throw new AssertionError("no volume mount " + name);
  }

  private static JsonNode volume(JsonNode pod, String name) {
    for (JsonNode v : pod.path("volumes")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no volume " + name);
  }

  private static JsonNode env(JsonNode container, String name) {
    for (JsonNode e : container.path("env")) {
      if (e.path("name").asText().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no env " + name);
  }
}
