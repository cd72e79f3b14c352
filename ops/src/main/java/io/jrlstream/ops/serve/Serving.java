package io.jrlstream.ops.serve;

import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.kafka.TopicSpec;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.serve.ItemIndex;
import io.jrlstream.streams.serve.Popularity;
import io.jrlstream.streams.serve.QueryService;
import io.jrlstream.streams.serve.Recommender;
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
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 * <p>Lifecycle: {@link #start} binds the HTTP port, creates missing topics, starts the application and the
 * API ({@code /ready} answers 503 until stores are restored and every view's index is loaded); {@link #close}
 * stops both and leaves the consumer group. Thread-safe.
 */
public final class Serving implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Serving.class);

  private final KafkaStreams streams;
  private final ServeServer server;
  private final QueryService service;

  private Serving(KafkaStreams streams, ServeServer server, QueryService service) {
    this.streams = streams;
    this.server = server;
    this.service = service;
  }

  /**
   * The topics serving reads: each view's embedding topic (compacted, as the trainer creates it), the
   * validated topic (interactions) and the serving application's items topics (compacted).
   */
  public static List<TopicSpec> topics(StreamsSettings s, ServeSettings serve) {
    ViewTopics t = ViewTopics.of(s);
    short rf = s.reviews().replicationFactor();
    List<TopicSpec> out = new ArrayList<>();
    out.add(validatedTopic(s));
    for (String v : serve.views()) {
      out.add(TopicSpec.compacted(t.embeddingsTopic(v), 1, rf));
      out.add(TopicSpec.compacted(t.itemsTopic(v), 1, rf));
    }
    return out;
  }

  /** The validated topic, which the trainer writes and serving reads the interactions from. */
  public static TopicSpec validatedTopic(StreamsSettings s) {
    return io.jrlstream.ops.pipeline.Pipeline.validatedTopic(s);
  }

  /** The serving application's Kafka Streams properties. */
  static Properties streamsProperties(StreamsSettings s, Path stateDir, HostInfo self, Map<String, String> extra) {
    Properties p = s.kafkaProperties();
    p.putAll(ServeTopology.streamsDefaults());
    p.putAll(extra);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, ViewTopics.serveApplicationId(s));
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toAbsolutePath().toString());
    p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
    p.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class.getName());
    return p;
  }

  /**
   * Starts a serving instance.
   *
   * @param s the trainer's settings (topics, cluster, client properties)
   * @param serve served views, weights, partitions
   * @param http the HTTP API's address and token
   * @param stateDir where the serving stores live (each instance its own)
   * @param extra further Kafka Streams properties of the serving application (may be empty)
   */
  public static Serving start(StreamsSettings s, ServeSettings serve, HttpSettings http, Path stateDir,
      Map<String, String> extra) {
    ServeServer server = ServeServer.bind(http);
    try {
      HostInfo self = new HostInfo(advertisedHost(http.bind()), server.port());
      Properties props = streamsProperties(s, stateDir, self, extra);
      try (Admin admin = Admin.create(props)) {
        TopicAdmin.ensureTopics(admin, topics(s, serve));
      }
      ItemIndex index = new ItemIndex(serve.views());
      Popularity popularity = new Popularity();
      KafkaStreams ks = new KafkaStreams(ServeTopology.build(ViewTopics.of(s), serve, index, popularity), props);
      ks.setUncaughtExceptionHandler(e -> {
        LOG.error("serving failed; shutting its Kafka Streams client down", e);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
      });
      Recommender recommender = new Recommender(index, popularity, self.host() + ":" + self.port(),
          Clock.systemUTC());
      QueryService service = new StreamsQueryService(ks, self, serve, recommender,
          new HttpRemoteQueries(http.token(), Duration.ofSeconds(10)));
      ks.start();
      server.start(service);
      return new Serving(ks, server, service);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
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

  public KafkaStreams streams() {
    return streams;
  }

  public QueryService service() {
    return service;
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
    long end = System.nanoTime() + timeout.toNanos();
    while (!service.readiness().ready()) {
      KafkaStreams.State st = streams.state();
      if (st == KafkaStreams.State.ERROR || st == KafkaStreams.State.NOT_RUNNING
          || st == KafkaStreams.State.PENDING_ERROR) {
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
    server.close();
    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
        .withTimeout(Duration.ofSeconds(30)));
  }
}
