package io.jrlstream.streams.train;

import io.jrlstream.core.state.StateBlock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A view's checkpoint in its state store (DESIGN.md §2 "Training state": "a restart reads the latest checkpoint
 * (rows, optimiser state, and the structure …) and only the events after it"): the key layout, the generations that
 * keep the committed checkpoint whole while the next one is written, the spreading of a checkpoint's writes over
 * mini-batches, and loading. Everything a commit covers is in the store: the store is changelogged, so an instance
 * that dies is rebuilt elsewhere.
 * <ul>
 *   <li>{@code R} + block + row + generation: a row of one {@link StateBlock} (parameter rows with their
 *       optimiser state, structure), each version written by the checkpoint of that generation. {@link #take} snapshots
 *       (encodes, a copy) the rows changed since the previous checkpoint, so hot rows are written once per
 *       checkpoint, not once per batch, and {@link #step} writes them under generation committed + 1 a share per
 *       mini-batch. The committed checkpoint is, for each row, its version with the highest generation up to
 *       {@code M generation}; versions of the generation being written never overwrite those, so it stays whole
 *       until the new one commits.
 *   <li>{@code M} + name: the first input offset ever trained ({@code origin}), the last one processed
 *       ({@code position}, written per record but coalesced by the store's cache to one write per commit), and the
 *       committed checkpoint's generation, {@link Counters}, {@link #LAYOUT layout} (which blocks it holds: all
 *       of a trainer's, {@link TrainerRestorer#blocks}) and the fingerprint of the settings its structure was built
 *       under ({@link #settings(long)}), written, all of them, in the mini-batch that writes its last row.
 * </ul>
 * Once a generation commits, the versions it superseded are deleted, a share per batch too; {@link #load} queues
 * for deletion by the next checkpoint (before it commits) any superseded version a crash left and every version
 * above the committed generation (a checkpoint interrupted while being written). Until written, a snapshot holds
 * encoded copies of its rows in memory, released as they are written.
 *
 * <p>When a checkpoint is due ({@link #due}) is a function of the input alone, like the training; when it commits
 * depends, after a crash during its writes, on the restart too (it starts again from the committed one).
 *
 * <p>Public for the tasks of a sharded view ({@code streams.shard}), whose checkpoints hold a task's blocks with the
 * same layout, generations and spreading (their {@link Counters#offset} is the last by-user offset covered; they do
 * not record an origin or a position).
 *
 * <p>Owned by one training processor, on its stream thread; not thread-safe.
 */
public final class CheckpointStore {
  private static final byte ROW = 'R';
  private static final byte META = 'M';
  private static final Bytes ORIGIN = metaKey("origin");
  private static final Bytes POSITION = metaKey("position");
  private static final Bytes CHECKPOINT = metaKey("checkpoint");
  private static final Bytes ACCEPTED = metaKey("accepted");
  private static final Bytes BATCHES = metaKey("batches");
  private static final Bytes STEPS = metaKey("steps");
  private static final Bytes GENERATION = metaKey("generation");
  private static final Bytes LAYOUT_KEY = metaKey("layout");
  private static final Bytes SETTINGS = metaKey("settings");
  /**
   * The layout this build writes: 1, the checkpoint holds the whole trainer ({@link TrainerRestorer#blocks}:
   * parameters, structure, content, the trainer's own state). A store written before had no layout key and held the
   * parameter blocks only ({@link #NO_LAYOUT}).
   */
  static final long LAYOUT = 1;
  /** {@link #layout()} of a store without a committed checkpoint of any layout, or of one written before layouts. */
  static final long NO_LAYOUT = 0;
  /** {@code R}, block, row, generation. */
  private static final int ROW_KEY_BYTES = 10;

  /**
   * Where a checkpoint stands in the view's input and training: right after a mini-batch, so no interaction is
   * half-collected (a restore re-trains from the next event on).
   *
   * @param offset the last input offset it covers (-1: no checkpoint)
   * @param sequence interactions the view had accepted
   * @param batches mini-batches applied
   * @param steps the optimiser's step count
   */
  public record Counters(long offset, long sequence, long batches, long steps) {
    public static final Counters NONE = new Counters(-1, 0, 0, 0);
  }

  private final KeyValueStore<Bytes, byte[]> store;
  private final String view;
  private final TrainingObserver observer;
  /** First input offset trained, -1 before any. */
  private long origin;
  /** Last input offset processed, -1 before any. */
  private long position;
  /** Committed checkpoint generation (0: none yet). */
  private int committedGeneration;
  /** Per block, the generation of each row's version in the committed checkpoint (0: none stored). */
  private int[][] storedGenerations = new int[0][];
  /** Row versions {@link #load} found superfluous, deleted by the next checkpoint before it commits. */
  private final List<Bytes> garbage = new ArrayList<>();
  /** Counters and block sizes of the last checkpoint taken (or loaded): {@link #due} measures from them. */
  private Counters taken = Counters.NONE;
  private int[] takenSizes = new int[0];
  /** The checkpoint being written, null when none is. */
  private Pending pending;
  /** Fingerprint of the settings the structure was built with, written with each checkpoint (0: none given). */
  private long settings;

  /**
   * Opens the checkpoint of {@code store}: reads its origin and position (nothing else yet).
   *
   * @param view the view, for messages and the observer
   */
  public CheckpointStore(KeyValueStore<Bytes, byte[]> store, String view, TrainingObserver observer) {
    this.store = store;
    this.view = view;
    this.observer = observer;
    this.origin = getMeta(ORIGIN, -1);
    this.position = getMeta(POSITION, -1);
  }

  /** The first input offset ever trained, -1 before any. */
  long origin() {
    return origin;
  }

  /** The last input offset processed, -1 before any. */
  long position() {
    return position;
  }

  /** Records that the input record at {@code offset} is being processed (the first one is the origin). */
  void recordInput(long offset) {
    if (origin < 0) {
      origin = offset;
      putMeta(ORIGIN, offset);
    }
    position = offset;
    putMeta(POSITION, offset);
  }

  /** The committed checkpoint's counters ({@link Counters#NONE} before the first). */
  public Counters committed() {
    return new Counters(getMeta(CHECKPOINT, -1), getMeta(ACCEPTED, 0), getMeta(BATCHES, 0), getMeta(STEPS, 0));
  }

  /** The layout of the committed checkpoint ({@link #NO_LAYOUT}: none committed, or one written before layouts). */
  long layout() {
    return getMeta(LAYOUT_KEY, NO_LAYOUT);
  }

  /**
   * Fingerprint of the settings the committed checkpoint's structure was built with (0: none recorded), see
   * {@link #settings(long)}.
   */
  public long storedSettings() {
    return getMeta(SETTINGS, 0);
  }

  /**
   * The fingerprint of the settings the trainer runs with, written with every checkpoint from now on: a restore
   * under other settings (a window, a reservoir, a vocabulary cap, a batch size changed) rebuilds the structure from
   * the events rather than loading one built under the old ones.
   */
  public void settings(long fingerprint) {
    this.settings = fingerprint;
  }

  /**
   * Marks the committed checkpoint as one whose structure rows do not count (the layout key removed): a restore that
   * rebuilds the structure from the events (settings changed) is about to delete them, so until the next checkpoint
   * commits, any restore must rebuild it too, whatever the settings are by then.
   */
  void dropLayout() {
    store.delete(LAYOUT_KEY);
  }

  /**
   * @throws IllegalStateException when the committed checkpoint is of a layout this build does not read
   */
  void checkLayout() {
    long l = layout();
    if (l != NO_LAYOUT && l != LAYOUT) {
      throw new IllegalStateException("store " + store.name() + " of view " + view + " holds a checkpoint of layout "
          + l + ", this build reads layout " + LAYOUT + " (and stores without one): run the version that wrote it, or "
          + "reset the application's state (kafka-streams-application-reset and a deleted state directory) to train "
          + "again from the input");
    }
  }

  /** The last input offset the committed checkpoint in {@code store} covers (-1: none), as {@link #committed}. */
  static long committedOffset(ReadOnlyKeyValueStore<Bytes, byte[]> store) {
    byte[] v = store.get(CHECKPOINT);
    return v == null ? -1 : ByteBuffer.wrap(v).getLong();
  }

  /** Whether a checkpoint is being written. */
  boolean writing() {
    return pending != null;
  }

  /**
   * Loads the committed checkpoint into {@code blocks}: of each row, the stored version with the highest generation
   * up to the committed one, in ascending row order per block; then tells each block it is loaded. Every other version
   * (superseded, or written by a checkpoint that did not commit) is
   * queued for deletion by the next checkpoint. Afterwards {@link #due} measures from the committed checkpoint and
   * the blocks' sizes as they are now.
   *
   * @return the committed checkpoint's counters
   * @throws IllegalStateException when the store holds rows of another key layout, or of a block beyond
   *     {@code blocks}
   */
  public Counters load(List<StateBlock> blocks) {
    return load(blocks, false);
  }

  /**
   * As {@link #load(List)}; with {@code dropOthers}, rows of blocks beyond {@code blocks} (the structure of a
   * checkpoint restored the old way, see {@link #dropLayout}) are queued for deletion instead of refused.
   */
  Counters load(List<StateBlock> blocks, boolean dropOthers) {
    committedGeneration = (int) getMeta(GENERATION, 0);
    storedGenerations = new int[blocks.size()][];
    garbage.clear();
    pending = null;
    try (KeyValueIterator<Bytes, byte[]> it = store.prefixScan(Bytes.wrap(new byte[] {ROW}), new BytesSerializer())) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        if (kv.key.get().length != ROW_KEY_BYTES) {
          throw new IllegalStateException("store " + store.name() + " holds a row key of " + kv.key.get().length
              + " bytes, not " + ROW_KEY_BYTES + ": written by an older layout; reset the application's state");
        }
        ByteBuffer k = ByteBuffer.wrap(kv.key.get());
        k.get();
        int block = k.get();
        if (dropOthers && block >= blocks.size()) {
          garbage.add(kv.key);
          continue;
        }
        if (block < 0 || block >= blocks.size()) {
          throw new IllegalStateException("store " + store.name() + " holds rows of block " + block + ", view " + view
              + " has " + blocks.size() + " blocks: written by another version; reset the application's state");
        }
        int row = k.getInt();
        int generation = k.getInt();
        int stored = storedGeneration(block, row);
        if (generation > committedGeneration || generation < stored) {
          garbage.add(kv.key);
        } else {
          if (stored > 0) {
            garbage.add(rowKey(block, row, stored));
          }
          blocks.get(block).decode(row, kv.value);
          setStoredGeneration(block, row, generation);
        }
      }
    }
    blocks.forEach(StateBlock::loaded);
    Counters c = committed();
    taken = c;
    takenSizes = sizes(blocks);
    return c;
  }

  /**
   * Whether to checkpoint after the batch just trained: none being written, {@code checkpointBatches} batches since
   * the last one, and with {@code checkpointEventsPerRow} n > 0, at least n interactions since then per row it would
   * write again (rows that existed at the last checkpoint; rows created since are written once whenever it comes).
   * A function of the input alone, like the training.
   */
  public boolean due(List<StateBlock> blocks, long batches, long sequence, TrainingOptions options) {
    if (pending != null || batches - taken.batches() < options.checkpointBatches()) {
      return false;
    }
    if (options.checkpointEventsPerRow() == 0) {
      return true;
    }
    long rewritten = 0;
    for (int b = 0; b < blocks.size(); b++) {
      StateBlock block = blocks.get(b);
      long created = Math.max(0, block.size() - (b < takenSizes.length ? takenSizes[b] : 0));
      rewritten += Math.max(0, block.dirtyCount() - created);
    }
    return sequence - taken.sequence() >= rewritten * options.checkpointEventsPerRow();
  }

  /**
   * Takes a checkpoint: encodes every row changed since the previous one (a copy, written later by {@link #step})
   * and drains the blocks' dirty sets, then writes the first share. Its rows are written over {@code spreadBatches}
   * mini-batches (this one included; 0 or 1: all now).
   */
  public void take(List<StateBlock> blocks, Counters at, int spreadBatches) {
    int n = 0;
    for (StateBlock b : blocks) {
      n += b.dirtyCount();
    }
    int[] blockOf = new int[n];
    int[] rows = new int[n];
    byte[][] values = new byte[n][];
    int[] k = {0};
    for (int b = 0; b < blocks.size(); b++) {
      StateBlock block = blocks.get(b);
      int index = b;
      block.drainDirty(row -> {
        blockOf[k[0]] = index;
        rows[k[0]] = row;
        values[k[0]++] = block.encode(row);
      });
    }
    int superseded = 0;
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      superseded += storedGeneration(blockOf[i], rows[i]) > 0 ? 1 : 0;
      bytes += values[i].length;
    }
    taken = at;
    takenSizes = sizes(blocks);
    long ops = garbage.size() + (long) n + superseded;
    long share = spreadBatches <= 1 ? ops : (ops + spreadBatches - 1) / spreadBatches;
    int perBatch = (int) Math.min(Integer.MAX_VALUE, share);
    pending = new Pending(committedGeneration + 1, at, blockOf, rows, values, bytes, new ArrayList<>(garbage),
        Math.max(1, perBatch));
    garbage.clear();
    pending.step();
  }

  /** Writes this mini-batch's share of the checkpoint being written, if one is. */
  public void step() {
    if (pending != null) {
      pending.step();
    }
  }

  private static int[] sizes(List<StateBlock> blocks) {
    int[] s = new int[blocks.size()];
    for (int b = 0; b < s.length; b++) {
      s[b] = blocks.get(b).size();
    }
    return s;
  }

  /**
   * A checkpoint being written: its snapshot of the changed rows and counters, and how far the store has got. Each
   * {@link #step} (one per mini-batch) does at most {@code perBatch} store operations, in this order: delete the
   * versions {@link #load} found superfluous (superseded, or left by an interrupted checkpoint with a generation
   * above the committed one, which must be gone before this generation commits: re-training after the restart
   * changes those rows again, so this snapshot re-writes them anyway, but correctness does not rest on that), put the
   * snapshot's rows under the new generation, commit it (the meta counters, in the step that puts the last row),
   * delete the versions it superseded.
   */
  private final class Pending {
    final int generation;
    final Counters at;
    final int[] blocks;
    final int[] rows;
    /** The encoded rows not yet written (null once written). */
    final byte[][] values;
    final long bytes;
    final List<Bytes> deletesBefore;
    final int perBatch;
    /** After the commit, the generation each written row had before (0: none). */
    int[] previous;
    int deleted;
    int written;
    int cleaned;

    Pending(int generation, Counters at, int[] blocks, int[] rows, byte[][] values, long bytes,
        List<Bytes> deletesBefore, int perBatch) {
      this.generation = generation;
      this.at = at;
      this.blocks = blocks;
      this.rows = rows;
      this.values = values;
      this.bytes = bytes;
      this.deletesBefore = deletesBefore;
      this.perBatch = perBatch;
    }

    /** Does this mini-batch's share; clears {@link #pending} once everything is done. */
    void step() {
      int budget = perBatch;
      for (; budget > 0 && deleted < deletesBefore.size(); budget--) {
        store.delete(deletesBefore.get(deleted++));
      }
      for (; budget > 0 && written < values.length; budget--) {
        store.put(rowKey(blocks[written], rows[written], generation), values[written]);
        values[written++] = null;
      }
      if (written < values.length) {
        return;
      }
      if (previous == null) {
        commit();
      }
      for (; budget > 0 && cleaned < previous.length; cleaned++) {
        if (previous[cleaned] > 0) {
          store.delete(rowKey(blocks[cleaned], rows[cleaned], previous[cleaned]));
          budget--;
        }
      }
      while (cleaned < previous.length && previous[cleaned] == 0) {
        cleaned++;
      }
      if (cleaned == previous.length) {
        pending = null;
      }
    }

    private void commit() {
      putMeta(CHECKPOINT, at.offset());
      putMeta(ACCEPTED, at.sequence());
      putMeta(BATCHES, at.batches());
      putMeta(STEPS, at.steps());
      putMeta(GENERATION, generation);
      putMeta(LAYOUT_KEY, LAYOUT);
      putMeta(SETTINGS, settings);
      committedGeneration = generation;
      previous = new int[rows.length];
      for (int i = 0; i < rows.length; i++) {
        previous[i] = storedGeneration(blocks[i], rows[i]);
        setStoredGeneration(blocks[i], rows[i], generation);
      }
      observer.checkpointCommitted(view, rows.length, bytes);
    }
  }

  private int storedGeneration(int block, int row) {
    int[] g = block < storedGenerations.length ? storedGenerations[block] : null;
    return g != null && row < g.length ? g[row] : 0;
  }

  private void setStoredGeneration(int block, int row, int generation) {
    if (block >= storedGenerations.length) {
      storedGenerations = Arrays.copyOf(storedGenerations, block + 1);
    }
    int[] g = storedGenerations[block];
    if (g == null || row >= g.length) {
      g = Arrays.copyOf(g == null ? new int[0] : g, Math.max(row + 1, g == null ? 16 : g.length * 2));
      storedGenerations[block] = g;
    }
    g[row] = generation;
  }

  private long getMeta(Bytes key, long absent) {
    byte[] v = store.get(key);
    return v == null ? absent : ByteBuffer.wrap(v).getLong();
  }

  private void putMeta(Bytes key, long value) {
    store.put(key, ByteBuffer.allocate(8).putLong(value).array());
  }

  private static Bytes rowKey(int block, int row, int generation) {
    return Bytes.wrap(ByteBuffer.allocate(ROW_KEY_BYTES).put(ROW).put((byte) block).putInt(row).putInt(generation)
        .array());
  }

  private static Bytes metaKey(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    return Bytes.wrap(ByteBuffer.allocate(1 + n.length).put(META).put(n).array());
  }
}
