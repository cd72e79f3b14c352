package io.jrlstream.ops.pipeline;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a long-running command ({@code jrl local}, {@code run}, {@code serve}, {@code replay}) ends: on SIGTERM or
 * Ctrl-C cleanly, or with exit status 1 once a Kafka Streams client of the instance has failed for a grace period
 * (issue 13, "clean shutdown" and "health that tells the truth").
 *
 * <p>SIGTERM starts the JVM's shutdown hooks and the JVM exits when they return, whatever the main thread is doing;
 * so the hook installed here marks the {@link Health} as closing, tells the main thread to stop ({@link #stopping},
 * {@link #awaitStop}) and then waits, at most {@link #CLOSE_TIMEOUT}, until the main thread has closed its
 * resources ({@link #close}, the last resource of its try-with-resources): every Kafka Streams client is closed with
 * a timeout and leaves its group, so state checkpoint files are written and the next start neither restores from
 * scratch nor waits out a dead member's session timeout.
 *
 * <p>Lifecycle: {@link #install} once per command, first in the try-with-resources; {@link #close} removes the hook
 * (or, during shutdown, releases it). Thread-safe.
 */
public final class Lifecycle implements AutoCloseable {
  /** The longest the shutdown hook waits for the main thread to close everything. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  private final Health health;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread hook;
  /** The thread inside {@link #starting}, interrupted by a signal; null outside. */
  private volatile Thread starter;

  private Lifecycle(Health health) {
    this.health = health;
    this.hook = new Thread(this::onSignal, "jrl-shutdown");
  }

  /**
   * Installs the shutdown hook.
   *
   * @param health the instance's clients (marked closing when the signal comes)
   * @return the lifecycle; close it last
   */
  public static Lifecycle install(Health health) {
    Lifecycle l = new Lifecycle(Objects.requireNonNull(health, "health"));
    Runtime.getRuntime().addShutdownHook(l.hook);
    return l;
  }

  private void onSignal() {
    LOG.info("stopping: closing every Kafka Streams client (leaving their groups, writing state checkpoints)");
    stop();
    try {
      if (!closed.await(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("not closed within {}; exiting anyway", CLOSE_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** @return whether a stop was asked (SIGTERM, Ctrl-C, or {@link #stop}) */
  public boolean stopping() {
    return stop.getCount() == 0;
  }

  /** Asks the command to stop, as SIGTERM does (for tests and for commands that end on their own). */
  public void stop() {
    health.closing();
    stop.countDown();
    Thread t = starter;
    if (t != null) {
      t.interrupt(); // a start blocked on an unreachable cluster would hold the stop for its whole timeout
    }
  }

  /**
   * Waits until a stop is asked (returns 0) or some client of {@code health} has failed for {@code grace} (returns
   * 1, after saying which on {@code err}), checking every 250 ms.
   *
   * @param grace how long a failure may last before the command gives up
   * @param err   where to say why it gives up
   * @return the exit status
   */
  public int awaitStop(Duration grace, PrintWriter err) {
    try {
      while (!stop.await(250, TimeUnit.MILLISECONDS)) {
        Duration failed = health.failedFor();
        if (failed.compareTo(grace) >= 0) {
          String why = health.check().failures();
          LOG.error("Kafka Streams client(s) failed for {} ms (jrl.health.exit.grace.ms = {}): {}; exiting with "
              + "status 1", failed.toMillis(), grace.toMillis(), why);
          err.printf("failed: %s; exiting with status 1 (see the log above)%n", why);
          err.flush();
          return 1;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * Checks for a stop or a failure while the command waits for something else (start-up, catching up).
   *
   * @param grace how long a failure may last
   * @throws StoppedException when a stop was asked ({@code exitCode} 0) or a client failed for {@code grace} (1)
   */
  public void check(Duration grace) {
    if (stopping()) {
      throw new StoppedException(0, "stopped");
    }
    Duration failed = health.failedFor();
    if (failed.compareTo(grace) >= 0) {
      throw new StoppedException(1, "Kafka Streams client(s) failed: " + health.check().failures());
    }
  }

  /**
   * Runs a start-up step that may block on the cluster (topic checks, client creation) so that a stop interrupts it:
   * a signal during the step ends it with a {@link StoppedException} (exit status 0) instead of waiting out its
   * timeouts and printing the failure the interrupt caused.
   *
   * @throws StoppedException when a stop was asked before or during the step
   */
  public <T> T starting(Supplier<T> step) {
    starter = Thread.currentThread(); // first: a stop from here on interrupts the step, one before is seen below
    try {
      if (stopping()) {
        throw new StoppedException(0, "stopped before starting");
      }
      return step.get();
    } catch (RuntimeException e) {
      if (stopping()) {
        throw new StoppedException(0, "stopped while starting");
      }
      throw e;
    } finally {
      starter = null;
      if (stopping()) {
        Thread.interrupted(); // the interrupt was meant for the step only
      }
    }
  }

  /** Thrown by {@link #check} to leave what the command was waiting for; carries its exit status. */
  public static final class StoppedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    StoppedException(int exitCode, String message) {
      super(message, null, false, false);
      this.exitCode = exitCode;
    }

    /** @return 0 for a stop that was asked, 1 for a failure */
    public int exitCode() {
      return exitCode;
    }
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running and now returns
    }
  }
}
