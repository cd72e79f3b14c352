package io.jrlstream.streams.serve;

import io.jrlstream.core.serve.Popularity;
import io.jrlstream.schemas.TrainingEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Records each user's interacted items (keyed by user id, in the interactions store, at most
 * {@code historyCap} per user: the oldest are dropped beyond it) and counts them per item in
 * {@link Popularity} for the unknown-user answer. An item is recorded once per user.
 *
 * <p>Lifecycle: one instance per task. {@code init} (per assignment, after the store is restored) recounts
 * the partition's popularity from the store; {@code close} forgets it, so a partition that moves is counted
 * by its new owner only. {@link #process} runs per record on the task's stream thread.
 */
final class InteractionProcessor implements Processor<String, TrainingEvent, Void, Void> {
  private final Popularity popularity;
  private final int historyCap;
  private KeyValueStore<String, byte[]> store;
  private int partition;

  InteractionProcessor(Popularity popularity, int historyCap) {
    this.popularity = popularity;
    this.historyCap = historyCap;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(ServeTopology.INTERACTIONS_STORE);
    partition = context.taskId().partition();
    popularity.clear(partition);
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        for (String item : ItemIdList.decode(kv.value)) {
          popularity.add(partition, item);
        }
      }
    }
  }

  @Override
  public void process(Record<String, TrainingEvent> record) {
    String user = record.key();
    String item = record.value() == null ? null : record.value().getItemId();
    if (user == null || item == null) {
      return;
    }
    List<String> items = new ArrayList<>(ItemIdList.decode(store.get(user)));
    if (items.contains(item)) {
      return;
    }
    items.add(item);
    if (items.size() > historyCap) {
      items.subList(0, items.size() - historyCap).clear();
    }
    store.put(user, ItemIdList.encode(items));
    popularity.add(partition, item);
  }

  @Override
  public void close() {
    popularity.clear(partition);
  }
}
