package io.jrlstream.streams.shard;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.shard.Delta;
import io.jrlstream.core.shard.DeltaCodec;
import io.jrlstream.core.shard.ShardInbox;
import io.jrlstream.core.shard.ShardSettings;
import io.jrlstream.core.shard.ShardTask;
import io.jrlstream.core.state.DirtyRows;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateReader;
import io.jrlstream.core.state.StateWriter;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.schemas.EmbeddingKey;
import io.jrlstream.schemas.EntityKind;
import io.jrlstream.schemas.codec.EmbeddingCodec;
import io.jrlstream.streams.ingest.FlushMarkers;
import io.jrlstream.streams.train.FreshRows;
import io.jrlstream.streams.train.LiveQuality;
import io.jrlstream.streams.train.CheckpointStore;
import io.jrlstream.streams.train.StreamContent;
import io.jrlstream.streams.train.TrainingObserver;
import io.jrlstream.streams.train.TrainingOptions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task of a sharded view (docs/scaling.md "Shared rows: the round protocol"): reads partition i of the by-user
 * topic (its users' events, as {@link ShardRouter} wrote them) and of the update topic (the other tasks' round deltas
 * and epoch ends), and drives a {@link ShardTask} with its {@link ShardInbox}: each event trains; a round's delta goes
 * to every other task through the update topic, in the transaction that commits the batch; merge r is applied right
 * after closing round r + L, once every task's round-r delta is in; a flush marker ends an epoch. While the task waits
 * for a delta it cannot pause its partition (Kafka Streams has no such call for a processor), so it holds the events
 * that arrive and re-checks on every record and on a 10 ms wall-clock punctuation; where it waits is fixed by its
 * input, so the wait changes when it trains, never what.
 *
 * <p>Publication: the task publishes the rows of its own users, and of the items whose first event reached it (one
 * publisher per row), to the view's embedding topic, as the unsharded processor does: every publication interval
 * (and at each epoch end) the users of the new events trained since the last one ({@link FreshRows}); at a refresh
 * (every {@code jrl.publish.refresh.ms}, or when no batch was applied since the last publication and none is held)
 * every user row changed since the last refresh and the owned items whose vector differs from the one last
 * published. A merged row is not marked changed (the merge must not put it in the task's next delta), so the task
 * compares a 64-bit hash of each owned item's vector with that of its last publication (8 bytes per owned item).
 * Before, every changed user went out every 100 ms and every owned item at every epoch end: with replay nearly every
 * row, six times the vectors of one task on the Beauty pairs.
 *
 * <p><b>Checkpoint</b> (issue 8's structure, {@link CheckpointStore}: generations that keep the committed checkpoint
 * whole while the next is written, the rows changed since the previous one written a share per mini-batch). The
 * task's state lives in memory and, as a checkpoint, in the view's changelogged store
 * ({@link ShardedTopology#checkpointStore}, one per task): the task's blocks ({@link ShardTask#state}: every
 * parameter row with its optimiser state and, for a shared row, its base; the replica's bookkeeping; the trainer's
 * sampler, reservoir and counters; the round counters), the inbox's ({@link ShardInbox#state}: the deltas and epoch
 * ends no merge has used yet, a row per delta), the user and item ids, and two input positions: the update-topic
 * offset after the last record offered to the inbox, and the by-user offset of the first held event (after the last
 * record read when none is held). The held events are not copied: they are the by-user records from that offset on,
 * which a restore re-reads; every earlier one was trained or skipped. A checkpoint is taken at a record boundary right
 * after a step that applied a mini-batch: the trainer then holds no half-collected batch (its counters refuse one), and
 * every record read so far is in the inbox, held after the by-user position, trained or skipped, so the blocks and the
 * positions describe one consistent state. It is due, as the unsharded view's ({@link CheckpointStore#due}), after
 * {@code jrl.checkpoint.batches} mini-batches and {@code jrl.checkpoint.events.per.row} events per rewritten row,
 * counted in the trainer's batches and events: a function of the input, never of the wall clock; none is taken while
 * restoring. Its rows go to the store in the transactions that commit the batches writing them, so under
 * {@code exactly_once_v2} (the sharded application's default) the committed checkpoint never covers input beyond the
 * committed offsets; under {@code at_least_once} it may after a crash, and a record that comes again with an offset
 * before the task's positions is ignored (it is in the state already).
 *
 * <p><b>Restore.</b> When a task starts (a restart, or a move to another instance after a crash) it loads its
 * committed checkpoint (refused when written under other settings, or when its counters disagree with its
 * trainer's: a damaged store), then re-reads, through {@link CommittedInput}, the records of its two input
 * partitions from the checkpoint's positions up to its application's committed offsets (waiting for a dead
 * instance's open transaction to end): it offers the deltas to the inbox (those of merges the checkpoint applied are
 * dropped by round number, ends of past epochs by epoch, so the inbox holds the deltas since the checkpoint, not the
 * history) and trains the events, sending and publishing nothing (what it sent then was committed with those
 * offsets), then publishes its rows once. Training is a function of the input and the deltas, whatever their
 * interleaving, so the state is the one the task had at its last commit, bit for bit, and each event counts once.
 * Without a committed checkpoint (none due yet) it re-reads both partitions from offset 0, as the first version did.
 *
 * <p><b>Bound of {@link #init}.</b> The restore runs in {@code init}, on the stream thread, unsplit. It trains the
 * events the task trained between its checkpoint and its last commit: at most {@code jrl.checkpoint.batches} plus
 * {@code min(jrl.checkpoint.spread.batches, jrl.checkpoint.batches)} mini-batches, or, with events per row n above
 * 0, n times the rows the checkpoint rewrites (the unsharded view's bound, {@link TrainingOptions}); at the defaults
 * (500 + 125 batches of 64) about 40,000 events, some 6 s of a collaborative task with replay (150 µs per event):
 * under {@code max.poll.interval.ms} (300 s), but not under Kafka Streams' {@code transaction.timeout.ms} (10 s)
 * for a heavier view or a larger n; lower {@code jrl.checkpoint.batches} bounds it. The events it held at its last
 * commit (waiting for a merge) are only decoded and held, and the deltas since the checkpoint (about one per other
 * task and round) only decoded: O(records) of cheap work, not bounded by the checkpoint interval when a task held a
 * long backlog.
 *
 * <p>Reports ({@link ShardReports}, to the pipeline's training observer under the view's name): each mini-batch
 * with its events, the rows published, the restore, the records it holds after each drain ({@link HeldRecords}: the
 * committed offsets are past them, the pipeline adds them to the view's lag), and live prequential quality: with
 * {@code jrl.quality.sample.every} above 0 the task ranks each sampled event of its own (by its own sequence) before
 * it trains, with its replica ({@link LiveQuality}), and the instance sums its tasks' meters. Nothing is reported
 * while a restore re-trains.
 *
 * <p>Bad input: a by-user record that is not a routed event is skipped and counted, with a warning naming its topic,
 * partition and offset, when it arrives, live or re-read (so a replay skips exactly what the live run skipped); so
 * is an update-topic record that is not a shard message at all (its magic bytes). A shard message that does not fit
 * the task (another table shape, a task the view does not have: a writer of another configuration or build) stops
 * the task with an error naming the record, since skipping a delta would leave every task waiting for its merge.
 *
 * <p>Lifecycle: Kafka Streams calls {@link #init} once per task assignment, then {@link #process} per record on the
 * stream thread, and {@link #close}; it may call {@link #init} again on the same object (a task revived after a
 * corrupted or timed-out commit, or suspended and resumed), so every piece of per-task state is built in
 * {@link #init}, from the committed input, never carried over. Not thread-safe.
 */
final class ShardedTrainingProcessor implements Processor<String, byte[], String, byte[]> {
  /** The check for a merge that became complete while no record arrived. */
  static final Duration RECHECK = Duration.ofMillis(10);
  private static final Logger LOG = LoggerFactory.getLogger(ShardedTrainingProcessor.class);
  /**
   * Most held events one live drain trains; the rest continue at the next record or punctuation. After a long wait
   * a task may hold thousands of events: trained in one call, they would keep the stream thread from polling and
   * committing for seconds (1,024 collaborative events with replay take about 0.15 s). A restore's drains are not
   * cut: it runs in init, where nothing polls in between anyway (its bound is the checkpoint interval, see the class
   * doc).
   */
  static final int DRAIN_EVENTS = 1024;
  /** How often a task asks its {@link InputRetention} to delete what its latest checkpoint covers. */
  static final Duration TRIM_CHECK = Duration.ofSeconds(10);
  /** Longest a restore waits for the committed offsets and the records it re-reads. */
  static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(10);
  /** A flush marker in the held events. */
  private static final RoutedEvent MARKER = new RoutedEvent(0, 0, Float.NaN, 0, false, "", "");
  /** Format of the processor's own checkpoint rows (ids, positions). */
  private static final int FORMAT = 1;

  private final String viewName;
  private final ModelConfig config;
  private final TrainingOptions options;
  private final ShardSettings settings;
  private final String deltasTopic;
  private final ShardObserver observer;
  private final ShardReports reports;
  private final InputRetention retention;
  private final String byUserTopic;
  private final CommittedInput input;
  private final EmbeddingCodec embeddings = EmbeddingCodec.create();
  /** The settings every task of the view must share ({@link SettingsFingerprint}), sent with each message. */
  private final byte[] fingerprint;
  /** {@link #fingerprint} hashed, written with each checkpoint: a restore under other settings is refused. */
  private final long settingsHash;
  // Per-task state from here on: (re)built by init.
  /** Rebuilding the state from the committed input: nothing is sent or published. */
  private boolean restoring;
  /** Every row the task publishes is due (after a restore). */
  private boolean republish;
  /** The events (and flush markers) that arrived while the task waits, in arrival order. */
  private final ArrayDeque<RoutedEvent> held = new ArrayDeque<>();
  /** The by-user offset of each held event, in the same order. */
  private final ArrayDeque<Long> heldAt = new ArrayDeque<>();
  /** User ids of this task's users by index (null: another task's). */
  private final List<String> userIds = new ArrayList<>();
  /** Item ids of the items this task publishes, by index (null: another task publishes it). */
  private final List<String> itemIds = new ArrayList<>();
  /** By item index: the hash of the vector last published (0: not published since the task started). */
  private long[] publishedItems = new long[0];
  /** The users of the new events trained since the last publication. */
  private FreshRows fresh = new FreshRows();
  private long lastRefreshMs;
  private long batchesAtLastPublish;
  /** Indices of {@link #userIds} set since the last checkpoint. */
  private final DirtyRows userRows = new DirtyRows();
  /** Indices of {@link #itemIds} set since the last checkpoint. */
  private final DirtyRows itemRows = new DirtyRows();
  /** The next update-topic offset to read (every record before it offered to the inbox). */
  private long deltasNext;
  /** The by-user offset after the last one read (held, or skipped). */
  private long eventsNext;
  /** Mini-batches the trainer had applied when the last one was seen (a checkpoint is taken after one). */
  private long batchesSeen;
  private CheckpointStore checkpoints;
  /** The blocks of the task's checkpoint ({@link #blocks()}). */
  private List<StateBlock> blocks;

  private ProcessorContext<String, byte[]> context;
  private ShardTask task;
  private ShardInbox inbox;
  /** The task's live quality, null when not measured. */
  private LiveQuality quality;
  /** Events trained since the last mini-batch was reported. */
  private int sinceBatch;
  private long timestamp;
  /** By-user records skipped since init: not routed events. */
  private long skippedEvents;
  /** Update-topic records skipped since init: not shard messages. */
  private long skippedMessages;
  /** The positions of the checkpoint being written (deltas, events), null when none is. */
  private long[] writing;
  /** The latest checkpoint complete in the store, whose input before it {@link #retention} may delete. */
  private InputRetention.Checkpoint trimmable;

  /**
   * @param input the task's committed input, re-read when it starts
   * @param reports where the view's tasks in this instance report to the pipeline
   */
  ShardedTrainingProcessor(String viewName, ModelConfig config, TrainingOptions options, ShardSettings settings,
      String byUserTopic, String deltasTopic, CommittedInput input, ShardObserver observer, ShardReports reports) {
    this(viewName, config, options, settings, byUserTopic, deltasTopic, input, InputRetention.NONE, observer, reports);
  }

  /**
   * @param input the task's committed input, re-read when it starts
   * @param retention deletes the input its committed checkpoints cover
   * @param reports where the view's tasks in this instance report to the pipeline
   */
  ShardedTrainingProcessor(String viewName, ModelConfig config, TrainingOptions options, ShardSettings settings,
      String byUserTopic, String deltasTopic, CommittedInput input, InputRetention retention, ShardObserver observer,
      ShardReports reports) {
    this.retention = Objects.requireNonNull(retention, "retention");
    this.viewName = viewName;
    this.byUserTopic = byUserTopic;
    this.input = Objects.requireNonNull(input, "input");
    this.config = config;
    this.options = options;
    this.settings = settings;
    this.deltasTopic = deltasTopic;
    this.observer = Objects.requireNonNull(observer, "observer");
    this.reports = Objects.requireNonNull(reports, "reports");
    this.fingerprint = SettingsFingerprint.of(viewName, settings, options.batchSize(), config);
    long h = Rng.hash(Base64.getEncoder().encodeToString(fingerprint));
    this.settingsHash = h == 0 ? 1 : h; // 0 reads as "none recorded"
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    reset();
    View view = ViewFactory.create(viewName, config, new StreamContent());
    task = new ShardTask(context.taskId().partition(), view, config.seed(), options.batchSize(), settings);
    inbox = new ShardInbox(task);
    quality = options.quality().sampleEvery() > 0 ? new LiveQuality(viewName, task.trainer(), options.quality(),
        reports.task(task.index())) : null;
    checkpoints = new CheckpointStore(context.getStateStore(ShardedTopology.checkpointStore(viewName)), viewName,
        new TrainingObserver() {
          @Override
          public void checkpointCommitted(String view, int rows, long bytes) {
            observer.checkpointCommitted(view, task, rows, bytes);
            reports.checkpointCommitted(rows, bytes);
            if (writing != null) {
              trimmable = new InputRetention.Checkpoint(writing[0], writing[1], deltasNext, eventsNext);
              writing = null;
            }
          }
        });
    blocks = blocks();
    long t0 = System.nanoTime();
    CheckpointStore.Counters at = load();
    long loaded = task.events();
    if (at.offset() >= 0) { // a committed checkpoint: durable
      trimmable = new InputRetention.Checkpoint(deltasNext, eventsNext, -1, -1);
    }
    long replayed = restore(context.applicationId(), context.taskId().partition(), at);
    long nanos = System.nanoTime() - t0;
    LOG.info("view {} task {} of {} started on {}", viewName, task.index(), settings.shards(),
        Thread.currentThread().getName());
    observer.started(viewName, task, replayed, nanos / 1_000_000);
    if (replayed > 0 || at.offset() >= 0) {
      reports.restored(nanos, replayed, task.events() - loaded);
      timestamp = Math.max(timestamp, context.currentSystemTimeMs()); // the replayed records' times are not read
      task.trainer().view().users().tick();
      republish = true; // at the first record or punctuation: nothing may be forwarded from init
    }
    context.schedule(RECHECK, PunctuationType.WALL_CLOCK_TIME, now -> drain());
    if (options.publishIntervalMs() > 0) {
      context.schedule(Duration.ofMillis(options.publishIntervalMs()), PunctuationType.WALL_CLOCK_TIME,
          now -> publish(false));
    }
    context.schedule(TRIM_CHECK, PunctuationType.WALL_CLOCK_TIME, now -> trim());
  }

  /** Forgets every piece of per-task state (a revived task rebuilds it from its committed input). */
  private void reset() {
    restoring = false;
    republish = false;
    held.clear();
    heldAt.clear();
    userIds.clear();
    itemIds.clear();
    publishedItems = new long[0];
    fresh = new FreshRows();
    lastRefreshMs = 0;
    batchesAtLastPublish = 0;
    if (task != null) {
      reports.closed(task.index());
    }
    userRows.clear();
    itemRows.clear();
    deltasNext = 0;
    eventsNext = 0;
    batchesSeen = 0;
    checkpoints = null;
    blocks = null;
    task = null;
    inbox = null;
    quality = null;
    sinceBatch = 0;
    timestamp = 0;
    skippedEvents = 0;
    skippedMessages = 0;
    writing = null;
    trimmable = null;
  }

  @Override
  public void close() {
    reset();
    retention.close();
  }

  /** Asks the retention to delete the input before the latest complete checkpoint (once it is durable). */
  private void trim() {
    if (trimmable != null) {
      retention.trim(context.applicationId(), task.index(), trimmable);
    }
  }

  /** Events (and flush markers) held while the task waits. */
  int held() {
    return held.size();
  }

  /** The ids of the users the task owns, by user index ("" for another task's user), for tests. */
  List<String> userIds() {
    return List.copyOf(userIds.stream().map(id -> id == null ? "" : id).toList());
  }

  /** The ids of the items the task publishes, by item index ("" for one another task publishes), for tests. */
  List<String> itemIds() {
    return List.copyOf(itemIds.stream().map(id -> id == null ? "" : id).toList());
  }

  /** By-user records skipped (not routed events) since the task started, those re-read by its restore included. */
  long skippedEvents() {
    return skippedEvents;
  }

  /** Update-topic records skipped (not shard messages) since the task started, re-read ones included. */
  long skippedMessages() {
    return skippedMessages;
  }

  /**
   * The blocks of the task's checkpoint, in this order (a block's index is part of its rows' keys): the task's
   * ({@link ShardTask#state}: parameters with their bases, structure, trainer, counters), the inbox's, the user and
   * item ids (one row per index), and the input positions it covers.
   */
  private List<StateBlock> blocks() {
    List<StateBlock> b = new ArrayList<>(task.state());
    b.add(inbox.state());
    b.add(ids(userIds, userRows));
    b.add(ids(itemIds, itemRows));
    b.add(StateBlock.single(() -> new StateWriter(FORMAT).putLong(deltasNext).putLong(eventsFrom()).toBytes(),
        bytes -> {
          StateReader r = new StateReader(bytes, FORMAT, viewName + " task " + task.index() + " positions");
          deltasNext = r.getLong();
          eventsNext = r.getLong();
        }));
    return b;
  }

  /** One of the id lists as a block: a row per index, the ids set since the last checkpoint written. */
  private static StateBlock ids(List<String> ids, DirtyRows dirty) {
    return StateBlock.tracked(ids::size, dirty, row -> new StateWriter(FORMAT).putString(ids.get(row)).toBytes(),
        (row, bytes) -> setId(ids, row, new StateReader(bytes, FORMAT, "id " + row).getString()));
  }

  /** The by-user offset a restore from a checkpoint taken now re-reads from: the first held record's, if any. */
  private long eventsFrom() {
    return heldAt.isEmpty() ? eventsNext : heldAt.peekFirst();
  }

  /**
   * Loads the task's committed checkpoint, if any (and queues for deletion what an interrupted one left).
   *
   * @return its counters ({@link CheckpointStore.Counters#NONE}: none)
   * @throws IllegalStateException when it was written under other settings, or its counters disagree with its
   *     trainer's (a damaged store)
   */
  private CheckpointStore.Counters load() {
    CheckpointStore.Counters committed = checkpoints.committed();
    if (committed.offset() >= 0 && checkpoints.storedSettings() != settingsHash) {
      throw new IllegalStateException("view " + viewName + " task " + task.index() + ": its checkpoint was written "
          + "under other settings (jrl.views." + viewName + ".*, jrl.batch.size, jrl.seed); every instance must run "
          + "with those it trained with, or reset the application (kafka-streams-application-reset, state "
          + "directories) to train again from the input");
    }
    checkpoints.settings(settingsHash);
    CheckpointStore.Counters at = checkpoints.load(blocks);
    StreamingTrainer t = task.trainer();
    if (at.offset() >= 0 && (t.sequence() != at.sequence() || t.batches() != at.batches()
        || t.view().optimizer().steps() != at.steps() || eventsNext != at.offset() + 1)) {
      throw new IllegalStateException("view " + viewName + " task " + task.index() + ": the checkpoint's counters ("
          + at + ") disagree with its state (sequence " + t.sequence() + ", batches " + t.batches() + ", steps "
          + t.view().optimizer().steps() + ", events from offset " + eventsNext + "): a damaged store; reset the "
          + "application's state");
    }
    return at;
  }

  /**
   * Rebuilds the rest of the task's state from its committed input after the checkpoint {@code at} (see the class
   * doc); returns the records re-read.
   */
  private long restore(String applicationId, int partition, CheckpointStore.Counters at) {
    long[] read = {0};
    restoring = true;
    long[] ends = input.replay(applicationId, partition, deltasNext, eventsNext, (o, v) -> {
      read[0]++;
      offer(v, partition, o);
      deltasNext = o + 1;
    }, (o, v) -> {
      read[0]++;
      hold(v, partition, o);
      drain();
    });
    restoring = false;
    batchesSeen = task.trainer().batches(); // the re-trained batches were checkpointed, or will be, as they were
    if (read[0] > 0 || at.offset() >= 0) {
      LOG.info("view {} task {}: rebuilt from {}, then {} committed records (deltas to offset {}, events to offset "
          + "{}): {} events trained, {} rounds closed, {} held, {} skipped", viewName, partition, at.offset() < 0
          ? "nothing (no checkpoint)" : "its checkpoint (" + at.sequence() + " events, by-user offsets to "
          + at.offset() + ")", read[0], ends[0], ends[1], task.events(), task.closed(), held.size(),
          skippedEvents + skippedMessages);
    }
    return read[0];
  }

  @Override
  public void process(Record<String, byte[]> record) {
    RecordMetadata m = context.recordMetadata().orElse(null);
    String topic = m == null ? "" : m.topic();
    int partition = m == null ? -1 : m.partition();
    long offset = m == null ? -1 : m.offset();
    timestamp = Math.max(timestamp, record.timestamp());
    boolean deltas = topic.equals(deltasTopic);
    if (offset >= 0 && offset < (deltas ? deltasNext : eventsNext)) {
      // Read already: under at_least_once the store's checkpoint may be ahead of the committed offsets after a crash.
      return;
    }
    if (deltas) {
      requireSameSettings(record.headers().lastHeader(SettingsFingerprint.HEADER), partition, offset);
      offer(record.value(), partition, offset);
      deltasNext = offset + 1;
    } else {
      hold(record.value(), partition, offset);
    }
    drain();
  }

  /**
   * Refuses a message written under other settings (its fingerprint header; one without, from a first-version
   * writer, passes). Checked live only: a restore re-reads only what the task accepted live before its commit.
   */
  private void requireSameSettings(Header h, int partition, long offset) {
    if (h == null || Arrays.equals(h.value(), fingerprint)) {
      return;
    }
    throw new IllegalStateException("view " + viewName + " task " + task.index() + ": the shard message at "
        + deltasTopic + "-" + partition + " offset " + offset + " was written by a task of other settings; every "
        + "instance of the view must run with the same ones: " + String.join("; ",
        SettingsFingerprint.differences(fingerprint, h.value())));
  }

  /** Takes a record of the update topic (see the class doc for what is skipped and what stops the task). */
  private void offer(byte[] value, int partition, long offset) {
    if (!DeltaCodec.isShardMessage(value)) {
      if (Long.bitCount(++skippedMessages) == 1) {
        LOG.warn("view {} task {}: skipping a record of {}-{} at offset {} that is not a shard message ({} bytes; "
            + "{} skipped so far)", viewName, task.index(), deltasTopic, partition, offset,
            value == null ? 0 : value.length, skippedMessages);
      }
      return;
    }
    try {
      inbox.offer(DeltaCodec.decode(value, task.widths()));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("view " + viewName + " task " + task.index() + ": the shard message at "
          + deltasTopic + "-" + partition + " offset " + offset + " does not fit this task (" + e.getMessage()
          + "): a task of another configuration or build wrote it; every task of the view must run with the same "
          + "settings", e);
    }
  }

  /** Takes a record of the by-user topic: held until the task trains it; skipped when it is not a routed event. */
  private void hold(byte[] value, int partition, long offset) {
    eventsNext = offset + 1;
    if (FlushMarkers.isMarker(value)) {
      held.add(MARKER);
      heldAt.add(offset);
      return;
    }
    try {
      held.add(RoutedEvent.decode(value));
      heldAt.add(offset);
    } catch (IllegalArgumentException e) {
      if (Long.bitCount(++skippedEvents) == 1) {
        LOG.warn("view {} task {}: skipping a record of {}-{} at offset {} that is not a routed event ({}; {} "
            + "skipped so far)", viewName, task.index(), byUserTopic, partition, offset, e.getMessage(),
            skippedEvents);
      }
    }
  }

  /**
   * Applies what the inbox allows and trains the held events, in order, until the task waits, has none, or (live)
   * has trained {@link #DRAIN_EVENTS}.
   */
  private void drain() {
    if (republish && !restoring) {
      republish = false;
      publishAll();
    }
    int trained = 0;
    while (true) {
      int epoch = inbox.epoch();
      boolean free = inbox.advance();
      if (inbox.epoch() != epoch) {
        publish(false); // a publication: merged items go out at the next refresh
        observer.epochEnded(viewName, task, epoch, this::owns);
      }
      if (!free || held.isEmpty() || !restoring && trained == DRAIN_EVENTS) {
        reports.held(task.index(), held.size()); // taken, not trained: part of the view's lag (HeldRecords)
        return;
      }
      step(held.poll());
      heldAt.poll();
      trained++;
      if (!restoring) {
        checkpoint();
      }
    }
  }

  /**
   * After a step that applied a mini-batch: takes a checkpoint when one is due ({@link CheckpointStore#due}, counted
   * in the trainer's batches and events, as the unsharded view's), or writes the next share of the one being
   * written. Right after a mini-batch the trainer holds no half-collected batch, and every other piece of the task's
   * state is in its blocks; see the class doc.
   */
  private void checkpoint() {
    StreamingTrainer t = task.trainer();
    if (t.batches() == batchesSeen || !t.pending().isEmpty()) {
      return;
    }
    batchesSeen = t.batches();
    if (checkpoints.due(blocks, t.batches(), t.sequence(), options)) {
      int spread = Math.min(options.checkpointSpreadBatches(), options.checkpointBatches());
      writing = new long[] {deltasNext, eventsFrom()};
      checkpoints.take(blocks, new CheckpointStore.Counters(eventsFrom() - 1, t.sequence(), t.batches(),
          t.view().optimizer().steps()), spread);
    } else {
      checkpoints.step();
    }
  }

  private void step(RoutedEvent e) {
    int self = task.index();
    if (e == MARKER) {
      long batches = task.trainer().batches();
      Delta d = task.endEpoch(null);
      batchApplied(batches);
      if (d != null) {
        send(new DeltaCodec.Message(DeltaCodec.Kind.DELTA, self, task.closed(), -1, d),
            DeltaCodec.encodeDelta(self, task.closed(), d));
      }
      int epoch = inbox.epoch();
      send(new DeltaCodec.Message(DeltaCodec.Kind.END, self, task.closed(), epoch, null),
          DeltaCodec.encodeEnd(self, epoch, task.closed()));
      return;
    }
    remember(userIds, e.user(), e.userId());
    if (e.firstOfItem()) {
      remember(itemIds, e.item(), e.itemId());
    }
    Interaction x = new Interaction(e.user(), e.item(), e.stars(), -1, e.time());
    if (quality != null && !restoring) {
      quality.measure(x); // before the event trains: test, then train
    }
    long batches = task.trainer().batches();
    sinceBatch++;
    if (!restoring) {
      fresh.note(e.user());
    }
    boolean closes = task.train(x);
    batchApplied(batches);
    if (closes) {
      Delta d = task.closeRound(false, null);
      send(new DeltaCodec.Message(DeltaCodec.Kind.DELTA, self, task.closed(), -1, d),
          DeltaCodec.encodeDelta(self, task.closed(), d));
      observer.roundClosed(viewName, task);
    }
  }

  /** Reports a mini-batch when the trainer applied one since it had applied {@code before}. */
  private void batchApplied(long before) {
    if (task.trainer().batches() != before) {
      if (!restoring) {
        reports.batchApplied(task.trainer(), sinceBatch, timestamp);
        fresh.batchTrained();
      }
      sinceBatch = 0;
    }
  }

  private boolean owns(int user) {
    return user < userIds.size() && userIds.get(user) != null;
  }

  /** Sets an id of {@link #userIds} or {@link #itemIds}, marked for the next checkpoint when it changes. */
  private void remember(List<String> ids, int index, String id) {
    if (index < ids.size() && Objects.equals(ids.get(index), id)) {
      return;
    }
    setId(ids, index, id);
    (ids == userIds ? userRows : itemRows).mark(index);
  }

  private static void setId(List<String> ids, int index, String id) {
    while (ids.size() <= index) {
      ids.add(null);
    }
    ids.set(index, id);
  }

  /** Keeps the task's own message for its merges and sends it to every other task (the update topic's partitions). */
  private void send(DeltaCodec.Message m, byte[] bytes) {
    inbox.offer(m);
    if (restoring) {
      return;
    }
    Headers headers = new RecordHeaders().add(SettingsFingerprint.HEADER, fingerprint);
    context.forward(new Record<>(m.round() + "/" + m.source(), bytes, timestamp, headers), ShardedTopology.DELTAS_SINK);
  }

  /**
   * Forwards the users of the new events trained since the last publication or, at a refresh ({@code force}d, once
   * the refresh interval has passed, or when no batch was applied since the last publication and none is held),
   * every user row changed since the last refresh and the owned items whose vector changed since it was last
   * published (merges included). Epoch ends are publications, not refreshes: markers can come twice a second or more
   * while a task catches up, and every item moves under replay.
   */
  private void publish(boolean force) {
    if (restoring) {
      return;
    }
    View view = task.trainer().view();
    int[] sent = new int[2];
    long now = context.currentSystemTimeMs();
    // Quiet: no batch since the last publication and nothing held (a task waiting for a merge is not quiet: taken
    // for quiet, it refreshed every 100 ms while it waited, 22 vectors per event on the Beauty pairs).
    boolean quiet = task.trainer().batches() == batchesAtLastPublish && held.isEmpty();
    boolean refresh = force || quiet || options.everyPublicationRefreshes()
        || now - lastRefreshMs >= options.publishRefreshMs();
    if (refresh) {
      view.users().forEachChangedSinceTick(row -> sent[0] += publishRow(view, view.users(), EntityKind.USER,
          userIds, row));
      view.users().tick();
      fresh.forgetTrained();
      lastRefreshMs = now;
    } else {
      fresh.drainTrained(row -> sent[0] += publishRow(view, view.users(), EntityKind.USER, userIds, row));
    }
    batchesAtLastPublish = task.trainer().batches();
    if (refresh) {
      Table t = view.items();
      for (int row = 0; row < Math.min(t.size(), itemIds.size()); row++) {
        if (itemIds.get(row) != null && changedSincePublished(row, t.row(row))) {
          sent[1] += publishRow(view, t, EntityKind.ITEM, itemIds, row);
        }
      }
      t.tick();
    }
    reports.published(sent[0], sent[1]);
  }

  /** Whether item {@code row}'s vector differs from the one last published (and remembers it as published). */
  private boolean changedSincePublished(int row, float[] v) {
    long h = 0x9E37_79B9_7F4A_7C15L;
    for (float f : v) {
      h = (h ^ Float.floatToRawIntBits(f)) * 0x100_0000_01B3L;
    }
    h = h == 0 ? 1 : h;
    if (row >= publishedItems.length) {
      publishedItems = Arrays.copyOf(publishedItems, Math.max(row + 1, publishedItems.length * 2));
    }
    if (publishedItems[row] == h) {
      return false;
    }
    publishedItems[row] = h;
    return true;
  }

  /** Forwards every row the task publishes (after a restore: the rows may have changed since they were published). */
  private void publishAll() {
    View view = task.trainer().view();
    Table users = view.users();
    int sent = 0;
    for (int row = 0; row < Math.min(users.size(), userIds.size()); row++) {
      sent += publishRow(view, users, EntityKind.USER, userIds, row);
    }
    reports.published(sent, 0);
    publish(true);
  }

  /** Forwards one row when the task publishes it; returns the rows forwarded (0 or 1). */
  private int publishRow(View view, Table table, EntityKind kind, List<String> ids, int row) {
    String id = row < ids.size() ? ids.get(row) : null;
    if (id == null) {
      return 0;
    }
    long batches = task.trainer().batches();
    byte[] value = embeddings.encode(view.name(), kind, id, table.row(row), batches, timestamp);
    context.forward(new Record<>(EmbeddingKey.format(kind, id), value, timestamp), ShardedTopology.EMBEDDINGS_SINK);
    return 1;
  }
}
