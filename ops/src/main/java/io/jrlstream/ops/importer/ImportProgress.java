package io.jrlstream.ops.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * How far the import of one source (a file's content, named by its fingerprint) has come: the marker
 * {@link Importer} writes to the imports topic, keyed by the fingerprint, in the same transaction as the events
 * of the positions it covers. A reader that sees the marker (read_committed) therefore sees exactly the events of
 * positions 1..{@link #position}, and none after.
 *
 * <p>Stored as a small JSON object with a {@code "version"} field; an unknown version is rejected with a message
 * rather than misread. Immutable.
 *
 * @param source the file's name when it was imported (for people reading the topic)
 * @param format the detected format
 * @param position lines (records for a feature file) of the source done, blank and malformed ones included
 * @param events events produced for those positions, over all runs
 * @param malformed malformed lines among them
 * @param complete whether the whole source is done
 */
public record ImportProgress(String source, String format, long position, long events, long malformed,
    boolean complete) {
  /** The marker format written. */
  public static final int VERSION = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Nothing done yet. */
  public static ImportProgress none(String source, String format) {
    return new ImportProgress(source, format, 0, 0, 0, false);
  }

  public byte[] encode() {
    ObjectNode o = JSON.createObjectNode();
    o.put("version", VERSION).put("source", source).put("format", format).put("position", position)
        .put("events", events).put("malformed", malformed).put("complete", complete);
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads a marker.
   *
   * @throws IllegalStateException naming the key when the bytes are not a marker of a known version
   */
  public static ImportProgress decode(String key, byte[] bytes) {
    try {
      JsonNode o = JSON.readTree(bytes);
      int version = o.path("version").asInt(-1);
      if (version != VERSION) {
        throw new IllegalStateException("import marker " + key + " has version " + o.path("version")
            + ", this jrl reads version " + VERSION + " only");
      }
      return new ImportProgress(o.path("source").asText(), o.path("format").asText(), o.path("position").asLong(),
          o.path("events").asLong(), o.path("malformed").asLong(), o.path("complete").asBoolean());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("import marker " + key + " is not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
