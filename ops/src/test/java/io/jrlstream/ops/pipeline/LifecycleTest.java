package io.jrlstream.ops.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.ops.kafka.KafkaOpsException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A stop during start-up ends the start at once, and start-up failures without a stop still surface. */
class LifecycleTest {
  /** A start-up step blocked as an admin call on an unreachable cluster is: until interrupted, then failing. */
  private static String blockedStep(CountDownLatch entered) {
    entered.countDown();
    try {
      new CountDownLatch(1).await(60, TimeUnit.SECONDS);
      return "timed out";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaOpsException("interrupted while describing topic 'jrl.reviews'", e);
    }
  }

  @Test
  void shouldEndABlockedStartWithStatusZeroWhenAStopIsAsked() throws Exception {
    try (Lifecycle life = Lifecycle.install(new Health())) {
      CountDownLatch entered = new CountDownLatch(1);
      CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
      Thread starter = new Thread(() -> {
        try {
          life.starting(() -> blockedStep(entered));
          interruptedAfter.completeExceptionally(new AssertionError("the step returned"));
        } catch (Lifecycle.StoppedException e) {
          assertEquals(0, e.exitCode());
          interruptedAfter.complete(Thread.currentThread().isInterrupted());
        } catch (RuntimeException e) {
          interruptedAfter.completeExceptionally(e);
        }
      });
      starter.start();
      assertTrue(entered.await(10, TimeUnit.SECONDS));
      long t0 = System.nanoTime();
      life.stop();
      boolean interrupted = interruptedAfter.get(10, TimeUnit.SECONDS);
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "the stop did not end the start promptly");
      assertFalse(interrupted, "the interrupt meant for the step must not outlive it (closing needs the thread)");
      starter.join(5_000);
    }
  }

  @Test
  void shouldPassAFailedStartThroughWhenNoStopWasAsked() {
    try (Lifecycle life = Lifecycle.install(new Health())) {
      KafkaOpsException e = assertThrows(KafkaOpsException.class, () -> life.starting(() -> {
        throw new KafkaOpsException("could not describe topic 'jrl.reviews': Timed out waiting for a node assignment");
      }));
      assertTrue(e.getMessage().contains("jrl.reviews"));
      assertEquals("started", life.starting(() -> "started"));
    }
  }

  @Test
  void shouldNotStartAfterAStop() {
    try (Lifecycle life = Lifecycle.install(new Health())) {
      life.stop();
      AtomicBoolean ran = new AtomicBoolean();
      Lifecycle.StoppedException e = assertThrows(Lifecycle.StoppedException.class, () -> life.starting(() -> {
        ran.set(true);
        return "started";
      }));
      assertEquals(0, e.exitCode());
      assertFalse(ran.get(), "a step began after the stop");
    }
  }

  @Test
  void shouldNotInterruptTheThreadOnceTheStartIsOver() throws ExecutionException, InterruptedException {
    try (Lifecycle life = Lifecycle.install(new Health())) {
      assertEquals("started", life.starting(() -> "started"));
      life.stop();
      assertFalse(Thread.currentThread().isInterrupted(), "a stop after the start interrupted the main thread");
    }
  }
}
