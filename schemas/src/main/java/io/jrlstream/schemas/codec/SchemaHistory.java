package io.jrlstream.schemas.codec;

import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.ImageEvent;
import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.TrainingEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every published version of every record schema, looked up by name or by fingerprint: the schema
 * store that lets a decoder resolve a message written by any past producer without a registry.
 *
 * <p><b>Layout.</b> Version {@code n} of record {@code Name} is the classpath resource
 * {@code io/jrlstream/schemas/history/Name.vn.avsc}, numbered from 1 without gaps (the first missing
 * number ends the list). The highest version must have the same parsing canonical form as the
 * generated class's schema ({@code src/main/avro/Name.avsc}): to change a schema, edit the
 * {@code .avsc} and add a copy as the next version. A published file is never edited or removed,
 * because messages carrying its fingerprint may still be in a topic.
 *
 * <p><b>Checks at load time</b>, each failing with a {@link SchemaException} that names the record and
 * versions: every type has a version 1; every version has the type's full name; no two versions have
 * the same fingerprint; the highest version is the current schema; and the current schema can read
 * data written with every older version (Avro schema resolution, e.g. an added field has a default).
 *
 * <p>Immutable and thread-safe once built; {@link #standard()} is shared.
 */
public final class SchemaHistory implements SchemaStore {

  /** Classpath folder of the published schema versions, ending with '/'. */
  public static final String RESOURCE_ROOT = "io/jrlstream/schemas/history/";

  private static final List<Class<? extends SpecificRecord>> RECORD_TYPES = List.of(
      ReviewEvent.class, RatingEvent.class, ImageEvent.class, ImageFeatureEvent.class,
      EmbeddingRecord.class, TrainingEvent.class);

  private final Map<String, List<SchemaVersion>> byName;
  private final Map<Long, SchemaVersion> byFingerprint;
  private final List<SchemaVersion> all;

  private SchemaHistory(Map<String, List<SchemaVersion>> byName) {
    this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    Map<Long, SchemaVersion> fingerprints = new HashMap<>();
    List<SchemaVersion> versions = new ArrayList<>();
    for (List<SchemaVersion> list : byName.values()) {
      for (SchemaVersion v : list) {
        SchemaVersion clash = fingerprints.putIfAbsent(v.fingerprint(), v);
        if (clash != null) {
          throw new SchemaException(v + " has the same fingerprint as " + clash
              + ": a new version must change the schema's canonical form");
        }
        versions.add(v);
      }
    }
    this.byFingerprint = Map.copyOf(fingerprints);
    this.all = List.copyOf(versions);
  }

  /**
   * The history of the JRL record types ({@link #recordTypes()}), loaded once from this module's
   * resources.
   *
   * @return the shared, immutable history
   * @throws SchemaException if the published resources are missing or inconsistent (a build error)
   */
  public static SchemaHistory standard() {
    return StandardHolder.INSTANCE;
  }

  /** @return the generated record classes whose histories {@link #standard()} holds */
  public static List<Class<? extends SpecificRecord>> recordTypes() {
    return RECORD_TYPES;
  }

  /**
   * Loads the published versions of the given current schemas from classpath resources.
   *
   * @param loader         where to look for resources
   * @param resourceRoot   resource folder, ending with '/' (normally {@link #RESOURCE_ROOT})
   * @param currentSchemas the schemas the running code writes, one per record type
   * @return the history of those record types
   * @throws SchemaException if a resource cannot be read or parsed, or a check in the class
   *                         description fails
   */
  public static SchemaHistory load(ClassLoader loader, String resourceRoot, Collection<Schema> currentSchemas) {
    Objects.requireNonNull(loader, "loader");
    Objects.requireNonNull(resourceRoot, "resourceRoot");
    Map<String, List<SchemaVersion>> byName = new LinkedHashMap<>();
    for (Schema current : currentSchemas) {
      String name = current.getFullName();
      if (byName.containsKey(name)) {
        throw new SchemaException("record type " + name + " given twice");
      }
      byName.put(name, loadVersions(loader, resourceRoot, current));
    }
    return new SchemaHistory(byName);
  }

  private static List<SchemaVersion> loadVersions(ClassLoader loader, String root, Schema current) {
    String name = current.getFullName();
    List<SchemaVersion> versions = new ArrayList<>();
    for (int v = 1; ; v++) {
      String path = root + current.getName() + ".v" + v + ".avsc";
      URL url = loader.getResource(path);
      if (url == null) {
        break;
      }
      Schema schema = parse(url, path);
      if (!name.equals(schema.getFullName())) {
        throw new SchemaException(path + " defines " + schema.getFullName() + ", expected " + name);
      }
      versions.add(SchemaVersion.of(v, schema));
    }
    String nextPath = root + current.getName() + ".v" + (versions.size() + 1) + ".avsc";
    if (versions.isEmpty()) {
      throw new SchemaException("no published version of " + name + ": expected resource " + nextPath);
    }
    SchemaVersion latest = versions.get(versions.size() - 1);
    long currentFingerprint = SchemaNormalization.parsingFingerprint64(current);
    if (latest.fingerprint() != currentFingerprint) {
      throw new SchemaException("current schema of " + name + " (fingerprint "
          + SchemaVersion.hex(currentFingerprint) + ") is not its latest published version " + latest
          + ": publish it as " + nextPath + " (never edit a published version)");
    }
    for (SchemaVersion writer : versions) {
      SchemaPairCompatibility compatibility =
          SchemaCompatibility.checkReaderWriterCompatibility(current, writer.schema());
      if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
        throw new SchemaException("current schema of " + name + " cannot read data written with "
            + writer + ": " + compatibility.getResult().getIncompatibilities());
      }
    }
    return List.copyOf(versions);
  }

  private static Schema parse(URL url, String path) {
    // A fresh parser per file: versions of one record share a name, which one parser rejects.
    try (InputStream in = url.openStream()) {
      return new Schema.Parser().parse(in);
    } catch (IOException | AvroRuntimeException e) {
      throw new SchemaException("cannot read published schema " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * @param fullName full name of a record type, e.g. {@code io.jrlstream.schemas.ReviewEvent}
   * @return its published versions, oldest first; empty if the type is unknown
   */
  public List<SchemaVersion> versions(String fullName) {
    return byName.getOrDefault(fullName, List.of());
  }

  /**
   * @param fullName full name of a record type
   * @return its latest published version (the current schema), or empty if the type is unknown
   */
  public Optional<SchemaVersion> latest(String fullName) {
    List<SchemaVersion> versions = versions(fullName);
    return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(versions.size() - 1));
  }

  /**
   * @param fingerprint a CRC-64-AVRO fingerprint as read from a message
   * @return the published version with that fingerprint, or empty if there is none
   */
  public Optional<SchemaVersion> byFingerprint(long fingerprint) {
    return Optional.ofNullable(byFingerprint.get(fingerprint));
  }

  /** @return every published version of every type, grouped by type, oldest first within a type */
  public List<SchemaVersion> all() {
    return all;
  }

  /** @return full names of the record types held, in load order */
  public Set<String> recordNames() {
    return byName.keySet();
  }

  /**
   * Avro's {@link SchemaStore} view, so that Avro's own {@code BinaryMessageDecoder} can use this
   * history too.
   *
   * @param fingerprint a CRC-64-AVRO fingerprint
   * @return the published schema with that fingerprint, or {@code null} if there is none
   */
  @Override
  public Schema findByFingerprint(long fingerprint) {
    SchemaVersion version = byFingerprint.get(fingerprint);
    return version == null ? null : version.schema();
  }

  @Override
  public String toString() {
    return "SchemaHistory" + all;
  }

  /** Loads the standard history on first use; an immutable value, not mutable static state. */
  private static final class StandardHolder {
    static final SchemaHistory INSTANCE = load(SchemaHistory.class.getClassLoader(), RESOURCE_ROOT,
        RECORD_TYPES.stream().map(SchemaHistory::schemaOf).toList());
  }

  static Schema schemaOf(Class<? extends SpecificRecord> type) {
    try {
      return (Schema) type.getField("SCHEMA$").get(null);
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new SchemaException(type.getName() + " is not an Avro-generated class with a SCHEMA$ field", e);
    }
  }
}
