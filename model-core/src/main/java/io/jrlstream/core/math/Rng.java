package io.jrlstream.core.math;

/**
 * A small, fast, reseedable pseudo-random source (SplitMix64).
 *
 * <p>Training derives a fresh seed for every interaction from (run seed, view, position, pass) with
 * {@link #mix}, so every random draw depends only on the input and its position, never on timing or on
 * which thread ran it: a replay after a crash, or an offline run over the same events, draws the same
 * numbers. Not thread-safe; one instance per training loop, reseeded, allocates nothing.
 */
public final class Rng {
  private long state;

  public Rng(long seed) {
    this.state = seed;
  }

  /** Restarts the sequence from {@code seed}. */
  public Rng reseed(long seed) {
    this.state = seed;
    return this;
  }

  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, bound), bound &gt; 0 (Lemire's multiply-shift; bias below 2^-32 for our bounds). */
  public int nextInt(int bound) {
    return (int) (((nextLong() >>> 32) * bound) >>> 32);
  }

  /** Uniform in [0, 1). */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, 1) as float. */
  public float nextFloat() {
    return (nextLong() >>> 40) * 0x1.0p-24f;
  }

  /** Mixes several values into one well-spread seed (SplitMix64 finaliser over a running hash). */
  public static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** mix over three values. */
  public static long mix(long a, long b, long c) {
    return mix(mix(a, b), c);
  }

  /** mix over four values. */
  public static long mix(long a, long b, long c, long d) {
    return mix(mix(mix(a, b), c), d);
  }

  /** A stable 64-bit hash of a string (FNV-1a), for deriving seeds from names. */
  public static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
