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
 * <p>Lifecycle: Kafka Streams calls {@link #init} (the indices are read back from the store) then {@link #process} per
 * record on the stream thread; not thread-safe.
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
      if (undecodable++ == 0 || Long.bitCount(undecodable) == 1) {
        LOG.warn("view {}: router skipping undecodable input ({} so far): {}", view, undecodable, ex.getMessage());
      }
      return;
    }
    if (!TrainingTopology.feeds(view, e)) {
      return;
    }
    String userId = e.getUserId();
    String itemId = e.getItemId();
    int user = index(users, "u:", userId);
    boolean first = !items.containsKey(itemId);
    int item = index(items, "i:", itemId);
    float stars = e.getStars() == null ? Float.NaN : e.getStars();
    byte[] routed = new RoutedEvent(user, item, stars, e.getEventTime().toEpochMilli(), first, userId, itemId)
        .encode();
    context.forward(record.withKey(userId).withValue(routed));
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
