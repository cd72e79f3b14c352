package io.jrlstream.ops.pipeline;

import io.jrlstream.streams.config.StreamsSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far this instance's trainers are behind (issue 14, "readiness lag"): each view's trainer on the validated
 * topic and ingestion on the input topics, as committed offsets against end offsets
 * ({@link Pipeline#viewLag(Admin, StreamsSettings, String)}, {@link Pipeline#ingestionLag}). Started with the
 * instance's {@link Pipeline}, a view's lag is {@link Pipeline#viewLag(Admin, String)}: for a view trained as several
 * tasks, also the by-user and update topics' committed lag and the records its tasks in this instance have taken but
 * not trained (waiting for a merge), which the committed offsets count as done. The admin calls run on a
 * background thread every {@link #REFRESH}; readers ({@code /ready} through {@link #gate}, the metrics) only read the
 * cached figures, so a probe never waits on the cluster. A failed check keeps the previous figures (and logs once
 * per failure streak): an unreachable cluster shows in the clients' health, not here.
 *
 * <p>Readiness: with a threshold {@code maxLag > 0} ({@code jrl.ready.max.trainer.lag}), the instance is not ready
 * while some view's lag exceeds it, e.g. while a restarted trainer re-trains a backlog or a large import is being
 * trained; serving in the same process then leaves the load balancer until the vectors are fresh again. A lag that
 * is not known yet never closes the gate.
 *
 * <p>Lifecycle: {@link #start}, then {@link #close} (stops the thread, closes the admin client). Thread-safe.
 */
public final class TrainerLag implements AutoCloseable {
  /** How often the lag is checked. */
  public static final Duration REFRESH = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(TrainerLag.class);

  private final StreamsSettings settings;
  private final List<String> views;
  private final long maxLag;
  private final Admin admin;
  private final ScheduledExecutorService thread;
  /** A view's lag, read with {@link #admin}. */
  private final ViewLag source;
  /** The views trained as several tasks (their lag is not on the validated topic alone). */
  private final Set<String> sharded;
  private final Map<String, Long> viewLag = new ConcurrentHashMap<>();
  private volatile long ingestionLag = -1;
  private boolean failing;

  /** How far a view is behind, read with an admin client. */
  private interface ViewLag {
    long read(Admin admin, String view) throws Exception;
  }

  private TrainerLag(StreamsSettings settings, List<String> views, long maxLag, Admin admin, ViewLag source,
      Set<String> sharded) {
    this.settings = settings;
    this.views = List.copyOf(views);
    this.maxLag = maxLag;
    this.admin = admin;
    this.source = source;
    this.sharded = Set.copyOf(sharded);
    views.forEach(v -> viewLag.put(v, -1L));
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "jrl-trainer-lag");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Starts checking, the first time at once.
   *
   * @param s the cluster and topics
   * @param views the views whose trainers run in this instance
   * @param maxLag records a view may be behind and still be ready; 0: never unready for lag
   * @param every how often to check
   * @throws IllegalArgumentException when {@code maxLag} is negative
   */
  public static TrainerLag start(StreamsSettings s, List<String> views, long maxLag, Duration every) {
    return start(s, views, maxLag, every, (a, v) -> Pipeline.viewLag(a, s, v), Set.of());
  }

  /**
   * As {@link #start(StreamsSettings, List, long, Duration)}, with each view's lag as {@code pipeline}, which runs
   * the views in this instance, counts it ({@link Pipeline#viewLag(Admin, String)}: the records a sharded view's tasks
   * hold here included).
   */
  public static TrainerLag start(StreamsSettings s, List<String> views, long maxLag, Duration every,
      Pipeline pipeline) {
    return start(s, views, maxLag, every, pipeline::viewLag,
        views.stream().filter(pipeline::sharded).collect(Collectors.toSet()));
  }

  private static TrainerLag start(StreamsSettings s, List<String> views, long maxLag, Duration every, ViewLag source,
      Set<String> sharded) {
    if (maxLag < 0) {
      throw new IllegalArgumentException("jrl.ready.max.trainer.lag must be >= 0 (0: not checked), got " + maxLag);
    }
    // A slow cluster delays only the background check (the admin calls' default timeout, 60 s), never a probe.
    TrainerLag lag = new TrainerLag(s, views, maxLag, Admin.create(s.kafkaProperties()), source, sharded);
    lag.thread.scheduleWithFixedDelay(lag::refresh, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return lag;
  }

  private void refresh() {
    try {
      // Ingestion first: a reader that sees a view's figure of this round sees ingestion's of this round too.
      ingestionLag = Pipeline.ingestionLag(admin, settings);
      for (String v : views) {
        viewLag.put(v, source.read(admin, v));
      }
      failing = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      if (!failing) {
        LOG.warn("cannot check the trainers' lag (keeping the last figures): {}", e.toString());
        failing = true;
      }
    }
  }

  /** The views checked. */
  public List<String> views() {
    return views;
  }

  /**
   * Records of the validated topic {@code view}'s trainer has not committed (for a sharded view: those of its hops,
   * and those its tasks here hold, when started with the pipeline), or -1 before the first check.
   */
  public long viewLag(String view) {
    return viewLag.getOrDefault(view, -1L);
  }

  /** Records of the input topics ingestion has not committed, or -1 before the first check. */
  public long ingestionLag() {
    return ingestionLag;
  }

  /**
   * Why the instance is not ready for lag, or null: the gate {@link Health#gate} asks.
   */
  public String notReady() {
    if (maxLag == 0) {
      return null;
    }
    StringBuilder why = null;
    for (String v : views) {
      long lag = viewLag(v);
      if (lag > maxLag) {
        why = why == null ? new StringBuilder() : why.append(", ");
        why.append("trainer ").append(v).append(" is ").append(lag).append(" records behind on ")
            .append(settings.validatedTopic());
        if (sharded.contains(v)) {
          why.append(" (its by-user and update topics, and the records its tasks here hold, included)");
        }
      }
    }
    return why == null ? null : why.append(" (jrl.ready.max.trainer.lag = ").append(maxLag).append(')').toString();
  }

  /** Adds this as the readiness gate {@code trainer lag} of {@code health}. */
  public TrainerLag gate(Health health) {
    health.gate("trainer lag", this::notReady);
    return this;
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    admin.close(Duration.ofSeconds(5));
  }
}
