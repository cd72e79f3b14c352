package io.jrlstream.ops.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  @Test
  void shouldRunAMainWithItsArgumentsAndTheInheritedModuleFlags() throws Exception {
    try (ChildJvm child = ChildJvm.start(ChildJvmProbeMain.class, dir, "echo", "two words")) {
      assertEquals(OptionalInt.of(0), child.waitFor(TIMEOUT));
      List<String> out = Files.readAllLines(child.stdout());
      assertEquals("args=echo,two words", out.get(0));
      // The surefire JVM runs with --add-modules jdk.incubator.vector; the child must too.
      assertEquals("vector-module=true", out.get(1));
      assertTrue(child.command().stream().anyMatch(a -> a.contains("jdk.incubator.vector")),
          child.command().toString());
    }
  }

  @Test
  void shouldHaltAChildWithoutAnyCleanExit() throws Exception {
    try (ChildJvm child = ChildJvm.start(ChildJvmProbeMain.class, dir, "sleep")) {
      child.awaitOutput("SLEEPING", TIMEOUT);
      assertTrue(child.isAlive());

      int code = child.halt();

      assertFalse(child.isAlive());
      assertEquals(137, code, "SIGKILL, not the main's own exit code 0");
    }
  }

  @Test
  void shouldKeepTheLogsOfEveryStartAndReportAChildThatExitsBeforeItsMarker() throws Exception {
    try (ChildJvm first = ChildJvm.start(ChildJvmProbeMain.class, dir, "fail");
        ChildJvm second = ChildJvm.start(ChildJvmProbeMain.class, dir, "fail")) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> first.awaitOutput("NEVER", TIMEOUT));
      assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
      assertTrue(e.getMessage().contains("args=fail"), "shows the output: " + e.getMessage());
      assertEquals(OptionalInt.of(3), second.waitFor(TIMEOUT));
      assertEquals(dir.resolve("ChildJvmProbeMain-1.stdout"), first.stdout());
      assertEquals(dir.resolve("ChildJvmProbeMain-2.stdout"), second.stdout());
      assertEquals(dir.resolve("ChildJvmProbeMain-2.stderr"), second.stderr());
    }
  }
}
