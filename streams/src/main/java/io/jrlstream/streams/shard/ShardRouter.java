package io.jrlstream.streams.shard;

import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.ingest.FlushMarkers;
import io.jrlstream.streams.train.TrainingTopology;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router of a sharded view (docs/scaling.md "Partitioning", "The repartition"): reads the validated topic (one
 * partition, in order) and writes each event the view learns from to the by-user topic, keyed by user id, so that
 * Kafka's partitioner sends it to the user's task; a flush marker goes to every partition ({@link #PARTITIONER}), so
 * that every task ends an epoch at the same point of the validated topic. It also gives users and items their
 * view-wide indices in the order of first appearance, the order a one-task trainer gives them, kept in a changelogged
 * store, so that shared rows mean the same item in every task.
 *
 * <p>Bad input: a record that does not decode, or whose ids are longer than a routed event holds
 * ({@link RoutedEvent#MAX_ID_BYTES}; ingestion's {@code jrl.max.id.bytes} normally keeps them far shorter), is
 * skipped and counted, with a warning at the 1st, 2nd, 4th, 8th... such record naming its offset.
 *
 * <p>Lifecycle: Kafka Streams calls {@link #init} (the indices are read back from the store: after a revive on the
 * same object, the store as of the last commit, so the maps are rebuilt, never carried over) then {@link #process}
 * per record on the stream thread, then {@link #close}; not thread-safe.
 */
final class ShardRouter implements Processor<String, byte[], String, byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(ShardRouter.class);

  /**
   * Events to the user's partition (Kafka's default: murmur2 of the key's UTF-8 bytes), flush markers to all.
   */
  static final StreamPartitioner<String, byte[]> PARTITIONER = new StreamPartitioner<>() {
    @Override
    public Optional<Set<Integer>> partitions(String topic, String key, byte[] value, int n) {
      if (FlushMarkers.isMarker(value)) {
        Set<Integer> all = new HashSet<>();
        for (int p = 0; p < n; p++) {
          all.add(p);
        }
        return Optional.of(all);
      }
      return Optional.of(Set.of(taskOf(key, n)));
    }
  };

  private final String view;
  private final String storeName;
  private final AvroCodec<TrainingEvent> codec = AvroCodec.of(TrainingEvent.class);
  private final Map<String, Integer> users = new HashMap<>();
  private final Map<String, Integer> items = new HashMap<>();
  private KeyValueStore<String, Integer> store;
  private ProcessorContext<String, byte[]> context;
  private long undecodable;
  private long tooLong;

  ShardRouter(String view, String storeName) {
    this.view = view;
    this.storeName = storeName;
  }

  /** The task (partition) of a user among n: Kafka's default partitioner of the user id. */
  public static int taskOf(String userId, int n) {
    return Utils.toPositive(Utils.murmur2(userId.getBytes(StandardCharsets.UTF_8))) % n;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    store = context.getStateStore(storeName);
    users.clear();
    items.clear();
    undecodable = 0;
    tooLong = 0;
    try (KeyValueIterator<String, Integer> it = store.all()) {
      it.forEachRemaining(kv -> (kv.key.charAt(0) == 'u' ? users : items).put(kv.key.substring(2), kv.value));
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (FlushMarkers.isMarker(record.value())) {
      context.forward(record.withKey(null));
      return;
    }
    TrainingEvent e;
    try {
      e = codec.decode(record.value());
    } catch (RuntimeException ex) {
      if (Long.bitCount(++undecodable) == 1) {
        LOG.warn("view {}: router skipping undecodable input at offset {} ({} so far): {}", view, offset(),
            undecodable, ex.getMessage());
      }
      return;
    }
    if (!TrainingTopology.feeds(view, e)) {
      return;
    }
    String userId = e.getUserId();
    String itemId = e.getItemId();
    if (!RoutedEvent.fits(userId, itemId)) {
      if (Long.bitCount(++tooLong) == 1) {
        LOG.warn("view {}: router skipping an event at offset {} whose user or item id is longer than {} bytes "
            + "({} so far)", view, offset(), RoutedEvent.MAX_ID_BYTES, tooLong);
      }
      return;
    }
    int user = index(users, "u:", userId);
    boolean first = !items.containsKey(itemId);
    int item = index(items, "i:", itemId);
    float stars = e.getStars() == null ? Float.NaN : e.getStars();
    byte[] routed = new RoutedEvent(user, item, stars, e.getEventTime().toEpochMilli(), first, userId, itemId)
        .encode();
    context.forward(record.withKey(userId).withValue(routed));
  }

  @Override
  public void close() {
    users.clear();
    items.clear();
  }

  /** Records skipped since init: undecodable, or with ids too long for a routed event. */
  long skipped() {
    return undecodable + tooLong;
  }

  private long offset() {
    return context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
  }

  private int index(Map<String, Integer> ids, String prefix, String id) {
    Integer i = ids.get(id);
    if (i == null) {
      i = ids.size();
      ids.put(id, i);
      store.put(prefix + id, i);
    }
    return i;
  }
}
