package io.jrlstream.ops.serve;

import io.jrlstream.core.serve.ItemIndex;
import io.jrlstream.core.serve.Popularity;
import io.jrlstream.core.serve.Query;
import io.jrlstream.core.serve.QueryService;
import io.jrlstream.core.serve.Recommendations;
import io.jrlstream.core.serve.Recommender;
import io.jrlstream.core.serve.ServeException;
import io.jrlstream.core.serve.SimilarItems;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.metrics.Metrics;
import io.jrlstream.ops.pipeline.Health;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.ops.replay.ReplayKeys;
import io.jrlstream.ops.replay.ViewVersions;
import io.jrlstream.ops.replay.ViewVersionsWatcher;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.config.TopicSpec;
import io.jrlstream.streams.ingest.DeadLetterProductionHandler;
import io.jrlstream.streams.serve.ServeSettings;
import io.jrlstream.streams.serve.ServeTopology;
import io.jrlstream.streams.serve.StreamsQueryService;
import io.jrlstream.streams.serve.ViewTopics;
import io.jrlstream.streams.train.BoundedRocksDbConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One serving instance: the serving Kafka Streams application ({@link ServeTopology}, application id
 * {@code <application.id>-serve}, {@code application.server} = this instance's HTTP address) and its HTTP API
 * ({@link ServeServer}) over a {@link StreamsQueryService} that forwards to other instances with
 * {@link HttpRemoteQueries}. Used by {@code jrl serve}, {@code jrl local} and {@code jrl run}.
 *
 * <p><b>Versions.</b> Each served view is served from its active version in the control topic
 * {@code jrl.view-versions} ({@link ViewVersions}; 0, the live {@code jrl.embeddings.<view>}, when the view has no
 * record), read at start and followed while running ({@link ViewVersionsWatcher}). When the active version of a
 * served view changes, a switcher thread closes the serving application, rebuilds its topology with the new
 * mapping ({@link ViewTopics}: the stores, items topic and repartition topic of a version N ≥ 1 are its own, so a
 * switch never mixes the vectors of two versions) and starts it again with a new, empty item index. The other
 * views' stores are on disk and come back from their checkpoints; the new version's are filled from its topic.
 * Meanwhile every query and {@code /ready} answer 503, until the application runs again and the switched views
 * are loaded: the serving group has consumed the version's topic up to its end offsets taken at the switch (its
 * user vectors are in the user stores) and the item index holds as many of its item vectors as that topic had
 * live {@code ITEM:} keys then (bounded by {@link #LOAD_TIMEOUT}); {@link VersionLoad} says how that is checked.
 * Answers report the version of each view they used ({@code viewVersion}). Several instances switch
 * independently, each when it reads the control record: for the moment between two instances' switches their
 * topologies differ, their consumers' subscriptions do not match the assignment, and the group rebalances until
 * both run the new one (503 meanwhile; tested with two instances).
 *
 * <p>Lifecycle: {@link #start} binds the HTTP port, creates missing topics, reads the control topic, starts the
 * application and the API ({@code /ready} answers 503 until stores are restored and every view's index is
 * loaded); {@link #close} stops the watcher, the switcher, the API and the application (leaving the consumer
 * group). Thread-safe.
 */
public final class Serving implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Serving.class);
  /** The longest a switched view's loading may hold readiness back (item vectors that the index refuses). */
  static final Duration LOAD_TIMEOUT = Duration.ofMinutes(5);

  private final StreamsSettings settings;
  private final ServeSettings serve;
  private final Properties props;
  private final HostInfo self;
  private final HttpRemoteQueries remote;
  private final Admin admin;
  private final ServeServer server;
  private final VersionedQueries service = new VersionedQueries();
  private final Thread switcher;
  /** Binds each generation's client ({@code client=serving}); null: no metrics. */
  private Metrics metrics;
  private ViewVersionsWatcher watcher;
  private volatile Generation current;
  private final Object wantedLock = new Object();
  private volatile ViewTopics wanted; // written under wantedLock
  /** Why queries answer 503 while the application is being replaced; null otherwise. */
  private volatile String switching;
  private volatile boolean closed;

  /**
   * One run of the serving application with one version per view: its topics, application, index and queries.
   * {@code loading} (why it is not ready yet, or null) is written by the switcher thread only.
   */
  private static final class Generation {
    final ViewTopics topics;
    final KafkaStreams streams;
    final StreamsQueryService queries;
    final ItemIndex index;
    final Map<String, VersionLoad> loads;
    final long startedNanos = System.nanoTime();
    volatile String loading;

    Generation(ViewTopics topics, KafkaStreams streams, StreamsQueryService queries, ItemIndex index,
        Map<String, VersionLoad> loads) {
      this.topics = topics;
      this.streams = streams;
      this.queries = queries;
      this.index = index;
      this.loads = loads;
      this.loading = loads.isEmpty() ? null : "loading " + loads.keySet();
    }
  }

  private Serving(StreamsSettings settings, ServeSettings serve, Properties props, HostInfo self,
      HttpRemoteQueries remote, Admin admin, ServeServer server) {
    this.settings = settings;
    this.serve = serve;
    this.props = props;
    this.self = self;
    this.remote = remote;
    this.admin = admin;
    this.server = server;
    this.switcher = new Thread(this::switchLoop, "jrl-serve-switcher");
    this.switcher.setDaemon(true);
  }

  /** The topics serving reads with every view at version 0 (see {@link #topics(ViewTopics, ServeSettings)}). */
  public static List<TopicSpec> topics(StreamsSettings s, ServeSettings serve) {
    return topics(ViewTopics.of(s), serve);
  }

  /**
   * The topics serving reads: each view's embedding topic of its served version (compacted, as the trainer
   * creates it), the validated topic (interactions) and the serving application's items topics (compacted).
   */
  public static List<TopicSpec> topics(ViewTopics t, ServeSettings serve) {
    StreamsSettings s = t.settings();
    short rf = s.reviews().replication();
    List<TopicSpec> out = new ArrayList<>();
    out.add(Pipeline.validatedTopic(s));
    for (String v : serve.views()) {
      out.add(Pipeline.embeddingsTopic(s, t.embeddingsTopic(v), rf));
      out.add(Pipeline.embeddingsTopic(s, t.itemsTopic(v), rf));
    }
    return out;
  }


  /** The serving application's Kafka Streams properties. */
  static Properties streamsProperties(StreamsSettings s, Path stateDir, HostInfo self, Map<String, String> extra) {
    Properties p = s.kafkaProperties();
    p.putAll(ServeTopology.streamsDefaults());
    p.putAll(extra);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, ViewTopics.serveApplicationId(s));
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
    p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
    DeadLetterProductionHandler.streamsProperties(s).forEach(p::putIfAbsent);
    Pipeline.membership(p, stateDir);
    p.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class.getName());
    return p;
  }

  /** Starts a serving instance that follows the default control topic ({@code jrl.view-versions}). */
  public static Serving start(StreamsSettings s, ServeSettings serve, HttpSettings http, Path stateDir,
      Map<String, String> extra) {
    return start(s, serve, http, stateDir, extra, ReplayKeys.VIEW_VERSIONS_TOPIC.defaultValue().orElseThrow());
  }

  /**
   * Starts a serving instance.
   *
   * @param s the trainer's settings (topics, cluster, client properties)
   * @param serve served views, weights, partitions
   * @param http the HTTP API's address and token
   * @param stateDir where the serving stores live (each instance its own)
   * @param extra further Kafka Streams properties of the serving application (may be empty)
   * @param controlTopic the control topic of view versions ({@code jrl.topic.view.versions}); created when absent
   */
  public static Serving start(StreamsSettings s, ServeSettings serve, HttpSettings http, Path stateDir,
      Map<String, String> extra, String controlTopic) {
    return start(s, serve, http, stateDir, extra, controlTopic, new Health());
  }

  /**
   * Starts a serving instance that reports the health of {@code health}'s clients (the trainer's, when they run in
   * the same process) beside its own at {@code /health} and {@code /ready}.
   *
   * @param health the instance's other Kafka Streams clients; serving registers its own as {@code serving}
   * @see #start(StreamsSettings, ServeSettings, HttpSettings, Path, Map, String)
   */
  public static Serving start(StreamsSettings s, ServeSettings serve, HttpSettings http, Path stateDir,
      Map<String, String> extra, String controlTopic, Health health) {
    return start(s, serve, http, stateDir, extra, controlTopic, health, null);
  }

  /**
   * As {@link #start(StreamsSettings, ServeSettings, HttpSettings, Path, Map, String, Health)}, with metrics: the
   * serving client's Kafka Streams metrics ({@code client=serving}, re-bound at each version switch), every
   * request timed, and {@code GET /metrics}.
   *
   * @param metrics the instance's metrics, or null for none
   */
  public static Serving start(StreamsSettings s, ServeSettings serve, HttpSettings http, Path stateDir,
      Map<String, String> extra, String controlTopic, Health health, Metrics metrics) {
    ServeServer server = ServeServer.bind(http);
    Admin admin = null;
    Serving serving = null;
    try {
      HostInfo self = advertised(http, server.port());
      Properties props = streamsProperties(s, stateDir, self, extra);
      admin = Admin.create(props);
      TopicAdmin.ensureTopics(admin, List.of(TopicSpec.compacted(controlTopic, 1, s.reviews().replication())));
      serving = new Serving(s, serve, props, self, new HttpRemoteQueries(http.token(), Duration.ofSeconds(10)), admin,
          server);
      serving.metrics = metrics;
      serving.watcher = ViewVersionsWatcher.start(s.kafkaProperties(), controlTopic, serving::follow);
      ViewTopics first;
      // Under the lock, so that a change the watcher reads meanwhile is never overwritten by this older state.
      synchronized (serving.wantedLock) {
        first = mapping(ViewTopics.of(s), serve.views(), serving.watcher.snapshot());
        serving.wanted = first;
      }
      Set<String> gated = new TreeSet<>();
      serve.views().stream().filter(v -> first.version(v) != 0).forEach(gated::add);
      serving.current = serving.startGeneration(first, gated);
      health.register("serving", serving::healthView);
      server.start(serving.service, health, metrics);
      serving.switcher.start();
      return serving;
    } catch (RuntimeException e) {
      if (serving != null) {
        serving.close();
      } else {
        server.close();
        if (admin != null) {
          admin.close();
        }
      }
      throw e;
    }
  }

  /** The watcher's listener: the mapping the switcher should reach. */
  private void follow(Map<String, ViewVersions> all) {
    synchronized (wantedLock) {
      wanted = mapping(ViewTopics.of(settings), serve.views(), all);
    }
  }

  /**
   * The mapping serving should use: each served view at its active version in {@code all} (view → control
   * record), version 0 for views without one. An active version that is unknown or not caught up (only a
   * hand-written record can say so: {@link ViewVersions#activate} refuses) is ignored with a warning.
   */
  static ViewTopics mapping(ViewTopics live, List<String> views, Map<String, ViewVersions> all) {
    ViewTopics t = live;
    for (String view : views) {
      ViewVersions vv = all.get(view);
      if (vv == null || vv.active() == 0) {
        continue;
      }
      ViewVersions.Version v = vv.versions().get(vv.active());
      if (v == null || !v.caughtUp()) {
        LOG.warn("view {}: active version {} is {}; serving version 0", view, vv.active(),
            v == null ? "unknown" : "not caught up");
        continue;
      }
      t = t.withVersion(view, vv.active(), v.topic());
    }
    return t;
  }

  /**
   * Creates the topics of a mapping, takes the loading targets of the {@code gated} views, and starts the
   * application with a new index.
   */
  private Generation startGeneration(ViewTopics topics, Set<String> gated) {
    TopicAdmin.ensureTopics(admin, topics(topics, serve));
    Map<String, VersionLoad> loads = new LinkedHashMap<>();
    for (String view : gated) {
      loads.put(view, VersionLoad.of(settings.kafkaProperties(), topics.embeddingsTopic(view)));
    }
    ItemIndex index = new ItemIndex(serve.views());
    Popularity popularity = new Popularity();
    KafkaStreams ks = new KafkaStreams(ServeTopology.build(topics, serve, index, popularity), props);
    ks.setUncaughtExceptionHandler(e -> {
      LOG.error("serving failed; shutting its Kafka Streams client down", e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    Recommender recommender = new Recommender(index, popularity, self.host() + ":" + self.port(),
        Clock.systemUTC());
    StreamsQueryService queries = new StreamsQueryService(ks, topics, self, serve, recommender, remote);
    ks.start();
    if (metrics != null) {
      metrics.bindStreams("serving", ks);
    }
    LOG.info("serving views {} at versions {}", serve.views(), versions(topics, serve.views()));
    return new Generation(topics, ks, queries, index, loads);
  }

  private static Map<String, Integer> versions(ViewTopics t, List<String> views) {
    Map<String, Integer> m = new LinkedHashMap<>();
    views.forEach(v -> m.put(v, t.version(v)));
    return m;
  }

  /** The switcher thread: replaces the application when the wanted mapping changes, and ends loadings. */
  private void switchLoop() {
    try {
      while (!closed) {
        Generation g = current;
        ViewTopics want = wanted;
        if (!want.equals(g.topics)) {
          try {
            switchTo(g, want);
          } catch (RuntimeException e) {
            if (closed) {
              return;
            }
            switching = "switching versions failed (" + e.getMessage() + "); retrying";
            LOG.error("serving: switching to {} failed; retrying in 5 s", want, e);
            Thread.sleep(5000);
          }
        } else if (g.loading != null) {
          try {
            checkLoaded(g);
          } catch (RuntimeException e) {
            LOG.warn("serving: cannot tell whether versions {} are loaded yet: {}", g.loads.keySet(), e.toString());
          }
        }
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      // close() stops the thread
    }
  }

  private void switchTo(Generation old, ViewTopics want) {
    Set<String> changed = new TreeSet<>();
    for (String v : serve.views()) {
      if (!want.embeddingsTopic(v).equals(old.topics.embeddingsTopic(v))) {
        changed.add(v);
      }
    }
    StringBuilder what = new StringBuilder("switching");
    changed.forEach(v -> what.append(" view ").append(v).append(" from version ").append(old.topics.version(v))
        .append(" to ").append(want.version(v)));
    switching = what.toString();
    LOG.info("serving: {}", switching);
    synchronized (this) {
      if (closed) {
        return;
      }
      if (old.streams.state() != KafkaStreams.State.NOT_RUNNING) {
        closeStreams(old.streams);
      }
      // A generation whose application was closed is never current again: the loop retries on failure.
      current = startGeneration(want, changed);
    }
    switching = null;
  }

  /** Ends the loading of a generation once its switched views are in (or {@link #LOAD_TIMEOUT} passed). */
  private void checkLoaded(Generation g) {
    if (g.streams.state() != KafkaStreams.State.RUNNING) {
      g.loading = "serving application is " + g.streams.state() + " (stores restoring or rebalancing)";
      return;
    }
    String appId = ViewTopics.serveApplicationId(settings);
    StringBuilder why = new StringBuilder();
    for (var e : g.loads.entrySet()) {
      String view = e.getKey();
      String not = e.getValue().notLoaded(admin, appId, g.topics.userRepartitionTopic(view),
          g.index.stats(g.index.viewIndex(view)).items());
      if (not != null) {
        why.append(why.length() == 0 ? "" : "; ").append("version ").append(g.topics.version(view))
            .append(" of view ").append(view).append(": ").append(not);
      }
    }
    double secs = (System.nanoTime() - g.startedNanos) / 1e9;
    if (why.length() == 0) {
      LOG.info("serving: versions {} loaded in {} s", versions(g.topics, List.copyOf(g.loads.keySet())),
          String.format("%.1f", secs));
      g.loading = null;
    } else if (secs > LOAD_TIMEOUT.toSeconds()) {
      LOG.warn("serving: still loading after {} ({}); answering anyway", LOAD_TIMEOUT, why);
      g.loading = null;
    } else {
      g.loading = "loading " + why;
    }
  }

  /**
   * The address other instances reach this one at ({@code application.server}): {@code jrl.serve.http.advertised}
   * when set (e.g. a pod's stable DNS name behind a headless Service), else the bind address, or this machine's
   * name for a wildcard bind, with the bound port.
   */
  static HostInfo advertised(HttpSettings http, int boundPort) {
    if (!http.advertised().isEmpty()) {
      return HostInfo.buildFromEndpoint(http.advertised());
    }
    return new HostInfo(advertisedHost(http.bind()), boundPort);
  }

  /** The serving application now running, or null while a version switch replaces it. */
  private KafkaStreams healthView() {
    return switching != null ? null : current.streams;
  }

  /** The host other instances reach this one at: the bind address, or this machine's name for a wildcard. */
  static String advertisedHost(String bind) {
    if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
      return bind;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** The serving application now running (replaced at each version switch). */
  public KafkaStreams streams() {
    return current.streams;
  }

  public QueryService service() {
    return service;
  }

  /** The version of each served view the running application serves (0: the live topic). */
  public Map<String, Integer> versions() {
    return versions(current.topics, serve.views());
  }

  /** The HTTP API's base URL. */
  public String url() {
    return server.url();
  }

  public int port() {
    return server.port();
  }

  /** Waits until {@code /ready} would answer 200. */
  public void awaitReady(Duration timeout) throws InterruptedException {
    awaitReady(timeout, () -> { });
  }

  /** Waits until {@code /ready} would answer 200, calling {@code check} every 50 ms (it may leave the wait). */
  public void awaitReady(Duration timeout, Runnable check) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!service.readiness().ready()) {
      check.run();
      KafkaStreams.State st = current.streams.state();
      if (switching == null && (st == KafkaStreams.State.ERROR || st == KafkaStreams.State.NOT_RUNNING
          || st == KafkaStreams.State.PENDING_ERROR)) {
        throw new IllegalStateException("serving stopped (" + st + "); see the log above");
      }
      if (System.nanoTime() > end) {
        throw new IllegalStateException("serving was not ready within " + timeout + ": "
            + service.readiness().reason());
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (watcher != null) {
      watcher.close();
    }
    switcher.interrupt();
    try {
      switcher.join(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server.close();
    synchronized (this) {
      if (current != null) {
        closeStreams(current.streams);
      }
    }
    admin.close(Duration.ofSeconds(5));
  }

  private static void closeStreams(KafkaStreams ks) {
    ks.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
  }

  /**
   * The queries the HTTP API asks: those of the current generation, 503 while it is being replaced or its
   * switched views load.
   */
  private final class VersionedQueries implements QueryService {
    @Override
    public ServeSettings settings() {
      return serve;
    }

    @Override
    public Recommendations recommend(String user, Query q, boolean forwarded) {
      return ready().recommend(user, q, forwarded);
    }

    @Override
    public SimilarItems similar(String item, Query q) {
      return ready().similar(item, q);
    }

    @Override
    public Readiness readiness() {
      String sw = switching;
      Generation g = current;
      Readiness r = g.queries.readiness();
      String loading = g.loading;
      if (sw != null) {
        return new Readiness(false, r.state(), sw, r.views());
      }
      if (r.ready() && loading != null) {
        return new Readiness(false, r.state(), loading, r.views());
      }
      return r;
    }

    private QueryService ready() {
      String sw = switching;
      if (sw != null) {
        throw new ServeException.NotReady(sw);
      }
      Generation g = current;
      String loading = g.loading;
      if (loading != null) {
        throw new ServeException.NotReady(loading);
      }
      return g.queries;
    }
  }
}
