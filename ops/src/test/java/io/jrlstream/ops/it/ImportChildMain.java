package io.jrlstream.ops.it;

import io.jrlstream.ops.importer.ImportProgress;
import io.jrlstream.ops.importer.Importer;
import io.jrlstream.streams.config.StreamsSettings;
import java.nio.file.Path;
import java.util.Properties;

/**
 * {@code jrl import} in a child JVM that halts itself (no clean close: its transaction stays open) once the
 * chunk ending at a given line is sent but not committed. Arguments: bootstrap servers, the file, the topic
 * prefix of the test, the chunk size, the line to halt at.
 */
public final class ImportChildMain {
  /** Printed just before halting. */
  public static final String HALTING = "JRL-IMPORT-HALTING";

  private ImportChildMain() {}

  public static void main(String[] args) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", args[0]);
    p.setProperty("jrl.topic.reviews", args[2] + ".reviews");
    p.setProperty("jrl.topic.ratings", args[2] + ".ratings");
    p.setProperty("jrl.topic.image.features", args[2] + ".features");
    long haltAt = Long.parseLong(args[4]);
    Importer.run(Path.of(args[1]), StreamsSettings.fromProperties(p), args[2] + ".imports",
        Importer.Options.defaults().withChunkLines(Integer.parseInt(args[3])), new Importer.Listener() {
          @Override
          public void beforeCommit(ImportProgress marker) {
            if (marker.position() == haltAt) {
              System.out.println(HALTING);
              System.out.flush();
              Runtime.getRuntime().halt(137);
            }
          }
        });
    System.out.println("JRL-IMPORT-FINISHED without reaching line " + haltAt);
  }
}
