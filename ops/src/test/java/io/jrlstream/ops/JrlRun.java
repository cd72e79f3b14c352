package io.jrlstream.ops;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * One run of the {@code jrl} command line in this JVM ({@link Jrl#commandLine(Map)}, with every
 * {@link CommandExtension} on the test class path), as the launcher runs it, with what it printed: for command
 * tests here and in the modules that add commands (through the test jar).
 *
 * @param code the exit code
 * @param out what the command printed on standard output
 * @param err what the command printed on standard error
 */
public record JrlRun(int code, String out, String err) {
  /** Runs {@code jrl args…} and captures its exit code and output; the commands see no environment variable. */
  public static JrlRun of(String... args) {
    return of(Map.of(), args);
  }

  /** Runs {@code jrl args…} with {@code environment} as the commands' environment. */
  public static JrlRun of(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Jrl.commandLine(environment);
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int code = cl.execute(args);
    return new JrlRun(code, out.toString(), err.toString());
  }
}
