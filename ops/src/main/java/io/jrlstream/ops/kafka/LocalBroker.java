package io.jrlstream.ops.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka cluster (KRaft broker and controller in one server) running inside this
 * JVM, for {@code jrl local} and for tests against a real broker (DESIGN.md §2, "ops").
 *
 * <p><b>Lifecycle.</b> {@link #start(Settings)} formats the storage under the working directory when
 * it is not formatted yet (a new cluster id is drawn then), otherwise reuses the data and cluster id
 * found there; it starts the server and returns once an admin client sees the broker, or throws
 * {@link KafkaOpsException} after {@link Settings#startTimeout()} with the server stopped again.
 * {@link #close()} shuts the server down cleanly and waits for it; the directory can then be started
 * again, in this JVM or another. Only one broker may use a directory at a time (Kafka locks it).
 *
 * <p><b>Working directory layout.</b> {@code kraft-data/} holds the logs and metadata ({@code
 * meta.properties} there keeps the cluster id); {@code server.properties} is the full configuration
 * of the last start (the same file starts a separate broker process: {@code java -cp <ops classpath>
 * kafka.Kafka server.properties}); {@code local-broker.properties} remembers the client port, so a
 * restart keeps the same bootstrap address when that port is still free.
 *
 * <p><b>Settings.</b> Chosen for exactly-once processing on one node and a small footprint:
 * replication factor 1 and {@code min.insync.replicas=1} for every topic including the internal
 * offsets and transaction-state topics (4 partitions each, not 50), {@code
 * group.initial.rebalance.delay.ms=0}, an 8 MiB log-cleaner dedupe buffer (the 128 MiB default would
 * take a large part of a small heap), 64 MiB log segments, no time-based retention ({@code
 * log.retention.ms=-1}: a local broker keeps what it was given, as the trainers' validated topic must, also in
 * a data folder from before that topic was created with its own -1), {@code auto.create.topics.enable=false}
 * (topics are created by {@link TopicAdmin} with their configured settings, so a forgotten one fails
 * loudly instead of appearing with defaults) and few network/IO threads. Listeners bind to 127.0.0.1
 * only. {@link Settings#brokerOverrides()} changes any of these except the identity, listener and
 * directory keys.
 *
 * <p><b>Threading.</b> Thread-safe; {@link #close()} is idempotent. The server runs on its own
 * threads; the accessors never block.
 */
public final class LocalBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalBroker.class);

  /** Subdirectory of the working directory holding Kafka's logs and metadata. */
  public static final String DATA_DIR = "kraft-data";

  /** File in the working directory with the configuration of the last start. */
  public static final String SERVER_PROPERTIES = "server.properties";

  /** File in the working directory remembering the client port of the last start. */
  public static final String STATE_FILE = "local-broker.properties";

  private static final String HOST = "127.0.0.1";
  private static final int NODE_ID = 1;
  private static final String PORT_KEY = "port";

  /** Keys that {@link LocalBroker} owns: overriding them would break the single-node layout. */
  private static final Set<String> RESERVED_KEYS = Set.of(
      "process.roles", "node.id", "listeners", "advertised.listeners", "controller.listener.names",
      "listener.security.protocol.map", "inter.broker.listener.name", "controller.quorum.voters",
      "controller.quorum.bootstrap.servers", "log.dirs", "log.dir", "metadata.log.dir");

  /** The defaults described in the class javadoc; {@link Settings#brokerOverrides()} wins. */
  private static final Map<String, String> DEFAULTS = defaults();

  private final Path workDir;
  private final String clusterId;
  private final int port;
  private final KafkaRaftServer server;
  private boolean closed;

  private LocalBroker(Path workDir, String clusterId, int port, KafkaRaftServer server) {
    this.workDir = workDir;
    this.clusterId = clusterId;
    this.port = port;
    this.server = server;
  }

  /**
   * Starts a broker with its data under {@code workDir} and default settings ({@link
   * Settings#of(Path)}).
   *
   * @param workDir the working directory; created when absent
   * @return the running broker; close it
   * @throws KafkaOpsException when it does not start (the message says why and where)
   */
  public static LocalBroker start(Path workDir) {
    return start(Settings.of(workDir));
  }

  /**
   * Starts a broker as configured; blocks until it accepts clients.
   *
   * @param settings where and how to run
   * @return the running broker; close it
   * @throws KafkaOpsException when it does not start within the timeout, its port is taken, or the
   *     directory is in use or unreadable; the server is stopped again before this is thrown
   */
  public static LocalBroker start(Settings settings) {
    long begin = System.nanoTime();
    Path workDir = settings.workDir().toAbsolutePath().normalize();
    Path dataDir = workDir.resolve(DATA_DIR);
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new KafkaOpsException("cannot create the local broker's directory " + dataDir, e);
    }
    Path metaProperties = dataDir.resolve("meta.properties");
    boolean formatted = Files.exists(metaProperties);
    String clusterId = formatted
        ? readProperties(metaProperties).getProperty("cluster.id")
        : Uuid.randomUuid().toString();
    if (clusterId == null) {
      throw new KafkaOpsException(metaProperties + " has no cluster.id; delete " + workDir
          + " to start a new local cluster");
    }
    int port = choosePort(settings.port(), workDir.resolve(STATE_FILE));
    int controllerPort = freePort();

    Map<String, String> config = new TreeMap<>(DEFAULTS);
    config.putAll(settings.brokerOverrides());
    config.put("process.roles", "broker,controller");
    config.put("node.id", Integer.toString(NODE_ID));
    config.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":"
        + controllerPort);
    config.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
    config.put("controller.listener.names", "CONTROLLER");
    config.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    config.put("inter.broker.listener.name", "PLAINTEXT");
    // A static voter set: the controller's port is re-drawn on every start, and with static voters
    // no old controller address is kept in the metadata log.
    config.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    config.put("log.dirs", dataDir.toString());
    Path serverProperties = workDir.resolve(SERVER_PROPERTIES);
    writeProperties(serverProperties, config,
        "Written by the jrl LocalBroker on each start");

    if (!formatted) {
      format(clusterId, serverProperties, workDir);
    }
    Properties props = new Properties();
    props.putAll(config);
    KafkaRaftServer server;
    try {
      server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    } catch (RuntimeException e) {
      throw new KafkaOpsException("invalid local broker configuration (" + serverProperties + "): "
          + e.getMessage(), e);
    }
    LocalBroker broker = new LocalBroker(workDir, clusterId, port, server);
    try {
      server.startup();
      broker.awaitReady(settings.startTimeout());
    } catch (RuntimeException e) {
      broker.close();
      if (e instanceof KafkaOpsException) {
        throw e;
      }
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new KafkaOpsException("the local broker in " + workDir + " failed to start on " + HOST
          + ":" + port + ": " + e.getMessage() + (root == e ? "" : " (cause: " + root + ")"), e);
    }
    writeProperties(workDir.resolve(STATE_FILE), Map.of(PORT_KEY, Integer.toString(port)),
        "Written by the jrl LocalBroker: the client port of the last start");
    LOG.info("local Kafka broker up at {} in {} ms ({} data in {})", broker.bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin), formatted ? "reused" : "new",
        dataDir);
    return broker;
  }

  /** @return the {@code bootstrap.servers} value for clients, e.g. {@code "127.0.0.1:40123"} */
  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  /** @return the client port */
  public int port() {
    return port;
  }

  /** @return the cluster id, kept in the working directory across restarts */
  public String clusterId() {
    return clusterId;
  }

  /** @return the absolute working directory */
  public Path workDir() {
    return workDir;
  }

  /**
   * Shuts the server down cleanly (logs flushed, controlled shutdown) and waits until its threads
   * have stopped. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long begin = System.nanoTime();
    server.shutdown();
    server.awaitShutdown();
    LOG.info("local Kafka broker at {} stopped in {} ms", bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
  }

  @Override
  public String toString() {
    return "LocalBroker[" + bootstrapServers() + ", " + workDir + "]";
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<String, Object> adminConfig = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.CLIENT_ID_CONFIG, "jrl-local-broker-probe-" + port,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    Exception last = null;
    try (Admin admin = Admin.create(adminConfig)) {
      while (System.nanoTime() - deadline < 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        try {
          var nodes = admin.describeCluster().nodes().get(Math.max(left, 1), TimeUnit.MILLISECONDS);
          if (nodes.stream().map(Node::id).anyMatch(id -> id == NODE_ID)) {
            return;
          }
        } catch (ExecutionException e) {
          last = e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        } catch (TimeoutException e) {
          last = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new KafkaOpsException("interrupted while waiting for the local broker at "
              + bootstrapServers(), e);
        }
        sleep(100);
      }
    }
    throw new KafkaOpsException("the local broker in " + workDir + " did not accept clients at "
        + bootstrapServers() + " within " + timeout.toMillis() + " ms"
        + (last == null ? "" : " (last error: " + last + ")"), last);
  }

  private static void format(String clusterId, Path serverProperties, Path workDir) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int rc;
    try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      rc = StorageTool.execute(
          new String[] {"format", "-t", clusterId, "-c", serverProperties.toString()}, out);
    } catch (RuntimeException e) {
      throw new KafkaOpsException("formatting the local broker's storage in " + workDir
          + " failed: " + e.getMessage() + "\n" + output.toString(StandardCharsets.UTF_8), e);
    }
    if (rc != 0) {
      throw new KafkaOpsException("formatting the local broker's storage in " + workDir
          + " failed (exit code " + rc + "):\n" + output.toString(StandardCharsets.UTF_8));
    }
    LOG.debug("formatted {}: {}", workDir, output.toString(StandardCharsets.UTF_8).trim());
  }

  /** Configured port if set; else the last start's port if still free; else a free one. */
  private static int choosePort(int configured, Path stateFile) {
    if (configured != 0) {
      // Checked here for a clear message; the bind in the server still catches a lost race.
      if (!isFree(configured)) {
        throw new KafkaOpsException("cannot start the local broker on " + HOST + ":" + configured
            + ": the port is in use (choose another port, or 0 for a free one)");
      }
      return configured;
    }
    if (Files.exists(stateFile)) {
      String last = readProperties(stateFile).getProperty(PORT_KEY);
      try {
        int lastPort = last == null ? 0 : Integer.parseInt(last.trim());
        if (lastPort > 0 && lastPort < 65536 && isFree(lastPort)) {
          return lastPort;
        }
      } catch (NumberFormatException e) {
        LOG.warn("ignoring unreadable port '{}' in {}", last, stateFile);
      }
    }
    return freePort();
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  // Racy by nature (the port is free now, not necessarily at bind time); a lost race makes start()
  // fail with a clear bind error rather than use a wrong port.
  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + HOST, e);
    }
  }

  private static Properties readProperties(Path file) {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      props.load(in);
    } catch (IOException e) {
      throw new KafkaOpsException("cannot read " + file, e);
    }
    return props;
  }

  private static void writeProperties(Path file, Map<String, String> values, String comment) {
    Properties props = new Properties();
    props.putAll(values);
    StringWriter text = new StringWriter();
    try {
      props.store(text, comment);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // store() writes one line per entry in hash order; sorted entries make the file readable.
    List<String> lines = text.toString().lines().collect(Collectors.toCollection(ArrayList::new));
    List<String> comments = lines.stream().filter(l -> l.startsWith("#")).collect(Collectors.toList());
    lines.removeAll(comments);
    Collections.sort(lines);
    comments.addAll(lines);
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.write(tmp, comments, StandardCharsets.ISO_8859_1);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new KafkaOpsException("cannot write " + file, e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaOpsException("interrupted while waiting for the local broker", e);
    }
  }

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("num.partitions", "1");
    d.put("default.replication.factor", "1");
    d.put("min.insync.replicas", "1");
    d.put("offsets.topic.replication.factor", "1");
    d.put("offsets.topic.num.partitions", "4");
    d.put("transaction.state.log.replication.factor", "1");
    d.put("transaction.state.log.min.isr", "1");
    d.put("transaction.state.log.num.partitions", "4");
    d.put("share.coordinator.state.topic.replication.factor", "1");
    d.put("share.coordinator.state.topic.min.isr", "1");
    d.put("group.initial.rebalance.delay.ms", "0");
    d.put("auto.create.topics.enable", "false");
    d.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 << 20));
    d.put("log.segment.bytes", Integer.toString(64 << 20));
    d.put("log.retention.ms", "-1");
    d.put("num.network.threads", "2");
    d.put("num.io.threads", "4");
    d.put("background.threads", "4");
    return Collections.unmodifiableMap(d);
  }

  /**
   * Where and how a {@link LocalBroker} runs.
   *
   * @param workDir the working directory (created when absent; data kept there across restarts)
   * @param port the client port on 127.0.0.1; {@code 0} (the default) takes the port of the last
   *     start in this directory when it is free, else any free port
   * @param startTimeout how long {@link LocalBroker#start(Settings)} waits for the broker to accept
   *     clients; default 60 s
   * @param brokerOverrides Kafka broker settings replacing the defaults listed on {@link
   *     LocalBroker} (e.g. {@code message.max.bytes}); the listener, identity and directory keys are
   *     refused; default none
   */
  public record Settings(Path workDir, int port, Duration startTimeout,
      Map<String, String> brokerOverrides) {

    /** Default {@link #startTimeout()}. */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    /** Validates and copies the arguments. */
    public Settings {
      Objects.requireNonNull(workDir, "workDir");
      Objects.requireNonNull(startTimeout, "startTimeout");
      Objects.requireNonNull(brokerOverrides, "brokerOverrides");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in 0..65535 (0: automatic), got " + port);
      }
      if (startTimeout.isNegative() || startTimeout.isZero()) {
        throw new IllegalArgumentException("startTimeout must be positive, got " + startTimeout);
      }
      for (Map.Entry<String, String> e : brokerOverrides.entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          throw new IllegalArgumentException("null key or value in brokerOverrides");
        }
        if (RESERVED_KEYS.contains(e.getKey())) {
          throw new IllegalArgumentException("broker setting '" + e.getKey()
              + "' is set by LocalBroker and cannot be overridden (reserved: "
              + new TreeSet<>(RESERVED_KEYS) + ")");
        }
      }
      brokerOverrides = Collections.unmodifiableMap(new TreeMap<>(brokerOverrides));
    }

    /** @return settings with the defaults: automatic port, 60 s start timeout, no overrides */
    public static Settings of(Path workDir) {
      return new Settings(workDir, 0, DEFAULT_START_TIMEOUT, Map.of());
    }

    /** @return a copy with the given client port ({@code 0}: automatic) */
    public Settings withPort(int port) {
      return new Settings(workDir, port, startTimeout, brokerOverrides);
    }

    /** @return a copy with the given start timeout */
    public Settings withStartTimeout(Duration startTimeout) {
      return new Settings(workDir, port, startTimeout, brokerOverrides);
    }

    /** @return a copy with {@code key=value} added to (or replaced in) the broker overrides */
    public Settings withBrokerOverride(String key, String value) {
      Map<String, String> copy = new TreeMap<>(brokerOverrides);
      copy.put(key, value);
      return new Settings(workDir, port, startTimeout, copy);
    }
  }
}
