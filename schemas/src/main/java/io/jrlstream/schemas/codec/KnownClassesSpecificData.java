package io.jrlstream.schemas.codec;

import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * A {@link SpecificData} that maps the named types of one generated record class (the record, its
 * nested records, enums and fixeds) straight to their classes.
 *
 * <p>Why: since Avro 1.11.4/1.12.0, {@code SpecificData.getClass} loads classes by name through
 * {@code ClassSecurityValidator}, which trusts only {@code java.lang} types and the packages named in
 * the {@code org.apache.avro.SERIALIZABLE_PACKAGES} system property, so decoding into
 * {@code io.jrlstream.schemas} classes would fail with a {@link SecurityException} unless every JVM
 * were started with that flag or the process-wide validator were replaced. Here the classes come from
 * the reader class itself, never from names found in data, so that check (which guards against a
 * writer schema naming an arbitrary class) is not weakened: other names still go through it.
 *
 * <p>Immutable after construction and thread-safe, like {@link SpecificData}.
 */
final class KnownClassesSpecificData extends SpecificData {

  private final Map<String, Class<?>> classes;

  KnownClassesSpecificData(Class<? extends SpecificRecord> type) {
    super(type.getClassLoader());
    addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
    Map<String, Class<?>> found = new HashMap<>();
    collect(SchemaHistory.schemaOf(type), type.getClassLoader(), found);
    this.classes = Map.copyOf(found);
  }

  private static void collect(Schema schema, ClassLoader loader, Map<String, Class<?>> found) {
    switch (schema.getType()) {
      case RECORD -> {
        if (found.containsKey(schema.getFullName())) {
          return; // recursive record
        }
        found.put(schema.getFullName(), load(schema, loader));
        for (Schema.Field field : schema.getFields()) {
          collect(field.schema(), loader, found);
        }
      }
      case ENUM, FIXED -> found.put(schema.getFullName(), load(schema, loader));
      case ARRAY -> collect(schema.getElementType(), loader, found);
      case MAP -> collect(schema.getValueType(), loader, found);
      case UNION -> schema.getTypes().forEach(branch -> collect(branch, loader, found));
      default -> {
        // primitive: no class to map
      }
    }
  }

  private static Class<?> load(Schema schema, ClassLoader loader) {
    String className = SpecificData.getClassName(schema);
    try {
      return Class.forName(className, false, loader);
    } catch (ClassNotFoundException e) {
      throw new SchemaException("no generated class " + className + " for schema " + schema.getFullName(), e);
    }
  }

  @Override
  @SuppressWarnings("rawtypes") // the overridden method returns a raw Class
  public Class getClass(Schema schema) {
    switch (schema.getType()) {
      case RECORD, ENUM, FIXED -> {
        Class<?> known = classes.get(schema.getFullName());
        if (known != null) {
          return known;
        }
      }
      default -> {
        // not a named type: SpecificData handles it
      }
    }
    return super.getClass(schema);
  }
}
