package io.jrlstream.ops.it;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.IdIndex;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.EmbeddingRecord;
import io.jrlstream.schemas.EntityKind;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.ingest.RejectReason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Input, reference runs and output readers shared by the tests against a real broker.
 *
 * <p>Input is a {@link SyntheticData} data set as {@link ReviewEvent}s (text and stars, so every event feeds
 * the collaborative, review and rating views), all on the single partition of the reviews topic: the only
 * way the order into the single-partition validated topic, which every view reads, is fixed by the input alone. The
 * reference is model-core's {@link StreamingTrainer} over the good events in the same order, with what the
 * trainer must publish derived from it (after every completed mini-batch, the user and item vectors it
 * changed), so the whole committed embedding log can be compared record by record, bit for bit.
 */
final class TrainerFixtures {
  static final List<String> VIEWS = List.of("collaborative", "review", "rating");
  static final int BATCH = 16;
  static final int DIM = 8;
  static final long SEED = 11;
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static final AvroCodec<ReviewEvent> REVIEWS = AvroCodec.of(ReviewEvent.class);
  private static final AvroCodec<EmbeddingRecord> EMBEDDINGS = AvroCodec.of(EmbeddingRecord.class);

  private TrainerFixtures() {}

  static ModelConfig config() {
    return ModelConfig.defaults().mapViews(v -> v.withDim(DIM)).withSeed(SEED);
  }

  /**
   * One record for the reviews topic.
   *
   * @param event the good event, or null for a bad record
   * @param rejected the dead-letter reason a bad record must get, or null for a good one
   */
  record Input(String key, byte[] value, long timestamp, ReviewEvent event, RejectReason rejected) {
    static Input good(ReviewEvent e, long timestamp) {
      return new Input(e.getUserId(), REVIEWS.encode(e), timestamp, e, null);
    }

    static Input bad(String key, byte[] value, long timestamp, RejectReason reason) {
      return new Input(key, value, timestamp, null, reason);
    }
  }

  /**
   * The synthetic data set's interactions as review events, in its order (ids {@code syn:<i>}, event times the
   * data's), with record timestamps {@code baseTimestamp + i}.
   *
   * <p>Record timestamps should be near the wall clock, as a producer's send times are: the broker rolls a
   * segment when a record's timestamp is more than {@code segment.ms} (7 days) past the segment's first one,
   * and a transaction marker carries the wall clock; with the data's 2014 event times as record timestamps,
   * the first commit marker would roll each embedding topic's segment, and the log cleaner could then compact
   * away superseded records of a log these tests compare in full.
   */
  static List<Input> goodEvents(SyntheticSpec spec, long seed, long baseTimestamp) {
    Dataset d = SyntheticData.generate(spec, seed);
    List<Input> out = new ArrayList<>();
    List<Interaction> xs = d.interactions();
    for (int i = 0; i < xs.size(); i++) {
      Interaction x = xs.get(i);
      String text = d.reviewText(x.review());
      out.add(Input.good(ReviewEvent.newBuilder().setEventId("syn:" + i).setEventTime(Instant.ofEpochMilli(x.time()))
          .setUserId(d.users().id(x.user())).setItemId(d.items().id(x.item())).setStars(Math.round(x.stars()))
          .setSummary("").setReviewText(text).build(), baseTimestamp + i));
    }
    return out;
  }

  /** A review event with the given fields (a template for bad records). */
  static ReviewEvent review(String id, long time, String user, String item, Integer stars, String summary,
      String text) {
    return ReviewEvent.newBuilder().setEventId(id).setEventTime(Instant.ofEpochMilli(time)).setUserId(user)
        .setItemId(item).setStars(stars).setSummary(summary).setReviewText(text).build();
  }

  static byte[] encode(ReviewEvent e) {
    return REVIEWS.encode(e);
  }

  /** The good events as model-core sees them offline: a data set built in stream order. */
  static Dataset offlineDataset(List<Input> inputs) {
    Dataset.Builder b = new Dataset.Builder("stream");
    for (Input in : inputs) {
      ReviewEvent e = in.event();
      if (e == null) {
        continue;
      }
      // The validator's text rule: summary + " " + body, or the non-empty one alone.
      String s = e.getSummary();
      String body = e.getReviewText();
      String text = s.isEmpty() ? body : body.isEmpty() ? s : s + " " + body;
      b.add(e.getUserId().strip(), e.getItemId().strip(), e.getStars() == null ? Float.NaN : e.getStars(), text,
          e.getEventTime().toEpochMilli());
    }
    return b.build();
  }

  /** The record timestamps of the good inputs, in order (parallel to {@link #offlineDataset}'s interactions). */
  static long[] goodTimestamps(List<Input> inputs) {
    return inputs.stream().filter(in -> in.event() != null).mapToLong(Input::timestamp).toArray();
  }

  /** An embedding record reduced to what must match bit for bit. */
  record Published(String key, String view, long updateCount, long eventTime, float[] vector) {
    /** Exact text form: floats as their raw bits, so equal strings mean bit-identical vectors. */
    String exact() {
      StringBuilder sb = new StringBuilder(view).append(' ').append(key).append(" batches=").append(updateCount)
          .append(" time=").append(eventTime).append(" [");
      for (int i = 0; i < vector.length; i++) {
        sb.append(i == 0 ? "" : " ").append(Integer.toHexString(Float.floatToRawIntBits(vector[i])));
      }
      return sb.append(']').toString();
    }
  }

  /** The offline one-pass run of one view: its final parameters and what the processor would publish. */
  record OfflineRun(View view, IdIndex users, IdIndex items, List<Published> published) {
    /** The final vector of {@code USER:<id>} or {@code ITEM:<id>}. */
    float[] finalVector(String key) {
      EmbeddingKey k = EmbeddingKey.parse(key);
      String id = k.id();
      boolean user = k.kind() == EntityKind.USER;
      int row = (user ? users : items).indexOf(id);
      if (row < 0) {
        throw new AssertionError("offline run has no " + key);
      }
      return (user ? view.users() : view.items()).row(row).clone();
    }
  }

  /**
   * Trains {@code view} on the good events of {@code d} in order with model-core's {@link StreamingTrainer},
   * recording after each completed mini-batch every user and item vector that it touched (created or stepped:
   * the tables' change tracking, which the processor publishes by too; a step may leave a row as it was, e.g. an
   * item whose only gradient came through a user vector still at zero), as the Kafka Streams processor must
   * publish them (keyed {@code USER:<id>}/{@code ITEM:<id>}, update count = batches so far, event time = the
   * record timestamp of the event that completed the batch). The values are the reference's own.
   */
  static OfflineRun offline(String viewName, ModelConfig config, int batch, Dataset d, long[] timestamps) {
    return offline(viewName, config, batch, d, timestamps, List.of());
  }

  private static final AvroCodec<TrainingEvent> TRAINING_EVENTS = AvroCodec.of(TrainingEvent.class);

  /**
   * A flush marker on the validated topic: after how many interactions it stands (review and rating events; not
   * markers, not item features) and its record timestamp, which the batch it completes carries.
   */
  record Marker(int eventsBefore, long timestamp) {}

  /** The flush markers on the validated topic, in order (read_committed). */
  static List<Marker> markers(String bootstrap, String validatedTopic) {
    List<Marker> out = new ArrayList<>();
    int events = 0;
    for (ConsumerRecord<String, byte[]> r : readCommitted(bootstrap, validatedTopic)) {
      if (r.value() == null) {
        out.add(new Marker(events, r.timestamp()));
      } else if (TRAINING_EVENTS.decode(r.value()).getKind() != TrainingEventKind.FEATURES) {
        events++;
      }
    }
    return out;
  }

  /**
   * As {@link #offline(String, ModelConfig, int, Dataset, long[])}, with the flush markers the ingestion wrote: after
   * each marker's events the trainer trains its half-collected batch, as the processor does when it reads the marker.
   */
  static OfflineRun offline(String viewName, ModelConfig config, int batch, Dataset d, long[] timestamps,
      List<Marker> markers) {
    View view = ViewFactory.create(viewName, config, d);
    StreamingTrainer t = new StreamingTrainer(view, config.seed(), batch);
    List<Published> out = new ArrayList<>();
    int[] seen = {0, 0};
    int next = 0;
    for (int n = 0; n <= d.interactions().size(); n++) {
      for (; next < markers.size() && markers.get(next).eventsBefore() == n; next++) {
        if (t.flush()) {
          changed(view, view.users(), EntityKind.USER, d.users(), seen[0], t.batches(), markers.get(next).timestamp(),
              out);
          changed(view, view.items(), EntityKind.ITEM, d.items(), seen[1], t.batches(), markers.get(next).timestamp(),
              out);
        }
      }
      if (n == d.interactions().size()) {
        break;
      }
      Interaction x = d.interactions().get(n);
      seen[0] = Math.max(seen[0], x.user() + 1);
      seen[1] = Math.max(seen[1], x.item() + 1);
      boolean completes = view.accepts(x) && t.pending().size() == batch - 1;
      if (t.accept(x) != completes) {
        throw new AssertionError("StreamingTrainer completed a batch where none was due (or the reverse)");
      }
      if (completes) {
        changed(view, view.users(), EntityKind.USER, d.users(), seen[0], t.batches(), timestamps[n], out);
        changed(view, view.items(), EntityKind.ITEM, d.items(), seen[1], t.batches(), timestamps[n], out);
      }
    }
    return new OfflineRun(view, d.users(), d.items(), out);
  }

  /** Records the rows of {@code table} touched since the last publication, then starts the next period. */
  private static void changed(View view, Table table, EntityKind kind, IdIndex ids, int seen, long batches, long time,
      List<Published> out) {
    table.forEachChangedSinceTick(row -> {
      if (row < seen) {
        out.add(new Published(EmbeddingKey.format(kind, ids.id(row)), view.name(), batches, time,
            table.row(row).clone()));
      }
    });
    table.tick();
  }

  /**
   * The exact text forms of a log of publications, each mini-batch's records (a run of one update count)
   * sorted by key: the order within one batch is the trainer's internal row order, which the contract leaves
   * open.
   */
  static List<String> canonical(List<Published> ps) {
    List<String> out = new ArrayList<>();
    int from = 0;
    while (from < ps.size()) {
      int to = from;
      while (to < ps.size() && ps.get(to).updateCount() == ps.get(from).updateCount()) {
        to++;
      }
      List<Published> group = new ArrayList<>(ps.subList(from, to));
      group.sort(Comparator.comparing(Published::key));
      for (int i = 1; i < group.size(); i++) {
        if (group.get(i).key().equals(group.get(i - 1).key())) {
          throw new AssertionError(group.get(i).key() + " published twice for batch " + group.get(i).updateCount());
        }
      }
      group.forEach(p -> out.add(p.exact()));
      from = to;
    }
    return out;
  }

  /**
   * Asserts that two embedding logs are equal in {@link #canonical} form, naming the first record that differs
   * (the whole logs would make an unreadable message).
   */
  static void assertSameLog(List<Published> expected, List<Published> actual, String what) {
    List<String> e = canonical(expected);
    List<String> a = canonical(actual);
    for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
      if (!e.get(i).equals(a.get(i))) {
        throw new AssertionError(what + ": committed embedding log differs from the reference at record " + i
            + " of " + e.size() + "/" + a.size() + "\nexpected: " + e.get(i) + "\nactual:   " + a.get(i));
      }
    }
    if (e.size() != a.size()) {
      int i = Math.min(e.size(), a.size());
      throw new AssertionError(what + ": the reference log has " + e.size() + " records, the committed one "
          + a.size() + "; first extra: " + (e.size() > i ? e.get(i) : a.get(i)));
    }
    if (e.isEmpty()) {
      throw new AssertionError(what + ": nothing published");
    }
  }

  /** The last publication per key, in order of first publication. */
  static Map<String, Published> latest(List<Published> ps) {
    Map<String, Published> m = new LinkedHashMap<>();
    for (Published p : ps) {
      m.put(p.key(), p);
    }
    return m;
  }

  static KafkaProducer<String, byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** Sends one input record to partition 0 of {@code topic}, with its own timestamp. */
  static void send(KafkaProducer<String, byte[]> producer, String topic, Input in) {
    producer.send(new ProducerRecord<>(topic, 0, in.timestamp(), in.key(), in.value()));
  }

  /**
   * Every committed record of {@code topic} (read_committed), from the beginning to the last stable offset
   * seen at the start.
   */
  static List<ConsumerRecord<String, byte[]>> readCommitted(String bootstrap, String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic, TIMEOUT).stream()
          .map(pi -> new TopicPartition(topic, pi.partition())).collect(Collectors.toList());
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, TIMEOUT);
      List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (!parts.stream().allMatch(tp -> c.position(tp, TIMEOUT) >= end.get(tp))) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("did not reach the end offsets " + end + " of " + topic + " within " + TIMEOUT);
        }
        c.poll(Duration.ofMillis(100)).forEach(out::add);
      }
      return out;
    }
  }

  /** The end offset of partition 0 of {@code topic} for read_committed (last stable) or read_uncommitted. */
  static long endOffset(String bootstrap, String topic, boolean committed) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      return c.endOffsets(List.of(tp), TIMEOUT).get(tp);
    }
  }

  /**
   * Waits until the committed end offsets of {@code topics} have not moved for {@code quiet} (coalesced
   * publication trails the input by up to one publication interval plus a commit).
   */
  static void awaitStable(String bootstrap, List<String> topics, Duration quiet) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    long last = -1;
    long since = System.nanoTime();
    while (true) {
      long now = topics.stream().mapToLong(t -> endOffset(bootstrap, t, true)).sum();
      if (now != last) {
        last = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since >= quiet.toNanos()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("embedding topics " + topics + " still growing after " + TIMEOUT);
      }
      Thread.sleep(100);
    }
  }

  /** The committed embedding log of one topic, decoded, in log order. */
  static List<Published> publishedOn(String bootstrap, String topic) {
    List<Published> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> r : readCommitted(bootstrap, topic)) {
      EmbeddingRecord e = EMBEDDINGS.decode(r.value());
      String expectedKey = e.getKind() + ":" + e.getEntityId();
      if (!expectedKey.equals(r.key())) {
        throw new AssertionError("record keyed " + r.key() + " holds " + expectedKey);
      }
      float[] v = new float[e.getVector().size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = e.getVector().get(i);
      }
      if (e.getEventTime().toEpochMilli() != r.timestamp()) {
        throw new AssertionError(r.key() + ": event time " + e.getEventTime() + " differs from the record timestamp "
            + r.timestamp());
      }
      out.add(new Published(r.key(), e.getViewName(), e.getUpdateCount(), e.getEventTime().toEpochMilli(), v));
    }
    return out;
  }
}
