package io.jrlstream.streams.serve;

import io.jrlstream.schemas.EmbeddingRecord;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Writes one view's user vectors, keyed by user id, into the view's partitioned user store (a tombstone
 * deletes). Lifecycle: one instance per task; {@code init} per assignment, then {@link #process} per record
 * on the task's stream thread.
 */
final class UserVectorProcessor implements Processor<String, EmbeddingRecord, Void, Void> {
  private final String storeName;
  private KeyValueStore<String, EmbeddingRecord> store;

  /** @param storeName the user store of the view's served version ({@link ViewTopics#userStore}) */
  UserVectorProcessor(String storeName) {
    this.storeName = storeName;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(storeName);
  }

  @Override
  public void process(Record<String, EmbeddingRecord> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), record.value());
    }
  }
}
