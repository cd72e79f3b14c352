package io.jrlstream.ops.kafka;

/**
 * A tiny main for {@link ChildJvmTest}: prints its arguments and whether the incubator vector module
 * was inherited, then exits with code 0, exits with 3 ({@code fail}) or sleeps until halted ({@code
 * sleep}, at most 60 s so that an orphan ends on its own).
 */
public final class ChildJvmProbeMain {

  private ChildJvmProbeMain() {}

  public static void main(String[] args) throws InterruptedException {
    System.out.println("args=" + String.join(",", args));
    System.out.println("vector-module="
        + ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
    String mode = args.length == 0 ? "" : args[0];
    if (mode.equals("sleep")) {
      System.out.println("SLEEPING");
      System.out.flush();
      Thread.sleep(60_000);
    }
    System.out.flush();
    System.exit(mode.equals("fail") ? 3 : 0);
  }
}
