package io.jrlstream.streams.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** A stream's content keeps the texts of its latest reviews only, numbered in order of arrival. */
class StreamContentTest {
  private static TrainingEvent review(int i, String text) {
    return TrainingEvent.newBuilder().setEventId("e" + i).setEventTime(Instant.ofEpochMilli(i))
        .setKind(TrainingEventKind.REVIEW).setUserId("u" + (i % 2)).setItemId("i" + (i % 3)).setStars(5f)
        .setText(text).setSourceTopic("t").setSourcePartition(0).setSourceOffset(i).build();
  }

  @Test
  void shouldKeepTheTextsOfTheLatestReviewsOfItsWindow() {
    StreamContent c = new StreamContent(true, 3);
    for (int i = 0; i < 5; i++) {
      Interaction x = c.apply(review(i, "word" + "abcde".charAt(i) + " shared"));
      assertEquals(i, x.review());
    }
    assertEquals(5, c.reviewCount());
    assertEquals(0, c.permanentReviews(), "a stream's reviews come and go");
    for (int r = 2; r < 5; r++) {
      assertArrayEquals(new int[] {c.lexicon().intern("word" + "abcde".charAt(r)), c.lexicon().intern("shared")},
          c.reviewTokens(r));
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.reviewTokens(1));
    assertTrue(e.getMessage().contains("not among the latest 3 of 5 reviews"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> c.reviewTokens(5));
  }

  @Test
  void shouldNotTokeniseForAViewWithoutTexts() {
    StreamContent c = new StreamContent(false, 3);
    assertEquals(-1, c.apply(review(0, "some words")).review());
    assertEquals(0, c.reviewCount());
  }

  private static TrainingEvent features(int i, String item, float... f) {
    List<Float> values = new ArrayList<>();
    for (float x : f) {
      values.add(x);
    }
    return TrainingEvent.newBuilder().setEventId("f" + i).setEventTime(Instant.ofEpochMilli(i))
        .setKind(TrainingEventKind.FEATURES).setUserId(null).setItemId(item).setFeatures(values)
        .setSourceTopic("t").setSourcePartition(0).setSourceOffset(i).build();
  }

  @Test
  void shouldRestoreItsContentFromCheckpointsAndGoOnAlike() {
    MockProcessorContext<String, byte[]> ctx = new MockProcessorContext<>();
    KeyValueStore<Bytes, byte[]> kv = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.Bytes(),
        Serdes.ByteArray()).withLoggingDisabled().build();
    kv.init(ctx.getStateStoreContext(), kv);
    StreamContent a = new StreamContent(true, 4);
    CheckpointStore store = new CheckpointStore(kv, "v", TrainingObserver.NONE);
    for (int i = 0; i < 6; i++) {
      a.apply(review(i, "review number " + "abcdef".charAt(i)));
    }
    a.apply(features(6, "i1", 1f, 2f));
    store.take(a.state(), new CheckpointStore.Counters(6, 6, 1, 1), 0);
    for (int i = 7; i < 10; i++) {
      a.apply(review(i, "later review " + "ghij".charAt(i - 7)));
    }
    a.apply(features(10, "i2", 3f, 4f));
    store.take(a.state(), new CheckpointStore.Counters(10, 9, 2, 2), 0);
    StreamContent b = new StreamContent(true, 4);
    new CheckpointStore(kv, "v", TrainingObserver.NONE).load(b.state());
    assertEquals(a.reviewCount(), b.reviewCount());
    for (int r = a.reviewCount() - 4; r < a.reviewCount(); r++) {
      assertArrayEquals(a.reviewTokens(r), b.reviewTokens(r), "review " + r);
    }
    assertEquals(a.users().size(), b.users().size());
    assertEquals(a.items().size(), b.items().size());
    for (int v = 0; v < a.items().size(); v++) {
      assertEquals(a.items().id(v), b.items().id(v));
      assertArrayEquals(a.itemFeatures(v), b.itemFeatures(v), "features of item " + v);
    }
    for (int i = 11; i < 14; i++) {
      TrainingEvent e = review(i, "review number " + "zyx".charAt(i - 11));
      assertEquals(a.apply(e), b.apply(e), "event " + i + " gets the same interaction on both");
      assertArrayEquals(a.reviewTokens(i - 2), b.reviewTokens(i - 2));
    }
  }
}
