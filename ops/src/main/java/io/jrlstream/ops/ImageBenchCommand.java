package io.jrlstream.ops;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.jrlstream.ops.kafka.LocalBroker;
import io.jrlstream.ops.kafka.TopicAdmin;
import io.jrlstream.ops.kafka.TopicSpec;
import io.jrlstream.ops.pipeline.ImageProducer;
import io.jrlstream.streams.config.SettingKey;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.image.ImageDecoder;
import io.jrlstream.streams.image.ImageFeatureTopology;
import io.jrlstream.streams.image.ImagePreprocessor;
import io.jrlstream.streams.image.ImageSettings;
import io.jrlstream.streams.image.OnnxSessions;
import io.jrlstream.streams.ingest.DeadLetterCounter;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jrl bench-image}: images per second of the image path end to end (ImageEvents produced to an embedded
 * broker, decoded, preprocessed, micro-batched, run through ONNX Runtime and committed as feature events with
 * exactly-once) against a bare ONNX Runtime session on the same model, batch size and session options, fed
 * ready-made input tensors, in the same process: per batch size, both as medians of rounds after warm-up, and
 * their ratio.
 *
 * <p>Images are generated JPEGs (seeded gradients with noise, {@code --image-size} square), so decoding and
 * resizing are part of the streaming figure, as they are of the real path.
 */
@Command(name = "bench-image", mixinStandardHelpOptions = true,
    description = "Image feature extraction: streaming path (broker, exactly-once) vs a bare ONNX Runtime session, "
        + "images/s per batch size. Model: e.g. the random-weight AlexNet of make_test_model.py --alexnet.")
final class ImageBenchCommand implements Callable<Integer> {
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "The .onnx feature extractor.")
  Path model;

  @Option(names = "--feature-dim", defaultValue = "4096", description = "Its output dimension (default ${DEFAULT-VALUE}).")
  int featureDim;

  @Option(names = "--batches", split = ",", defaultValue = "1,32", description = "Batch sizes (default ${DEFAULT-VALUE}).")
  List<Integer> batches;

  @Option(names = "--rounds", defaultValue = "3", description = "Timed rounds per figure; the median is reported.")
  int rounds;

  @Option(names = "--images-per-round", defaultValue = "64",
      description = "Images per streaming round, rounded up to whole batches (default ${DEFAULT-VALUE}).")
  int imagesPerRound;

  @Option(names = "--image-size", defaultValue = "256", description = "Side of the generated JPEGs (default ${DEFAULT-VALUE}).")
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
    ImageSettings base = settings();
    List<byte[]> jpegs = jpegs(16, imageSize);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("model", model.toString());
    doc.put("featureDim", featureDim);
    doc.put("imageSize", imageSize);
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("provider", new OnnxSessions(base).choice().provider());
    List<Map<String, Object>> rows = new ArrayList<>();
    Path work = Files.createTempDirectory("jrl-bench-image");
    try (LocalBroker broker = LocalBroker.start(work.resolve("broker"))) {
      for (int b : batches) {
        ImageSettings s = base.withBatchSize(b);
        int perRound = roundImages(b);
        double[] bare = new double[rounds];
        double[] streaming = new double[rounds];
        double[] bareCpu = new double[rounds];
        double[] streamingCpu = new double[rounds];
        // Rounds alternate between the two sides, so that both see the same load from whatever else runs on the
        // machine; round -1 of each warms up (session, JIT, broker, caches).
        try (Bare session = new Bare(s, jpegs); Streaming app = new Streaming(s, broker.bootstrapServers(),
            work.resolve("state-" + b))) {
          for (int r = -1; r < rounds; r++) {
            long c0 = cpuNanos();
            double x = session.round(perRound);
            long c1 = cpuNanos();
            double y = app.round(perRound, jpegs);
            long c2 = cpuNanos();
            if (r >= 0) {
              bare[r] = x;
              streaming[r] = y;
              bareCpu[r] = perRound / ((c1 - c0) / 1e9);
              streamingCpu[r] = perRound / ((c2 - c1) / 1e9);
              err.printf("batch %2d round %d: bare session %7.1f images/s (%6.1f per CPU s), streaming path %7.1f images/s"
                  + " (%6.1f per CPU s)%n", b, r, x, bareCpu[r], y, streamingCpu[r]);
              err.flush();
            }
          }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("batch", b);
        row.put("imagesPerRound", perRound);
        row.put("bareImagesPerSecond", median(bare));
        row.put("streamingImagesPerSecond", median(streaming));
        row.put("ratio", median(streaming) / median(bare));
        row.put("bareRounds", bare);
        row.put("streamingRounds", streaming);
        // Images per second of this process's CPU time (every thread: ONNX Runtime, stream thread, broker,
        // producer, reader): less sensitive than wall time to other processes on a loaded machine.
        row.put("bareImagesPerCpuSecond", median(bareCpu));
        row.put("streamingImagesPerCpuSecond", median(streamingCpu));
        row.put("cpuRatio", median(streamingCpu) / median(bareCpu));
        err.printf("batch %2d: bare %.1f, streaming %.1f images/s (medians of %d rounds), ratio %.3f; per CPU second "
            + "ratio %.3f%n", b, median(bare), median(streaming), rounds, median(streaming) / median(bare),
            median(streamingCpu) / median(bareCpu));
        err.flush();
        rows.add(row);
      }
    }
    deleteRecursively(work);
    doc.put("results", rows);
    JsonOutput.emit(doc, out, json);
    return 0;
  }

  private ImageSettings settings() {
    Properties p = new Properties();
    imageSet.forEach(p::setProperty);
    p.setProperty(SettingKey.IMAGE_MODEL.key(), model.toString());
    p.setProperty(SettingKey.FEATURE_DIM.key(), Integer.toString(featureDim));
    p.putIfAbsent(SettingKey.IMAGE_MAX_WAIT_MS.key(), "0"); // batches by count: rounds are whole batches
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
      int b = s.batchSize();
      int per = s.preprocessing().floatsPerImage();
      FloatBuffer input = ByteBuffer.allocateDirect(b * per * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
      ImageDecoder decoder = new ImageDecoder(s.maxBytes(), s.maxPixels());
      ImagePreprocessor pre = new ImagePreprocessor(s.preprocessing());
      for (int i = 0; i < b; i++) {
        pre.toInput(decoder.decode(jpegs.get(i % jpegs.size()), "bench"), input, i * per);
      }
      OrtEnvironment env = OrtEnvironment.getEnvironment();
      options = OnnxSessions.options(s, new OnnxSessions(s).choice());
      session = env.createSession(s.model().toString(), options);
      tensor = OnnxTensor.createTensor(env, input, new long[] {b, 3, s.preprocessing().height(),
          s.preprocessing().width()});
    }

    /** Runs batches of {@code images} images in all; returns images/s. */
    double round(int images) throws Exception {
      int runs = images / s.batchSize();
      long t0 = System.nanoTime();
      for (int k = 0; k < runs; k++) {
        try (OrtSession.Result result = session.run(Map.of(s.inputName(), tensor))) {
          if (result.get(s.outputName()).isEmpty()) {
            throw new IllegalStateException("no output " + s.outputName());
          }
        }
      }
      return runs * s.batchSize() / ((System.nanoTime() - t0) / 1e9);
    }

    @Override
    public void close() throws ai.onnxruntime.OrtException {
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
      int b = s.batchSize();
      String prefix = "bench-b" + b + ".";
      Properties p = new Properties();
      p.setProperty(SettingKey.BOOTSTRAP_SERVERS.key(), bootstrap);
      p.setProperty(SettingKey.APPLICATION_ID.key(), "jrl-bench-image-" + b);
      p.setProperty(SettingKey.FEATURE_DIM.key(), Integer.toString(featureDim));
      p.setProperty(SettingKey.TOPIC_IMAGE_FEATURES.key(), prefix + "features");
      p.setProperty(SettingKey.TOPIC_DEAD_LETTERS.key(), prefix + "dead-letters");
      StreamsSettings ss = StreamsSettings.fromProperties(p);
      ImageSettings is = s.withImages(new io.jrlstream.streams.config.TopicSpec(prefix + "images", 1, (short) 1));
      Properties props = ss.kafkaProperties();
      props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
      props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "100");
      try (Admin admin = Admin.create(props)) {
        TopicAdmin.ensureTopics(admin, List.of(TopicSpec.of(is.images().name(), 1, (short) 1),
            TopicSpec.of(ss.imageFeatures().name(), 1, (short) 1), TopicSpec.of(ss.deadLetters().name(), 1, (short) 1)));
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
      received += c.poll(Duration.ofMillis(5)).count();
      if (ks.state() == KafkaStreams.State.ERROR || ks.state() == KafkaStreams.State.PENDING_ERROR) {
        throw new IllegalStateException("the extraction application failed; see the log above");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("features of " + total + " images did not arrive within 10 minutes");
      }
    }
    return received;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Images per round: at least one batch, whole batches. */
  private int roundImages(int batch) {
    return Math.max(1, (imagesPerRound + batch - 1) / batch) * batch;
  }

  /** CPU time of this process, all threads. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
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
