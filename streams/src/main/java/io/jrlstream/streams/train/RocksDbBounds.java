package io.jrlstream.streams.train;

import io.jrlstream.streams.config.Configuration;
import io.jrlstream.streams.config.ConfigurationException;
import io.jrlstream.streams.config.Setting;
import java.util.Map;

/**
 * The off-heap memory bound of the process's RocksDB stores, as {@link BoundedRocksDbConfig} applies it: one block
 * cache shared by every store, of which memtables take at most {@code writeBufferBytes}. Kafka Streams hands the
 * config setter its configuration map, so the bound travels as the two {@code jrl.rocksdb.*} Streams properties of
 * {@link #streamsProperties()}. Keys and defaults: {@link TrainingKeys}.
 *
 * <p>Immutable and thread-safe; checked on construction, failures name the key.
 *
 * @param cacheBytes       the shared block cache, memtables included ({@link TrainingKeys#ROCKSDB_CACHE_BYTES})
 * @param writeBufferBytes the part memtables may take, below {@code cacheBytes}
 *                         ({@link TrainingKeys#ROCKSDB_WRITE_BUFFER_BYTES})
 */
public record RocksDbBounds(long cacheBytes, long writeBufferBytes) {
  /** The declared defaults: 256 MiB, of which 64 MiB memtables. */
  public static final RocksDbBounds DEFAULTS = from(Configuration.defaults(TrainingKeys.CATALOG));

  public RocksDbBounds {
    TrainingKeys.ROCKSDB_CACHE_BYTES.require(cacheBytes);
    TrainingKeys.ROCKSDB_WRITE_BUFFER_BYTES.require(writeBufferBytes);
    if (writeBufferBytes >= cacheBytes) {
      throw new IllegalArgumentException(TrainingKeys.ROCKSDB_WRITE_BUFFER_BYTES.key() + " (" + writeBufferBytes
          + ") must be below " + TrainingKeys.ROCKSDB_CACHE_BYTES.key() + " (" + cacheBytes + ")");
    }
  }

  /**
   * @return the bounds {@code c} sets
   * @throws ConfigurationException naming a key whose value is malformed or out of range, and its origin
   */
  public static RocksDbBounds from(Configuration c) {
    return c.build(x -> new RocksDbBounds(x.get(TrainingKeys.ROCKSDB_CACHE_BYTES),
        x.get(TrainingKeys.ROCKSDB_WRITE_BUFFER_BYTES)));
  }

  /**
   * The bounds in a Kafka Streams configuration map, as {@link #streamsProperties()} put them there (a key that is
   * absent takes its default).
   *
   * @throws IllegalArgumentException naming a key whose value is malformed or out of range
   */
  public static RocksDbBounds fromStreamsConfig(Map<String, ?> configs) {
    return new RocksDbBounds(value(configs, TrainingKeys.ROCKSDB_CACHE_BYTES),
        value(configs, TrainingKeys.ROCKSDB_WRITE_BUFFER_BYTES));
  }

  private static long value(Map<String, ?> configs, Setting<Long> s) {
    Object v = configs.get(s.key());
    return v == null ? s.defaultValue().orElseThrow() : s.parse(v.toString());
  }

  /** @return the two Kafka Streams properties that carry these bounds to {@link BoundedRocksDbConfig} */
  public Map<String, String> streamsProperties() {
    return Map.of(TrainingKeys.ROCKSDB_CACHE_BYTES.key(), Long.toString(cacheBytes),
        TrainingKeys.ROCKSDB_WRITE_BUFFER_BYTES.key(), Long.toString(writeBufferBytes));
  }
}
