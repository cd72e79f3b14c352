package io.jrlstream.streams.train;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store of the process: one shared block cache (index and
 * filter blocks included) and a write-buffer manager charging memtables to that cache, following the
 * Kafka Streams memory-management guide.
 *
 * <p>Kafka Streams instantiates config setters by reflection, once per store, so the cache must be shared
 * through a static: the one piece of static state in the project, created on first use from the
 * configuration ({@link RocksDbBounds}: {@code jrl.rocksdb.cache.bytes} and {@code jrl.rocksdb.write.buffer.bytes},
 * declared in {@link TrainingKeys}) and never closed (it lives as long as the process).
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {
  private static Shared shared;

  private record Shared(Cache cache, WriteBufferManager writeBuffers, long cacheBytes, long writeBufferBytes) {}

  private static synchronized Shared shared(Map<String, Object> configs) {
    if (shared == null) {
      RocksDbBounds b = RocksDbBounds.fromStreamsConfig(configs);
      Cache cache = new LRUCache(b.cacheBytes(), -1, false, 0.1);
      shared = new Shared(cache, new WriteBufferManager(b.writeBufferBytes(), cache), b.cacheBytes(),
          b.writeBufferBytes());
    }
    return shared;
  }

  /** The configured total (block cache including memtables), for reporting; 0 before the first store. */
  public static synchronized long boundBytes() {
    return shared == null ? 0 : shared.cacheBytes();
  }

  /** Bytes the shared cache holds now (blocks and memtables), for reporting; 0 before the first store. */
  public static synchronized long usageBytes() {
    return shared == null ? 0 : shared.cache().getUsage();
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    Shared s = shared(configs);
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(s.cache());
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setWriteBufferManager(s.writeBuffers());
    options.setMaxWriteBufferNumber(2);
    options.setWriteBufferSize(Math.min(16L << 20, s.writeBufferBytes() / 2));
    options.setTableFormatConfig(table);
    // Parameter rows are values of kilobytes (3.6 KB at K=300 with Adam state), re-written at every checkpoint:
    // kept in blob files, compaction moves only keys and references instead of re-writing the rows each time.
    options.setEnableBlobFiles(true);
    options.setMinBlobSize(BLOB_MIN_BYTES);
    options.setEnableBlobGarbageCollection(true);
  }

  /** Values of at least this many bytes go to blob files. */
  static final long BLOB_MIN_BYTES = 512;

  @Override
  public void close(String storeName, Options options) {
    // The cache and write-buffer manager are shared by every store: they are not closed per store.
  }
}
