package io.jrlstream.ops.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;

/**
 * The health of every Kafka Streams client of one instance (ingestion, each view's trainer, serving): what
 * {@code /health} and {@code /ready} report and what makes a long-running command exit (issue 13 "Health that tells
 * the truth", issue 14).
 *
 * <p>A client has <b>failed</b> when it is in {@code ERROR} or {@code PENDING_ERROR}, when it stopped
 * ({@code PENDING_SHUTDOWN}, {@code NOT_RUNNING}) while the instance is not closing, or when it runs with no live
 * stream thread (every thread died and none was replaced). The instance is live while no client has failed;
 * {@link #failedFor} says for how long it has not been, so that a command can exit non-zero after a grace period
 * ({@code jrl.health.exit.grace.ms}) and let its supervisor restart it. A client is <b>running</b> when it is
 * {@code RUNNING}; {@code /ready} wants every client running (a trainer that is restoring or rebalancing is not
 * ready, nor is serving).
 *
 * <p>Clients are registered by name with a supplier of the current {@link KafkaStreams} (serving replaces its
 * application at a version switch; the supplier returns null meanwhile, which counts as neither failed nor
 * running). Thread-safe: registration and checks may come from any thread.
 */
public final class Health {
  private final List<Client> clients = new CopyOnWriteArrayList<>();
  private final List<Gate> gates = new CopyOnWriteArrayList<>();
  private volatile boolean closing;
  private volatile long failedSinceNanos = -1;

  private record Client(String name, Supplier<KafkaStreams> streams) {}

  private record Gate(String name, Supplier<String> notReady) {}

  /**
   * One client's state as reported.
   *
   * @param state   the Kafka Streams state, or {@code SWITCHING} while serving replaces its application
   * @param threads live stream threads
   * @param failed  whether this client makes the instance unhealthy
   * @param running whether it is {@code RUNNING}
   */
  public record ClientStatus(String state, int threads, boolean failed, boolean running) {}

  /**
   * A check of every client.
   *
   * @param live    no client failed
   * @param running every client runs
   * @param clients each client's status, by name, in registration order
   * @param gates   why each readiness gate that is closed is closed, by name ({@link #gate}); empty when all are open
   */
  public record Report(boolean live, boolean running, Map<String, ClientStatus> clients, Map<String, String> gates) {
    /** @return every client runs and every readiness gate is open */
    public boolean ready() {
      return running && gates.isEmpty();
    }

    /** @return why the instance is not ready: the clients that do not run, then the closed gates; empty when ready */
    public String notReady() {
      List<String> out = new ArrayList<>();
      if (!running) {
        out.add("not every Kafka Streams client runs: " + notRunning());
      }
      gates.values().forEach(out::add);
      return String.join("; ", out);
    }

    /** @return the failed clients as {@code name (state)}, comma-separated; empty when live */
    public String failures() {
      List<String> out = new ArrayList<>();
      clients.forEach((name, c) -> {
        if (c.failed()) {
          out.add(name + " (" + c.state() + (c.threads() == 0 ? ", no live stream thread" : "") + ")");
        }
      });
      return String.join(", ", out);
    }

    /** @return the clients that do not run, as {@code name (state)}, comma-separated */
    public String notRunning() {
      List<String> out = new ArrayList<>();
      clients.forEach((name, c) -> {
        if (!c.running()) {
          out.add(name + " (" + c.state() + ")");
        }
      });
      return String.join(", ", out);
    }
  }

  /**
   * Adds a client.
   *
   * @param name    how reports name it, e.g. {@code trainer review}
   * @param streams the client now in use, or null while it is being replaced
   * @return this
   */
  public Health register(String name, Supplier<KafkaStreams> streams) {
    clients.add(new Client(Objects.requireNonNull(name, "name"), Objects.requireNonNull(streams, "streams")));
    return this;
  }

  /** Adds a client that is never replaced. */
  public Health register(String name, KafkaStreams streams) {
    Objects.requireNonNull(streams, "streams");
    return register(name, () -> streams);
  }

  /**
   * Adds a readiness gate: a condition besides the clients' states that {@code /ready} waits for (e.g. a trainer's
   * lag, {@link TrainerLag}). It never makes the instance unhealthy.
   *
   * @param name     how reports name it
   * @param notReady why the instance is not ready, or null when the gate is open; called at every check, so it
   *                 must be quick (read a cached value)
   * @return this
   */
  public Health gate(String name, Supplier<String> notReady) {
    gates.add(new Gate(Objects.requireNonNull(name, "name"), Objects.requireNonNull(notReady, "notReady")));
    return this;
  }

  /** Marks the instance as closing: clients that stop from now on are not failures. */
  public void closing() {
    closing = true;
  }

  /** @return the state of every client now */
  public Report check() {
    Map<String, ClientStatus> out = new LinkedHashMap<>();
    boolean live = true;
    boolean running = true;
    for (Client c : clients) {
      KafkaStreams ks = c.streams().get();
      ClientStatus st = ks == null ? new ClientStatus("SWITCHING", 0, false, false) : status(ks);
      out.put(c.name(), st);
      live &= !st.failed();
      running &= st.running();
    }
    long now = System.nanoTime();
    if (live) {
      failedSinceNanos = -1;
    } else if (failedSinceNanos < 0) {
      failedSinceNanos = now;
    }
    Map<String, String> closed = new LinkedHashMap<>();
    for (Gate g : gates) {
      String why = g.notReady().get();
      if (why != null) {
        closed.put(g.name(), why);
      }
    }
    return new Report(live, running, out, closed);
  }

  /**
   * Checks the clients and says how long the instance has been failed without a break (as seen by the checks: call
   * it regularly).
   *
   * @return how long some client has failed, or {@link Duration#ZERO} when live
   */
  public Duration failedFor() {
    check();
    long since = failedSinceNanos;
    return since < 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - since);
  }

  private ClientStatus status(KafkaStreams ks) {
    KafkaStreams.State state = ks.state();
    int threads = 0;
    if (state.isRunningOrRebalancing()) {
      for (ThreadMetadata t : ks.metadataForLocalThreads()) {
        String ts = t.threadState();
        if (!ts.equals("DEAD") && !ts.equals("PENDING_SHUTDOWN")) {
          threads++;
        }
      }
    }
    boolean failed = switch (state) {
      case ERROR, PENDING_ERROR -> true;
      case PENDING_SHUTDOWN, NOT_RUNNING -> !closing;
      case RUNNING, REBALANCING -> threads == 0;
      default -> false;
    };
    return new ClientStatus(state.name(), threads, failed, state == KafkaStreams.State.RUNNING && !failed);
  }
}
