package io.jrlstream.ops.it;

import io.jrlstream.core.param.Param;
import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.shard.ShardTask;
import io.jrlstream.core.view.View;
import io.jrlstream.ops.pipeline.Pipeline;
import io.jrlstream.streams.config.StreamsSettings;
import io.jrlstream.streams.shard.ShardObserver;
import io.jrlstream.streams.shard.ShardedTopology;
import io.jrlstream.streams.train.TrainingObserver;
import io.jrlstream.streams.train.TrainingOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.function.IntPredicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

/**
 * One instance of a sharded collaborative view's application (as {@code jrl run} runs it: {@link Pipeline}'s
 * properties, static membership), in a child JVM that runs until it is killed, printing what its tasks do: {@code
 * STARTED} when a task starts (with the records it re-read to rebuild its state), {@code ROUND} every 10 rounds,
 * {@code CHECKPOINT} when a task's checkpoint commits, {@code EPOCH} at each epoch end with the task's events and a
 * hash of its parameters. Arguments: bootstrap servers, state directory, and optionally the mini-batches between
 * checkpoints ({@code jrl.checkpoint.batches}, each written at once; without it the declared defaults, which take
 * none in the test's stream).
 */
public final class ShardChildMain {
  static final String VIEW = "collaborative";
  static final String APP = "jrl-it-shard-crash";
  static final int BATCH = 16;
  static final ShardSettings SHARD = new ShardSettings(2, 1, 1);

  private ShardChildMain() {}

  public static void main(String[] args) throws Exception {
    StreamsSettings s = StreamsSettings.defaults(args[0]).withApplicationId(APP);
    TrainingOptions options = TrainingOptions.defaults().withBatchSize(BATCH);
    if (args.length > 2) {
      options = options.withCheckpointBatches(Integer.parseInt(args[2])).withCheckpointEventsPerRow(0)
          .withCheckpointSpreadBatches(0);
    }
    Pipeline.Options o = Pipeline.Options.of(List.of(VIEW), Path.of(args[1])).withTraining(options);
    Properties props = Pipeline.shardedViewProperties(s, o, VIEW, SHARD);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
    // The survivor takes the dead instance's tasks once its session times out: the broker's least, 6 s.
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000");
    ShardObserver observer = new ShardObserver() {
      @Override
      public void started(String view, ShardTask task, long replayed, long millis) {
        print("STARTED task=" + task.index() + " replayed=" + replayed + " ms=" + millis);
      }

      @Override
      public void roundClosed(String view, ShardTask task) {
        if (task.closed() % 10 == 0) {
          print("ROUND task=" + task.index() + " closed=" + task.closed());
        }
      }

      @Override
      public void checkpointCommitted(String view, ShardTask task, int rows, long bytes) {
        print("CHECKPOINT task=" + task.index() + " events=" + task.events() + " rows=" + rows + " bytes=" + bytes);
      }

      @Override
      public void epochEnded(String view, ShardTask task, int epoch, IntPredicate ownsUser) {
        print("EPOCH task=" + task.index() + " epoch=" + epoch + " events=" + task.events() + " closed="
            + task.closed() + " hash=" + Long.toHexString(hash(task.trainer().view(), ownsUser)));
      }
    };
    KafkaStreams app = new KafkaStreams(ShardedTopology.build(s, TrainerFixtures.config(), VIEW, options, SHARD,
        observer, TrainingObserver.NONE), props);
    app.start();
    Thread.sleep(Long.MAX_VALUE); // until killed
  }

  private static synchronized void print(String line) {
    System.out.println(System.currentTimeMillis() + " " + line);
    System.out.flush();
  }

  /**
   * A hash of every parameter row and its optimiser state, the user rows of {@code ownsUser} only (a task trains its
   * own users; the simulator's task 0 holds every user's row in the end).
   */
  static long hash(View v, IntPredicate ownsUser) {
    long h = 1;
    for (Param p : v.params()) {
      boolean users = p.value() == v.users();
      for (int row = 0; row < p.value().size(); row++) {
        if (users && !ownsUser.test(row)) {
          continue;
        }
        for (float f : p.value().row(row)) {
          h = h * 31 + Float.floatToRawIntBits(f);
        }
        float[] st = p.state1OrNull(row);
        for (int j = 0; st != null && j < st.length; j++) {
          h = h * 31 + Float.floatToRawIntBits(st[j]);
        }
        h = h * 31 + row;
      }
    }
    return h;
  }
}
