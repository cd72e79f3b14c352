package io.jrlstream.core.shard;

import io.jrlstream.core.math.Rng;
import java.util.Locale;
import java.util.Objects;

/**
 * How one view trains as several shards (docs/scaling.md): events partitioned by user into {@code shards} tasks,
 * each training its own replica of the view; every {@code syncBatches} of its own mini-batches a task closes a round
 * and hands the changes it made to the shared rows (items, words, dense weights) to the others, and it applies round
 * r's merge when it closes round r + {@code lag}.
 *
 * @param shards tasks the view's events are partitioned into (1 = today's single task)
 * @param syncBatches s: a task's own mini-batches per round
 * @param lag L: rounds a task may run ahead of the last merge it applied (0 = every task waits for every round's
 *     merge before it trains on); a shared row misses at most (L + 1)·s batches of each other task's updates
 * @param optimizerState whether a round's delta carries the shared rows' optimiser state (AdaGrad's accumulator,
 *     Adam's moments) besides their values, so that every task steps a shared row with statistics of all tasks' steps
 * @param wordRounds the review view's word rows join every {@code wordRounds}-th round's delta only (1: every round);
 *     0 keeps them task-local, never merged. Each kept word touches itself and 5 noise words, so word rows are most
 *     of the review view's update traffic
 * @param merge how a round's deltas to one row combine: their sum, or their mean over the tasks that changed it
 * @param threshold θ, sparsification with error feedback: a task leaves a changed row (item rows, dense weights; not
 *     word rows) out of its round delta while its own change to the row's value since the row's base is below θ
 *     times the base value's norm (L2), keeping the change in the row (its base does not move) so that it is sent
 *     once it has grown; 0 sends every changed row (no sparsification)
 * @param maxHeld with θ above 0, a row held back for this many of the task's rounds is sent whatever its change, so
 *     that every change reaches the others within (L + 1 + maxHeld)·s batches
 * @param precision how a round's delta carries the changes of row-keyed tables (item rows, dense weights; word rows
 *     always go as 4-byte floats): {@link Precision#FLOAT32} exactly, {@link Precision#BF16} rounded to bfloat16 with
 *     error feedback (half the bytes)
 * @param maxRoundBytes a task closes its round before the s-th mini-batch once the shared rows it changed (with the
 *     rows it holds back under a threshold) would make a delta of at least this many bytes, so that a round stays
 *     a bounded message, checkpoint row and merge whatever the catalogue and s: a round's delta is at most this plus
 *     one mini-batch's rows. A function of the task's own input, like s, so it changes no determinism; a task that
 *     closes rounds sooner than the others waits for their rounds, as a faster task does
 */
public record ShardSettings(int shards, int syncBatches, int lag, boolean optimizerState, int wordRounds,
    Merge merge, float threshold, int maxHeld, Precision precision, int maxRoundBytes) {
  /**
   * How a delta's changes travel. Under {@link #BF16} the task rounds each change to bfloat16 (round to nearest even:
   * float32's exponent, 8 bits of mantissa, about 2 to 3 significant digits) when it captures the row, sends those
   * 2-byte values, and moves the row's base by the rounded change only: the rounding error stays in the row's
   * image − base and goes out with its next change (error feedback), so no change is lost, only delayed. Every task,
   * the sender too, applies the same rounded values, and the simulator rounds in the same place, so the Kafka tasks
   * stay bit-identical to the simulator's.
   */
  public enum Precision {
    /** 4-byte IEEE 754 floats, the changes exactly. */
    FLOAT32(4),
    /** 2-byte bfloat16: the high half of each float, rounded to nearest even. */
    BF16(2);

    private final int bytes;

    Precision(int bytes) {
      this.bytes = bytes;
    }

    /** Bytes per value on the update topic. */
    public int bytes() {
      return bytes;
    }

    /** Lower-case name, as the command line and the configuration spell it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@code x} rounded to the nearest bfloat16 (ties to even), as a float whose low 16 bits are zero; NaN stays NaN
     * and a value beyond bfloat16's largest rounds to infinity, as IEEE rounding does.
     */
    public static float bf16(float x) {
      int b = Float.floatToRawIntBits(x);
      if ((b & 0x7FFFFFFF) > 0x7F800000) {
        return Float.NaN;
      }
      return Float.intBitsToFloat((b + 0x7FFF + ((b >>> 16) & 1)) & 0xFFFF0000);
    }
  }

  /** How merge r combines the tasks' round-r changes to one shared row. */
  public enum Merge {
    /**
     * base + Σ changes: right while the tasks' changes to a row are small next to the row (a sum of small steps is
     * what one task taking them in turn would do); overshoots when N tasks each move the same rows far in a round.
     */
    SUM,
    /**
     * base + the mean of the changes of the tasks that changed the row (local SGD's model averaging, per row): a
     * row only one task changed keeps that task's whole change; rows every task trains (popular items, under replay
     * every round) move by the tasks' average.
     */
    MEAN;

    /** Lower-case name, as the command line spells it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Default s: mini-batches per round. Under replay only s = 1 kept NDCG@10 ≥ 0.95 × one task's (docs/scaling.md,
   * "Measured with the simulator"); s = 10 lost 9–24 % on Musical Instruments at 2–4 tasks.
   */
  public static final int DEFAULT_SYNC_BATCHES = 1;
  /** Default L: rounds a task may run ahead, enough to hide one round trip through the update topic. */
  public static final int DEFAULT_LAG = 1;
  /** Default: the merge carries the shared rows' optimiser state (docs/scaling.md says why). */
  public static final boolean DEFAULT_OPTIMIZER_STATE = true;
  /**
   * Default: word rows stay with each task (docs/scaling.md, decision 5: on Musical Instruments the review view scored
   * the same with task-local words, whose merge would be 92 % of its update bytes).
   */
  public static final int DEFAULT_WORD_ROUNDS = 0;
  /**
   * Default merge rule: the mean (Musical Instruments, 4 tasks, s = 1: NDCG@10 8.82 % against 7.24 % with the sum, one
   * task 9.05 %; docs/scaling.md).
   */
  public static final Merge DEFAULT_MERGE = Merge.MEAN;
  /** Default θ: every changed row is sent (see {@link #threshold}). */
  public static final float DEFAULT_THRESHOLD = 0f;
  /** Default bound on the rounds a row's change may be held back under a threshold. */
  public static final int DEFAULT_MAX_HELD = 8;
  /**
   * Default precision of a delta's changes: bfloat16, half the bytes of float32 at no measured cost (Musical
   * Instruments' validation carve, seeds 1 and 2, s = 1: NDCG@10 6.73 % against 6.71 % at 2 tasks, 6.77 against 6.78 at
   * 4; on Kafka, Beauty pairs, 2 tasks, s = 1: 3.09 % against 3.06–3.12; docs/scaling.md "Fewer bytes per round").
   */
  public static final Precision DEFAULT_PRECISION = Precision.BF16;
  /**
   * Default bound on a round's delta: 16 MiB, a quarter of what the update topic takes (64 MiB), about 64,000 item
   * rows of dimension 64 with their AdaGrad state in bfloat16 (260 bytes each with the key). The Beauty pairs' rounds
   * never reach it (their whole item table is about 3 MB so); a round of s = 100 on a catalogue of 10 M items would,
   * and then closes early.
   */
  public static final int DEFAULT_MAX_ROUND_BYTES = 16 << 20;
  /** Least bound on a round's delta accepted (below it nearly every mini-batch would close a round). */
  public static final int MIN_MAX_ROUND_BYTES = 1 << 10;
  /** Most shards the simulator accepts (each holds a full replica of the shared rows). */
  public static final int MAX_SHARDS = 1024;

  /** Salt of the user → shard hash, distinct from every seed stream of training. */
  private static final long PARTITION = 0x5AA2D_0F05E2L;

  public ShardSettings {
    if (shards < 1 || shards > MAX_SHARDS) {
      throw new IllegalArgumentException("shards must be in 1.." + MAX_SHARDS + ", got " + shards);
    }
    if (syncBatches < 1) {
      throw new IllegalArgumentException("syncBatches must be ≥ 1 mini-batch, got " + syncBatches);
    }
    if (lag < 0) {
      throw new IllegalArgumentException("sync lag must be ≥ 0 rounds, got " + lag);
    }
    if (wordRounds < 0) {
      throw new IllegalArgumentException("wordRounds must be ≥ 0 (0: words stay with each task), got " + wordRounds);
    }
    Objects.requireNonNull(merge, "merge");
    if (!(threshold >= 0f) || Float.isInfinite(threshold)) {
      throw new IllegalArgumentException("sync threshold must be a finite number ≥ 0 (0: send every changed row), got "
          + threshold);
    }
    if (maxHeld < 1) {
      throw new IllegalArgumentException("sync maxHeld must be ≥ 1 round, got " + maxHeld);
    }
    Objects.requireNonNull(precision, "precision");
    if (maxRoundBytes < MIN_MAX_ROUND_BYTES) {
      throw new IllegalArgumentException("sync maxRoundBytes must be ≥ " + MIN_MAX_ROUND_BYTES + " bytes, got "
          + maxRoundBytes);
    }
  }

  /** Settings with the default bound on a round's delta ({@link #DEFAULT_MAX_ROUND_BYTES}). */
  public ShardSettings(int shards, int syncBatches, int lag, boolean optimizerState, int wordRounds, Merge merge,
      float threshold, int maxHeld, Precision precision) {
    this(shards, syncBatches, lag, optimizerState, wordRounds, merge, threshold, maxHeld, precision,
        DEFAULT_MAX_ROUND_BYTES);
  }

  /** Settings with the default precision on the update topic ({@link #DEFAULT_PRECISION}). */
  public ShardSettings(int shards, int syncBatches, int lag, boolean optimizerState, int wordRounds, Merge merge,
      float threshold, int maxHeld) {
    this(shards, syncBatches, lag, optimizerState, wordRounds, merge, threshold, maxHeld, DEFAULT_PRECISION);
  }

  /** Settings without sparsification (every changed row is sent). */
  public ShardSettings(int shards, int syncBatches, int lag, boolean optimizerState, int wordRounds, Merge merge) {
    this(shards, syncBatches, lag, optimizerState, wordRounds, merge, DEFAULT_THRESHOLD, DEFAULT_MAX_HELD);
  }

  /** Settings with the default merge rule. */
  public ShardSettings(int shards, int syncBatches, int lag, boolean optimizerState, int wordRounds) {
    this(shards, syncBatches, lag, optimizerState, wordRounds, DEFAULT_MERGE);
  }

  /** Settings with the default optimiser state and word rounds. */
  public ShardSettings(int shards, int syncBatches, int lag) {
    this(shards, syncBatches, lag, DEFAULT_OPTIMIZER_STATE, DEFAULT_WORD_ROUNDS);
  }

  /** One task: today's training, no rounds. */
  public static ShardSettings single() {
    return new ShardSettings(1, 1, 0, DEFAULT_OPTIMIZER_STATE, DEFAULT_WORD_ROUNDS);
  }

  public ShardSettings withShards(int n) {
    return new ShardSettings(n, syncBatches, lag, optimizerState, wordRounds, merge, threshold, maxHeld, precision,
        maxRoundBytes);
  }

  public ShardSettings withSyncBatches(int s) {
    return new ShardSettings(shards, s, lag, optimizerState, wordRounds, merge, threshold, maxHeld, precision,
        maxRoundBytes);
  }

  public ShardSettings withLag(int l) {
    return new ShardSettings(shards, syncBatches, l, optimizerState, wordRounds, merge, threshold, maxHeld, precision,
        maxRoundBytes);
  }

  public ShardSettings withWordRounds(int k) {
    return new ShardSettings(shards, syncBatches, lag, optimizerState, k, merge, threshold, maxHeld, precision,
        maxRoundBytes);
  }

  public ShardSettings withOptimizerState(boolean b) {
    return new ShardSettings(shards, syncBatches, lag, b, wordRounds, merge, threshold, maxHeld, precision,
        maxRoundBytes);
  }

  public ShardSettings withMerge(Merge m) {
    return new ShardSettings(shards, syncBatches, lag, optimizerState, wordRounds, m, threshold, maxHeld, precision,
        maxRoundBytes);
  }

  /** Settings with sparsification threshold θ and bound maxHeld (see {@link #threshold}, {@link #maxHeld}). */
  public ShardSettings withThreshold(float theta, int held) {
    return new ShardSettings(shards, syncBatches, lag, optimizerState, wordRounds, merge, theta, held, precision,
        maxRoundBytes);
  }

  /** Settings whose deltas carry their changes at {@code p} (see {@link #precision}). */
  public ShardSettings withPrecision(Precision p) {
    return new ShardSettings(shards, syncBatches, lag, optimizerState, wordRounds, merge, threshold, maxHeld, p,
        maxRoundBytes);
  }

  /** Settings whose rounds close early at a delta of {@code bytes} (see {@link #maxRoundBytes}). */
  public ShardSettings withMaxRoundBytes(int bytes) {
    return new ShardSettings(shards, syncBatches, lag, optimizerState, wordRounds, merge, threshold, maxHeld,
        precision, bytes);
  }

  /** True when the view trains as more than one task. */
  public boolean sharded() {
    return shards > 1;
  }

  /**
   * The shard that owns {@code user}: a seeded hash of the user's dense index, so ownership depends on nothing but
   * (seed, user, shards) — the simulator's stand-in for Kafka's murmur2 of the user key modulo the partitions.
   */
  public int shardOf(int user, long seed) {
    if (shards == 1) {
      return 0;
    }
    long h = Rng.mix(Rng.mix(seed, PARTITION), user);
    return (int) (((h >>> 32) * shards) >>> 32);
  }
}
