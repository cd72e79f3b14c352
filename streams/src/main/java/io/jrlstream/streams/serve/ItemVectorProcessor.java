package io.jrlstream.streams.serve;

import io.jrlstream.core.serve.ItemIndex;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.EmbeddingRecord;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one view's part of the {@link ItemIndex} equal to its global item store: on {@link #init} (after
 * Kafka Streams restored the store from the topic) it loads every stored vector into the index, then applies
 * each new record to both, a tombstone removing the item's vector. Updates are idempotent, so a record seen
 * twice (restore, then processing) does no harm.
 *
 * <p>Lifecycle: a global processor; {@code init} once per start on the global stream thread, then
 * {@link #process} per record on that thread.
 */
final class ItemVectorProcessor implements Processor<String, EmbeddingRecord, Void, Void> {
  private static final Logger LOG = LoggerFactory.getLogger(ItemVectorProcessor.class);

  private final String view;
  private final String storeName;
  private final int k;
  private final ItemIndex index;
  private KeyValueStore<String, EmbeddingRecord> store;

  /** @param storeName the global item store of the view's served version ({@link ViewTopics#itemStore}) */
  ItemVectorProcessor(String view, String storeName, ItemIndex index) {
    this.view = view;
    this.storeName = storeName;
    this.k = index.viewIndex(view);
    this.index = index;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
    int loaded = 0;
    try (KeyValueIterator<String, EmbeddingRecord> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, EmbeddingRecord> kv = it.next();
        if (kv.value != null && apply(kv.key, kv.value)) {
          loaded++;
        }
      }
    }
    index.markInitialised(k);
    LOG.info("serving index of view {}: {} item vectors loaded from store", view, loaded);
  }

  @Override
  public void process(Record<String, EmbeddingRecord> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
      index.remove(k, EmbeddingKey.entityId(record.key()));
      return;
    }
    store.put(record.key(), record.value());
    apply(record.key(), record.value());
  }

  private boolean apply(String key, EmbeddingRecord r) {
    float[] v = ServeTopology.floats(r);
    if (!index.upsert(k, EmbeddingKey.entityId(key), v, r.getEventTime().toEpochMilli())) {
      LOG.warn("view {}: item {} has a vector of {} floats, the view's others have {}; ignored", view, key,
          v.length, index.stats(k).dim());
      return false;
    }
    return true;
  }
}
