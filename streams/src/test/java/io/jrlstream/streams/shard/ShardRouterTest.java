package io.jrlstream.streams.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.schemas.codec.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The router of a sharded view, without a broker: its indices across a revive, and the input it skips. */
class ShardRouterTest {
  private static final String VIEW = "collaborative";
  private static final String STORE = "jrl-route-" + VIEW;
  private static final AvroCodec<TrainingEvent> CODEC = AvroCodec.of(TrainingEvent.class);

  /** A context holding {@code store}, restored with {@code rows} (the store as of the last commit). */
  private static MockProcessorContext<String, byte[]> context(List<KeyValue<String, Integer>> rows) {
    Properties config = new Properties();
    config.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
    config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    MockProcessorContext<String, byte[]> ctx = new MockProcessorContext<>(config, new TaskId(0, 0), null);
    KeyValueStore<String, Integer> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE),
        Serdes.String(), Serdes.Integer()).withLoggingDisabled().build();
    store.init(ctx.getStateStoreContext(), store);
    ctx.addStateStore(store);
    rows.forEach(kv -> store.put(kv.key, kv.value));
    return ctx;
  }

  private static byte[] event(String user, String item) {
    return CODEC.encode(TrainingEvent.newBuilder().setEventId(user + "/" + item).setEventTime(Instant.ofEpochMilli(5))
        .setKind(TrainingEventKind.RATING).setUserId(user).setItemId(item).setStars(3f).setSourceTopic("test")
        .setSourcePartition(0).setSourceOffset(0).build());
  }

  /** Routes one record; returns what the router forwarded (null: nothing). */
  private static RoutedEvent route(ShardRouter router, MockProcessorContext<String, byte[]> ctx, byte[] value) {
    ctx.resetForwards();
    ctx.setRecordMetadata("validated", 0, 7);
    router.process(new Record<>("k", value, 5L));
    List<MockProcessorContext.CapturedForward<? extends String, ? extends byte[]>> out = ctx.forwarded();
    return out.isEmpty() ? null : RoutedEvent.decode(out.get(0).record().value());
  }

  private static List<KeyValue<String, Integer>> rows(MockProcessorContext<String, byte[]> ctx) {
    KeyValueStore<String, Integer> store = ctx.getStateStore(STORE);
    List<KeyValue<String, Integer>> out = new ArrayList<>();
    try (KeyValueIterator<String, Integer> it = store.all()) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  @Test
  void shouldRebuildItsIndicesFromTheStoreWhenInitialisedAgain() {
    ShardRouter router = new ShardRouter(VIEW, STORE);
    MockProcessorContext<String, byte[]> first = context(List.of());
    router.init(first);
    route(router, first, event("alice", "book"));
    List<KeyValue<String, Integer>> committed = rows(first);
    RoutedEvent uncommitted = route(router, first, event("bob", "pen"));
    assertEquals(1, uncommitted.user());

    // Revived after a failed commit: the store is back to the committed rows and bob's event comes again.
    MockProcessorContext<String, byte[]> revived = context(committed);
    router.init(revived);
    RoutedEvent again = route(router, revived, event("bob", "pen"));
    assertEquals(1, again.user(), "bob's index, as before");
    assertEquals(1, again.item());
    assertTrue(again.firstOfItem(), "the pen's first event in the committed history: its task publishes it");
    assertEquals(4, rows(revived).size(), "bob and the pen are in the store again: " + rows(revived));
    RoutedEvent carol = route(router, revived, event("carol", "book"));
    assertEquals(2, carol.user(), "a new user after bob, never bob's index");
    assertFalse(carol.firstOfItem());
  }

  @Test
  void shouldSkipAndCountUndecodableRecordsAndIdsTooLongForARoutedEvent() {
    ShardRouter router = new ShardRouter(VIEW, STORE);
    MockProcessorContext<String, byte[]> ctx = context(List.of());
    router.init(ctx);
    assertNull(route(router, ctx, new byte[] {1, 2, 3}));
    String huge = "x".repeat(RoutedEvent.MAX_ID_BYTES + 1);
    assertNull(route(router, ctx, event(huge, "book")));
    assertNull(route(router, ctx, event("alice", "é".repeat(RoutedEvent.MAX_ID_BYTES / 2 + 1))));
    assertEquals(3, router.skipped());
    assertTrue(rows(ctx).isEmpty(), "no index given to a skipped event: " + rows(ctx));
    RoutedEvent ok = route(router, ctx, event("alice", "é".repeat(RoutedEvent.MAX_ID_BYTES / 2)));
    assertEquals(0, ok.user());
    assertEquals(0, ok.item());
    assertEquals(RoutedEvent.MAX_ID_BYTES - 1, ok.itemId().getBytes(StandardCharsets.UTF_8).length);
  }
}
