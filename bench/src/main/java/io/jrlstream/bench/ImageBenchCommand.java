package io.jrlstream.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.sun.management.OperatingSystemMXBean;
import io.jrlstream.bench.kafka.BenchBroker;
import io.jrlstream.ops.JsonOutput;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.pipeline.ImageProducer;
import io.jrlstream.streams.config.StreamsKeys;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.config.TopicSpec;
import io.jrlstream.streams.image.ImageDecoder;
import io.jrlstream.streams.image.ImageFeatureTopology;
import io.jrlstream.streams.image.ImageKeys;
import io.jrlstream.streams.image.ImagePreprocessor;
import io.jrlstream.streams.image.ImageSettings;
import io.jrlstream.streams.image.OnnxSessions;
import io.jrlstream.streams.ingest.DeadLetterCounter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl bench image}: images per second of the image path end to end (ImageEvents produced to an embedded
 * broker, decoded, preprocessed, micro-batched, run through ONNX Runtime and committed as feature events with
 * exactly-once) against a bare ONNX Runtime session on the same model, batch size and session options (thread
 * counts, spinning, optimisation level: {@link OnnxSessions#options}), fed ready-made input tensors, in the same
 * process: per batch size, both as medians of rounds after warm-up rounds, and their ratio; and the CPU each side
 * takes per image, the broker's apart when it runs in a child JVM (the default, as beside a real cluster: its
 * request handling and its JIT then do not count as the streaming process's CPU, though they share the cores).
 *
 * <p>Images are generated JPEGs (seeded gradients with noise, {@code --image-size} square), so decoding and
 * resizing are part of the streaming figure, as they are of the real path.
 */
@Command(name = "image", mixinStandardHelpOptions = true,
    description = "Image feature extraction: streaming path (broker, exactly-once) vs a bare ONNX Runtime session, "
        + "images/s per batch size. Model: e.g. the random-weight AlexNet of make_test_model.py --alexnet.")
final class ImageBenchCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "The .onnx feature extractor.")
  Path model;

  @Option(names = "--feature-dim", defaultValue = "4096", description = "Its output dimension (default "
      + "${DEFAULT-VALUE}).")
  int featureDim;

  @Option(names = "--batches", split = ",", defaultValue = "1,32", description = "Batch sizes (default "
      + "${DEFAULT-VALUE}).")
  List<Integer> batches;

  @Option(names = "--rounds", defaultValue = "5", description = "Timed rounds per figure; the median is reported "
      + "(default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--warm-up-rounds", defaultValue = "3",
      description = "Untimed rounds of both sides per batch size before the timed ones (default ${DEFAULT-VALUE}): "
          + "the JIT compiles client, Streams and broker code for the first few hundred images.")
  int warmUpRounds;

  @Mixin
  BrokerOption broker;

  @Option(names = "--images-per-round", defaultValue = "256",
      description = "Images per round, rounded up to whole batches; a streaming round fills and drains the pipeline "
          + "once, "
          + "so short rounds understate its sustained rate (default ${DEFAULT-VALUE}).")
  int imagesPerRound;

  @Option(names = "--image-size", defaultValue = "256", description = "Side of the generated JPEGs (default "
      + "${DEFAULT-VALUE}).")
  int imageSize;

  @Option(names = "--image-set", paramLabel = "KEY=VALUE", split = ",",
      description = "Further jrl.image.* settings (input size, mean, threads, provider…).")
  Map<String, String> imageSet = Map.of();

  @Option(names = "--json", paramLabel = "OUT", description = "Write the figures as JSON to OUT.")
  Path json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (rounds < 1 || warmUpRounds < 0) {
      throw new IllegalArgumentException("need --rounds ≥ 1 and --warm-up-rounds ≥ 0, got " + rounds + " and "
          + warmUpRounds);
    }
    ImageSettings base = settings();
    List<byte[]> jpegs = jpegs(16, imageSize);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("model", model.toString());
    doc.put("featureDim", featureDim);
    doc.put("imageSize", imageSize);
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("provider", new OnnxSessions(base).choice().provider());
    doc.put("intraOpThreads", base.session().intraThreads());
    doc.put("spin", base.session().spin());
    doc.put("broker", broker.placement.name());
    doc.put("warmUpRounds", warmUpRounds);
    doc.put("rounds", rounds);
    List<Map<String, Object>> rows = new ArrayList<>();
    Path work = Files.createTempDirectory("jrl-bench-image");
    try {
      try (BenchBroker b = BenchBroker.start(broker.placement, work)) {
        for (int batch : batches) {
          ImageSettings s = base.withBatching(base.batching().withSize(batch));
          int perRound = roundImages(batch);
          double[] bare = new double[rounds];
          double[] streaming = new double[rounds];
          double[] bareCpu = new double[rounds];
          double[] streamingCpu = new double[rounds];
          double[] brokerCpu = new double[rounds];
          long jitMillis = 0;
          // Rounds alternate between the two sides, so that both see the same load from whatever else runs on the
          // machine; the warm-up rounds (session, JIT, broker, caches) are not timed.
          try (Bare session = new Bare(s, jpegs); Streaming app = new Streaming(s, b.bootstrapServers(),
              work.resolve("state-" + batch))) {
            for (int r = -warmUpRounds; r < rounds; r++) {
              long j0 = jitMillis();
              long c0 = cpuNanos();
              double x = session.round(perRound);
              long c1 = cpuNanos();
              long k1 = b.cpuNanos();
              double y = app.round(perRound, jpegs);
              long c2 = cpuNanos();
              long k2 = b.cpuNanos();
              if (r >= 0) {
                jitMillis += jitMillis() - j0;
                bare[r] = x;
                streaming[r] = y;
                bareCpu[r] = (c1 - c0) / 1e6 / perRound;
                streamingCpu[r] = (c2 - c1) / 1e6 / perRound;
                brokerCpu[r] = (k2 - k1) / 1e6 / perRound;
                err.printf("batch %2d round %d: bare session %6.1f images/s (%5.1f ms CPU per image), streaming path "
                    + "%6.1f images/s (%5.1f ms CPU per image%s)%n", batch, r, x, bareCpu[r], y, streamingCpu[r],
                    broker.child()
                        ? String.format(" + %.1f ms in the broker", brokerCpu[r]) : "");
                err.flush();
              }
            }
          }
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("batch", batch);
          row.put("imagesPerRound", perRound);
          row.put("bareImagesPerSecond", median(bare));
          row.put("streamingImagesPerSecond", median(streaming));
          row.put("ratio", median(streaming) / median(bare));
          row.put("bareRounds", bare);
          row.put("streamingRounds", streaming);
          // CPU per image (this process's threads: ONNX Runtime's, the stream thread, producer, reader, JIT, GC; the
          // broker's apart when it is a child): less sensitive than wall time to other processes on a loaded machine.
          row.put("bareCpuMillisPerImage", median(bareCpu));
          row.put("streamingCpuMillisPerImage", median(streamingCpu));
          row.put("brokerCpuMillisPerImage", median(brokerCpu));
          row.put("cpuRatio", median(bareCpu) / (median(streamingCpu) + median(brokerCpu)));
          row.put("cpuRatioWithoutBroker", median(bareCpu) / median(streamingCpu));
          row.put("jitMillisInTimedRounds", jitMillis);
          err.printf("batch %2d: bare %.1f, streaming %.1f images/s (medians of %d rounds), ratio %.3f; CPU per image "
              + "%.1f ms bare, %.1f ms streaming + %.1f ms broker, ratio %.3f (%.3f without the broker); JIT %d ms in "
              + "timed rounds%n", batch, median(bare), median(streaming), rounds, median(streaming) / median(bare),
              median(bareCpu), median(streamingCpu), median(brokerCpu), row.get("cpuRatio"),
              row.get("cpuRatioWithoutBroker"), jitMillis);
          err.flush();
          rows.add(row);
        }
      }
    } finally {
      TempDirs.delete(work); // broker logs: gigabytes
    }
    doc.put("results", rows);
    JsonOutput.emit(doc, out, json);
    return 0;
  }

  private ImageSettings settings() {
    Properties p = new Properties();
    imageSet.forEach(p::setProperty);
    p.setProperty(ImageKeys.MODEL.key(), model.toString());
    p.setProperty(StreamsKeys.FEATURE_DIM.key(), Integer.toString(featureDim));
    p.putIfAbsent(ImageKeys.MAX_WAIT_MS.key(), "0"); // batches by count: rounds are whole batches
    return ImageSettings.fromProperties(p).orElseThrow();
  }

  /** A bare ONNX Runtime session with the same options, run on ready-made input tensors. */
  private static final class Bare implements AutoCloseable {
    private final ImageSettings s;
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private final OnnxTensor tensor;

    Bare(ImageSettings s, List<byte[]> jpegs) throws Exception {
      this.s = s;
      int b = s.batching().size();
      int per = s.preprocessing().floatsPerImage();
      FloatBuffer input = ByteBuffer.allocateDirect(b * per * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
      ImageDecoder decoder = new ImageDecoder(s.accepted().maxBytes(), s.accepted().maxPixels());
      ImagePreprocessor pre = new ImagePreprocessor(s.preprocessing());
      for (int i = 0; i < b; i++) {
        pre.toInput(decoder.decode(jpegs.get(i % jpegs.size()), "bench"), input, i * per);
      }
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      options = OnnxSessions.options(s, new OnnxSessions(s).choice());
      session = env.createSession(s.model().file().toString(), options);
      tensor = OnnxTensor.createTensor(env, input, new long[] {b, 3, s.preprocessing().height(),
          s.preprocessing().width()});
    }

    /** Runs batches of {@code images} images in all; returns images/s. */
    double round(int images) throws Exception {
      int runs = images / s.batching().size();
      long t0 = System.nanoTime();
      for (int k = 0; k < runs; k++) {
        try (OrtSession.Result result = session.run(Map.of(s.model().inputName(), tensor))) {
          if (result.get(s.model().outputName()).isEmpty()) {
            throw new IllegalStateException("no output " + s.model().outputName());
          }
        }
      }
      return runs * s.batching().size() / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public void close() throws OrtException {
      tensor.close();
      session.close();
      options.close();
    }
  }

  /** The extraction sub-topology alone on the broker, exactly-once, with a producer and a committed reader. */
  private final class Streaming implements AutoCloseable {
    private final ImageProducer producer;
    private final KafkaConsumer<byte[], byte[]> features;
    private final KafkaStreams streams;
    private final TopicPartition tp;
    private int sent;
    private int received;

    Streaming(ImageSettings s, String bootstrap, Path state) throws Exception {
      int b = s.batching().size();
      String prefix = "bench-b" + b + ".";
      Properties p = new Properties();
      p.setProperty(StreamsKeys.BOOTSTRAP_SERVERS.key(), bootstrap);
      p.setProperty(StreamsKeys.APPLICATION_ID.key(), "jrl-bench-image-" + b);
      p.setProperty(StreamsKeys.FEATURE_DIM.key(), Integer.toString(featureDim));
      p.setProperty(StreamsKeys.IMAGE_FEATURES.name().key(), prefix + "features");
      p.setProperty(StreamsKeys.DEAD_LETTERS.name().key(), prefix + "dead-letters");
      StreamsSettings ss = StreamsSettings.fromProperties(p);
      ImageSettings is = s.withImages(TopicSpec.of(prefix + "images", 1, (short) 1));
      Properties props = ss.kafkaProperties();
      props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
      props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100"); // as Pipeline.streamsProperties
      props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(64L << 20)); // as the pipeline
      try (Admin admin = Admin.create(props)) {
        TopicAdmin.ensureTopics(admin, List.of(TopicSpec.of(is.images().name(), 1, (short) 1),
            TopicSpec.of(ss.imageFeatures().name(), 1, (short) 1), TopicSpec.of(ss.deadLetters().name(), 1,
            (short) 1)));
      }
      Properties cp = ss.kafkaProperties();
      cp.remove("application.id");
      cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      producer = new ImageProducer(ss, is.images().name());
      features = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      tp = new TopicPartition(ss.imageFeatures().name(), 0);
      features.assign(List.of(tp));
      features.seekToBeginning(List.of(tp));
      streams = new KafkaStreams(ImageFeatureTopology.build(ss, new OnnxSessions(is), new DeadLetterCounter()), props);
      streams.start();
    }

    /** Produces {@code images} images and waits until their features are committed; returns images/s. */
    double round(int images, List<byte[]> jpegs) {
      long t0 = System.nanoTime();
      for (int i = 0; i < images; i++, sent++) {
        producer.send("bench-" + sent, "item-" + sent, jpegs.get(sent % jpegs.size()), "image/jpeg");
      }
      producer.flush();
      received = awaitFeatures(features, received, sent, streams);
      return images / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public void close() {
      streams.close(Duration.ofSeconds(30));
      features.close();
      producer.close();
    }
  }

  /**
   * Reads committed feature events until {@code total} have arrived. Counts records, not offsets: under
   * exactly-once every transaction also writes a commit marker, which takes an offset.
   */
  private static int awaitFeatures(KafkaConsumer<byte[], byte[]> c, int received, int total, KafkaStreams ks) {
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (received < total) {
      // poll returns as soon as records arrive; a longer wait only means fewer empty polls taking CPU
      received += c.poll(Duration.ofMillis(100)).count();
      if (ks.state() == KafkaStreams.State.ERROR || ks.state() == KafkaStreams.State.PENDING_ERROR) {
        throw new IllegalStateException("the extraction application failed; see the log above");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("features of " + total + " images did not arrive within 10 minutes");
      }
    }
    return received;
  }

  /** Images per round: at least one batch, whole batches. */
  private int roundImages(int batch) {
    return Math.max(1, (imagesPerRound + batch - 1) / batch) * batch;
  }

  /** Milliseconds the JIT compilers have spent so far (0 when the JVM does not say). */
  private static long jitMillis() {
    CompilationMXBean c = ManagementFactory.getCompilationMXBean();
    return c != null && c.isCompilationTimeMonitoringSupported() ? c.getTotalCompilationTime() : 0;
  }

  /** CPU time of this process, all threads. */
  private static long cpuNanos() {
    return ((OperatingSystemMXBean) ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Seeded JPEGs: gradients with noise, so they compress like photos rather than flat colour. */
  static List<byte[]> jpegs(int n, int size) throws IOException {
    SplittableRandom rnd = new SplittableRandom(42);
    List<byte[]> out = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          int r = Math.min(255, x * 255 / size + rnd.nextInt(32));
          int g = Math.min(255, y * 255 / size + rnd.nextInt(32));
          int bl = Math.min(255, (x + y + 40 * k) % 256 / 2 + rnd.nextInt(64));
          img.setRGB(x, y, (r << 16) | (g << 8) | bl);
        }
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ImageIO.write(img, "jpeg", bytes);
      out.add(bytes.toByteArray());
    }
    return out;
  }
}
