package io.jrlstream.ops;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * One run of the {@code jrl} command line in this JVM ({@link Jrl#commandLine()}, with every
 * {@link CommandExtension} on the test class path), as the launcher runs it, with what it printed: for command
 * tests here and in the modules that add commands (through the test jar).
 *
 * @param code the exit code
 * @param out what the command printed on standard output
 * @param err what the command printed on standard error
 */
public record JrlRun(int code, String out, String err) {
  /** Runs {@code jrl args…} and captures its exit code and output. */
  public static JrlRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Jrl.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new JrlRun(code, out.toString(), err.toString());
  }
}
