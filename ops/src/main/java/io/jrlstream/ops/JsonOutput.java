package io.jrlstream.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How commands print and write their JSON figures: indented, to stdout, and to {@code --json OUT} when given. Public
 * for the commands of modules that add to the command line (the benchmarks); stateless.
 */
public final class JsonOutput {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private JsonOutput() {}

  static String text(Object doc) throws JsonProcessingException {
    return MAPPER.writeValueAsString(doc);
  }

  /** Prints doc to out and, when file is not null, writes it there too (creating parent folders). */
  public static void emit(Object doc, PrintWriter out, Path file) throws IOException {
    String text = text(doc);
    out.println(text);
    out.flush();
    write(text, file);
  }

  /** Writes doc to file (creating parent folders) when file is not null. */
  public static void write(Object doc, Path file) throws IOException {
    write(text(doc), file);
  }

  private static void write(String text, Path file) throws IOException {
    if (file == null) {
      return;
    }
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, text);
  }
}
