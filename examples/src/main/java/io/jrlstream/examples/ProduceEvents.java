package io.jrlstream.examples;

import io.jrlstream.schemas.ImageFeatureEvent;
import io.jrlstream.schemas.RatingEvent;
import io.jrlstream.schemas.ReviewEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.schemas.codec.SchemaHistory;
import io.jrlstream.schemas.codec.SchemaVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * How an outside Java producer writes jrl-stream's input events (docs/producers.md): with the published
 * {@code jrl-schemas} jar, a value is {@code AvroCodec.of(Type.class).encode(event)} (Avro single-object encoding
 * of the current schema version), the key is the user id (the item id for item content), and the producer is
 * idempotent. Run it against any cluster the trainer reads:
 *
 * <pre>
 * mvn -q package -DskipTests      # the README's build: examples/target/jrl-examples.jar, libraries in ops/target/lib
 * java -cp "examples/target/jrl-examples.jar:ops/target/lib/*" io.jrlstream.examples.ProduceEvents \
 *     --bootstrap 127.0.0.1:9092 --events 600
 * </pre>
 *
 * <p>{@code --print-fingerprints} lists every published schema version with its fingerprint, the values other
 * languages must write after the magic bytes.
 *
 * <p>Stateless: the codecs are immutable and thread-safe; one producer per process is the Kafka way.
 */
public final class ProduceEvents {
  /** Each codec writes the current version of its type and knows every published one. */
  private static final AvroCodec<ReviewEvent> REVIEWS = AvroCodec.of(ReviewEvent.class);
  private static final AvroCodec<RatingEvent> RATINGS = AvroCodec.of(RatingEvent.class);
  private static final AvroCodec<ImageFeatureEvent> FEATURES = AvroCodec.of(ImageFeatureEvent.class);
  private static final String[] WORDS = ("bright warm crisp loud quiet heavy light sturdy cheap solid smooth sharp"
      + " deep clean tone string strap pedal cable tuner amp case pick stand mic reed drum bow valve horn").split(" ");

  private ProduceEvents() {}

  /**
   * The producer settings the guide recommends: idempotence (no duplicates or reordering on retries, which
   * matters because the trainer does not de-duplicate by event id), {@code acks=all}, String keys and byte values.
   *
   * @param bootstrap the cluster, e.g. {@code 127.0.0.1:9092}
   * @return settings for a {@link KafkaProducer}; add security settings as the cluster needs
   */
  public static Properties producerConfig(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return p;
  }

  /** A review for {@code topic} (jrl.reviews): keyed by user id, so one user's events stay in order. */
  public static ProducerRecord<String, byte[]> review(String topic, ReviewEvent e) {
    return new ProducerRecord<>(topic, e.getUserId(), REVIEWS.encode(e));
  }

  /** A rating or, with null stars, an implicit interaction, for {@code topic} (jrl.ratings), keyed by user id. */
  public static ProducerRecord<String, byte[]> rating(String topic, RatingEvent e) {
    return new ProducerRecord<>(topic, e.getUserId(), RATINGS.encode(e));
  }

  /** An item's image features for {@code topic} (jrl.image-features), keyed by item id. */
  public static ProducerRecord<String, byte[]> features(String topic, ImageFeatureEvent e) {
    return new ProducerRecord<>(topic, e.getItemId(), FEATURES.encode(e));
  }

  /**
   * Synthetic events: {@code events} interactions of {@code users} users with {@code items} items (every fifth a
   * rating without text, the rest reviews), then one feature vector of {@code featureDim} floats per item. Users
   * and items fall into three clusters that their choices and words follow. Ids are prefixed with {@code prefix};
   * event ids are {@code <prefix>:<n>}, stable for a given seed, as a retry must send the same id.
   *
   * @param topics where each kind goes
   * @return the records in sending order
   */
  public static List<ProducerRecord<String, byte[]>> sample(Topics topics, String prefix, int users, int items,
      int events, int featureDim, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    long start = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
    for (int n = 0; n < events; n++) {
      int u = rng.nextInt(users);
      int cluster = rng.nextInt(5) < 4 ? u % 3 : rng.nextInt(3);
      int i = Math.min(items - 1, cluster + 3 * rng.nextInt(Math.max(1, (items - cluster + 2) / 3)));
      String user = prefix + "-u" + u;
      String item = prefix + "-i" + i;
      Instant when = Instant.ofEpochMilli(start + n * 60_000L);
      String id = prefix + ":" + n;
      int stars = i % 3 == u % 3 ? 5 : 1 + rng.nextInt(4);
      if (n % 5 == 4) {
        out.add(rating(topics.ratings(), RatingEvent.newBuilder().setEventId(id).setEventTime(when).setUserId(user)
            .setItemId(item).setStars((float) stars).build()));
      } else {
        out.add(review(topics.reviews(), ReviewEvent.newBuilder().setEventId(id).setEventTime(when).setUserId(user)
            .setItemId(item).setStars(stars).setSummary("").setReviewText(words(rng, cluster))
            .setHelpfulVotes(0).build()));
      }
    }
    for (int i = 0; i < items; i++) {
      List<Float> f = new ArrayList<>(featureDim);
      for (int k = 0; k < featureDim; k++) {
        f.add(k % 3 == i % 3 ? 1f : (float) rng.nextDouble(0, 0.1));
      }
      out.add(features(topics.imageFeatures(), ImageFeatureEvent.newBuilder().setEventId(prefix + ":f" + i)
          .setEventTime(Instant.ofEpochMilli(start)).setItemId(prefix + "-i" + i).setModelId("example-cnn")
          .setModelVersion("1").setDimension(featureDim).setFeatures(f).build()));
    }
    return out;
  }

  /** 6 to 17 words of the cluster's twelve (neighbouring clusters share three). */
  private static String words(SplittableRandom rng, int cluster) {
    StringBuilder sb = new StringBuilder();
    for (int w = 6 + rng.nextInt(12); w > 0; w--) {
      sb.append(sb.length() == 0 ? "" : " ").append(WORDS[cluster * 9 + rng.nextInt(12)]);
    }
    return sb.toString();
  }

  /**
   * Sends every record and waits until the cluster has acknowledged each one.
   *
   * @return how many were sent
   * @throws ExecutionException the first failed send (nothing is retried here: the producer already retried)
   */
  public static int produce(Producer<String, byte[]> producer, List<ProducerRecord<String, byte[]>> records)
      throws ExecutionException, InterruptedException {
    List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
    for (ProducerRecord<String, byte[]> r : records) {
      sent.add(producer.send(r));
    }
    producer.flush();
    for (Future<RecordMetadata> f : sent) {
      f.get();
    }
    return sent.size();
  }

  /**
   * The topics of the three event kinds.
   *
   * @param reviews       ReviewEvent topic (jrl.reviews)
   * @param ratings       RatingEvent topic (jrl.ratings)
   * @param imageFeatures ImageFeatureEvent topic (jrl.image-features)
   */
  public record Topics(String reviews, String ratings, String imageFeatures) {
    /** The trainer's default topic names. */
    public static Topics defaults() {
      return new Topics("jrl.reviews", "jrl.ratings", "jrl.image-features");
    }
  }

  /**
   * {@code --bootstrap HOST:PORT [--events N] [--feature-dim F]}, or {@code --print-fingerprints}.
   *
   * @param args command-line arguments
   */
  public static void main(String[] args) throws Exception {
    String bootstrap = "127.0.0.1:9092";
    int events = 600;
    int featureDim = 4096;
    for (int a = 0; a < args.length; a++) {
      switch (args[a]) {
        case "--bootstrap" -> bootstrap = args[++a];
        case "--events" -> events = Integer.parseInt(args[++a]);
        case "--feature-dim" -> featureDim = Integer.parseInt(args[++a]);
        case "--print-fingerprints" -> {
          for (SchemaVersion v : SchemaHistory.standard().all()) {
            System.out.println(v.fingerprintHex() + " " + v.fullName() + " v" + v.version());
          }
          return;
        }
        default -> throw new IllegalArgumentException("unknown argument '" + args[a]
            + "'; expected --bootstrap HOST:PORT, --events N, --feature-dim F or --print-fingerprints");
      }
    }
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerConfig(bootstrap))) {
      int n = produce(producer, sample(Topics.defaults(), "java", 30, 24, events, featureDim, 1));
      System.out.println("produced " + n + " events to " + bootstrap);
    }
  }
}
