package io.jrlstream.ops.pipeline;

import io.jrlstream.schemas.ImageEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import io.jrlstream.streams.config.StreamsSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces {@link ImageEvent}s (Avro single-object encoding, keyed by item id) to an images topic: image files
 * of a folder for {@code jrl local --images}, generated images for {@code jrl bench image}.
 *
 * <p>Lifecycle: close flushes and closes the Kafka producer. Not thread-safe.
 */
public final class ImageProducer implements AutoCloseable {
  private static final AvroCodec<ImageEvent> IMAGES = AvroCodec.of(ImageEvent.class);

  private final KafkaProducer<String, byte[]> producer;
  private final String topic;

  /**
   * @param settings the cluster and client properties
   * @param topic    the images topic
   */
  public ImageProducer(StreamsSettings settings, String topic) {
    Properties p = settings.kafkaProperties();
    p.remove("application.id");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    this.topic = topic;
  }

  /**
   * Sends one image.
   *
   * @param eventId     the event id
   * @param itemId      the pictured item
   * @param bytes       the encoded image
   * @param contentType its MIME type
   */
  public void send(String eventId, String itemId, byte[] bytes, String contentType) {
    ImageEvent e = new ImageEvent(eventId, Instant.now(), itemId, ByteBuffer.wrap(bytes), contentType);
    producer.send(new ProducerRecord<>(topic, itemId, IMAGES.encode(e)));
  }

  /**
   * Sends every {@code .jpg}, {@code .jpeg} and {@code .png} file of a folder (not its sub-folders), in name
   * order; the item id is the file name without its extension.
   *
   * @param dir the folder
   * @return the number of images sent
   * @throws IOException when the folder cannot be listed or a file read
   */
  public int sendFolder(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(f -> type(f) != null).sorted().toList();
    }
    for (Path f : files) {
      String name = f.getFileName().toString();
      String item = name.substring(0, name.lastIndexOf('.'));
      send("file:" + name, item, Files.readAllBytes(f), type(f));
    }
    producer.flush();
    return files.size();
  }

  private static String type(Path f) {
    String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".png") ? "image/png" : n.endsWith(".jpg") || n.endsWith(".jpeg") ? "image/jpeg" : null;
  }

  /** Waits until every image sent so far is acknowledged. */
  public void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    producer.close();
  }
}
