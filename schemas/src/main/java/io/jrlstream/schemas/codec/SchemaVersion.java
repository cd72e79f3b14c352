package io.jrlstream.schemas.codec;

import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * One published version of one record schema.
 *
 * <p>Immutable and thread-safe (Avro {@link Schema}s are not modified after parsing).
 *
 * @param fullName    full name of the record, e.g. {@code io.jrlstream.schemas.ReviewEvent}
 * @param version     version number, 1 for the first published version
 * @param schema      the schema as published
 * @param fingerprint CRC-64-AVRO fingerprint of the schema's parsing canonical form, as written in
 *                    single-object-encoded messages
 */
public record SchemaVersion(String fullName, int version, Schema schema, long fingerprint) {

  /**
   * Checks that the parts agree with each other.
   *
   * @param fullName    full name of the record
   * @param version     version number, from 1
   * @param schema      the schema as published
   * @param fingerprint CRC-64-AVRO fingerprint of {@code schema}
   * @throws IllegalArgumentException if {@code version < 1}, the schema's name differs from
   *                                  {@code fullName} or the fingerprint is not the schema's
   */
  public SchemaVersion {
    Objects.requireNonNull(fullName, "fullName");
    Objects.requireNonNull(schema, "schema");
    if (version < 1) {
      throw new IllegalArgumentException("version of " + fullName + " must be >= 1, got " + version);
    }
    if (!fullName.equals(schema.getFullName())) {
      throw new IllegalArgumentException(
          "schema is named " + schema.getFullName() + ", expected " + fullName);
    }
    long actual = SchemaNormalization.parsingFingerprint64(schema);
    if (actual != fingerprint) {
      throw new IllegalArgumentException("fingerprint " + hex(fingerprint) + " given for " + fullName
          + " v" + version + " but its schema has fingerprint " + hex(actual));
    }
  }

  /**
   * Describes a schema, computing its fingerprint.
   *
   * @param version version number, 1 for the first published version
   * @param schema  the published schema
   * @return the version
   */
  public static SchemaVersion of(int version, Schema schema) {
    return new SchemaVersion(schema.getFullName(), version, schema,
        SchemaNormalization.parsingFingerprint64(schema));
  }

  /** @return the fingerprint as 16 lower-case hex digits */
  public String fingerprintHex() {
    return hex(fingerprint);
  }

  /**
   * Formats a fingerprint the way every message of this module does: the 64-bit value as an
   * unsigned number in 16 lower-case hex digits. (On the wire the same value is little-endian.)
   *
   * @param fingerprint a CRC-64-AVRO fingerprint
   * @return 16 hex digits
   */
  public static String hex(long fingerprint) {
    return String.format("%016x", fingerprint);
  }

  @Override
  public String toString() {
    return fullName + " v" + version + " (" + fingerprintHex() + ")";
  }
}
