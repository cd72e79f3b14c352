package io.jrlstream.ops.importer;

import io.jrlstream.core.data.DatasetReader;
import io.jrlstream.core.data.RecordReader;
import io.jrlstream.core.data.SourceRecord;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.pipeline.EventEncoder;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.config.TopicSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
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
 * Imports one data file into the input topics, exactly once per source position, however often it is run or
 * interrupted.
 *
 * <p><b>Events.</b> Every record of the file ({@link RecordReader}) becomes one event with the file's event
 * time: a review (text holding a word) a {@code ReviewEvent} with its summary and text as written and its stars
 * rounded to an integer; stars without text a {@code RatingEvent}; a user-item pair a {@code RatingEvent}
 * without stars (an interaction: it trains the collaborative and image views, not the rating view); an item's
 * image features an {@code ImageFeatureEvent}. Event ids are {@code <fingerprint>:<position>}: the file
 * content's fingerprint (first 64 bits of its SHA-256, as stored, so gzip bytes for a gzip file) and the line
 * (record) number, so the same line always gets the same id. Pairs and feature files carry no time: their event
 * time is 0 (the epoch). Malformed lines produce no event; each is reported to the {@link Listener} with its
 * number and reason.
 *
 * <p><b>Exactly once.</b> A transactional producer (transactional id {@code jrl-import-<fingerprint>}) sends
 * the events of each chunk of {@code chunkLines} positions and, in the same transaction, an
 * {@link ImportProgress} marker (positions done, counts) keyed by the fingerprint on the compacted imports
 * topic. A run first initialises the transactions, which aborts whatever an interrupted run of the same file
 * left open and fences it off if it is still alive, then reads the last committed marker and starts after it.
 * So for read_committed consumers (the trainer runs exactly-once and reads committed data only), each line of a
 * given file content yields its event exactly once and in file order, across re-runs, crashes and concurrent
 * runs of the same file; a re-run of a completed file produces nothing. Not covered: the same events in a file
 * with other bytes (another fingerprint, e.g. the file re-compressed or appended to) are imported again, and
 * read_uncommitted consumers may see the events of aborted chunks.
 *
 * <p>Stateless; each {@link #run} opens and closes its own clients. Not for concurrent use of one listener.
 */
public final class Importer {
  /**
   * How an import runs.
   *
   * @param chunkLines positions (lines or records) committed per transaction
   * @param format the file's format, or null to detect it from the content
   * @param read feature dimension and byte order of image feature files
   * @param modelId model id written into image feature events
   * @param modelVersion model version written into image feature events
   */
  public record Options(int chunkLines, DatasetReader.Format format, RecordReader.Options read, String modelId,
      String modelVersion) {
    public Options {
      if (chunkLines < 1) {
        throw new IllegalArgumentException("chunk size must be at least 1 line, got " + chunkLines);
      }
      Objects.requireNonNull(read, "read");
      Objects.requireNonNull(modelId, "modelId");
      Objects.requireNonNull(modelVersion, "modelVersion");
    }

    /** McAuley's features (4096 little-endian floats of the Caffe reference network's fc7), chunks of 5000. */
    public static Options defaults() {
      return new Options(5000, null, RecordReader.Options.defaults(), "caffe-reference-fc7", "mcauley-2016");
    }

    public Options withChunkLines(int n) {
      return new Options(n, format, read, modelId, modelVersion);
    }

    public Options withReadOptions(RecordReader.Options r) {
      return new Options(chunkLines, format, r, modelId, modelVersion);
    }
  }

  /** Told what happens, on the importing thread. */
  public interface Listener {
    /** Before reading: the source's fingerprint and what earlier runs committed. */
    default void started(String fingerprint, ImportProgress before) {}

    /** A malformed line (record): its number and why; it produces no event. */
    default void malformed(long position, String reason) {}

    /** After each committed chunk: the fraction of the file's bytes read and the positions done in this run. */
    default void progress(double fraction, long positionsThisRun) {}

    /** A chunk's events and marker are sent, its transaction not committed yet (tests interrupt here). */
    default void beforeCommit(ImportProgress marker) {}
  }

  /**
   * What a run did.
   *
   * @param fingerprint the source's fingerprint
   * @param before what earlier runs had committed
   * @param after what is committed now
   * @param byKind events of this run per record kind
   */
  public record Result(String fingerprint, ImportProgress before, ImportProgress after,
      Map<SourceRecord.Kind, Long> byKind) {
    /** Events this run produced. */
    public long events() {
      return after.events() - before.events();
    }

    /** Malformed lines this run found. */
    public long malformed() {
      return after.malformed() - before.malformed();
    }
  }

  private Importer() {}

  /** The topics an import writes: the input topics and the compacted imports topic. */
  public static List<TopicSpec> topics(StreamsSettings s, String importsTopic) {
    List<TopicSpec> out = new ArrayList<>();
    out.addAll(s.inputTopics());
    out.add(TopicSpec.compacted(importsTopic, 1, s.reviews().replication()));
    return out;
  }

  /**
   * Imports {@code file} (see the class description), creating missing topics first.
   *
   * @throws IllegalArgumentException when the file is missing, unreadable or empty
   * @throws io.jrlstream.ops.kafka.TopicMisconfiguredException when an existing topic's settings are wrong
   * @throws org.apache.kafka.common.errors.ProducerFencedException when another run of the same file took over
   */
  public static Result run(Path file, StreamsSettings s, String importsTopic, Options o, Listener listener) {
    DatasetReader.Format format = o.format() != null ? o.format() : DatasetReader.detect(file);
    String fp = fingerprint(file);
    Properties base = s.kafkaProperties();
    base.remove("application.id");
    try (Admin admin = Admin.create(base)) {
      TopicAdmin.ensureTopics(admin, topics(s, importsTopic));
    }
    Properties p = (Properties) base.clone();
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "jrl-import-" + fp);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "20");
    p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 << 10));
    p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "jrl-import-" + fp);
    EventEncoder events = new EventEncoder(s);
    Map<SourceRecord.Kind, Long> byKind = new EnumMap<>(SourceRecord.Kind.class);
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
        new ByteArraySerializer())) {
      producer.initTransactions(); // aborts what an interrupted run left open, fences it if alive
      ImportProgress before = committed(base, importsTopic, fp, file.getFileName().toString(), format.name());
      listener.started(fp, before);
      if (before.complete()) {
        return new Result(fp, before, before, byKind);
      }
      ImportProgress done = before;
      try (RecordReader in = RecordReader.open(file, format, o.read())) {
        in.skipTo(before.position());
        boolean more = true;
        while (more) {
          producer.beginTransaction();
          long chunkStart = in.position();
          long eventsNow = done.events();
          long malformedNow = done.malformed();
          while (in.position() - chunkStart < o.chunkLines() && (more = in.next())) {
            if (in.problem() != null) {
              malformedNow++;
              listener.malformed(in.position(), in.problem());
              continue;
            }
            SourceRecord r = in.record();
            producer.send(event(events, fp + ":" + in.position(), r, o));
            byKind.merge(r.kind(), 1L, Long::sum);
            eventsNow++;
          }
          ImportProgress marker = new ImportProgress(done.source(), format.name(), in.position(), eventsNow,
              malformedNow, !more);
          producer.send(new ProducerRecord<>(importsTopic, fp, marker.encode()));
          listener.beforeCommit(marker);
          producer.commitTransaction();
          done = marker;
          listener.progress(in.size() == 0 ? 1 : (double) in.bytesRead() / in.size(),
              done.position() - before.position());
        }
      }
      return new Result(fp, before, done, byKind);
    }
  }

  private static ProducerRecord<String, byte[]> event(EventEncoder e, String id, SourceRecord r, Options o) {
    return switch (r.kind()) {
      case REVIEW -> e.review(id, r.time(), null, r.user(), r.item(),
          Float.isNaN(r.stars()) ? null : Math.round(r.stars()), r.summary(), r.body());
      case RATING -> e.rating(id, r.time(), null, r.user(), r.item(), r.stars());
      case PAIR -> e.rating(id, r.time(), null, r.user(), r.item(), null);
      case FEATURES -> e.features(id, r.time(), r.item(), o.modelId(), o.modelVersion(), r.features());
    };
  }

  /**
   * The last committed marker of {@code fingerprint} on the imports topic (read_committed, up to the end), or
   * {@link ImportProgress#none} when there is none.
   */
  public static ImportProgress committed(Properties base, String topic, String fingerprint, String source,
      String format) {
    Properties p = (Properties) base.clone();
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG);
    ImportProgress last = ImportProgress.none(source, format);
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(30)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (!parts.stream().allMatch(tp -> c.position(tp) >= end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read the imports topic " + topic + " to its end " + end);
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (fingerprint.equals(r.key()) && r.value() != null) {
            last = ImportProgress.decode(r.key(), r.value());
          }
        }
      }
    }
    return last;
  }

  /** First 64 bits of the SHA-256 of the file's bytes as stored, in hex. */
  public static String fingerprint(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
