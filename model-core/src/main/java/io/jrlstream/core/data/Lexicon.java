package io.jrlstream.core.data;

import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateReader;
import io.jrlstream.core.state.StateWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Interns word strings to stable token ids, and tokenises text the way DESIGN.md §1 says: lowercase,
 * letters a–z only (everything else separates words). Token ids are not the review view's vocabulary
 * rows: the view decides which tokens are trainable (min count, cap). Not thread-safe.
 *
 * <p>Words are looked up straight from the characters being scanned (an open-addressing table keyed by a
 * hash of the letters), so tokenising allocates a string only for a word never seen before: the streaming
 * trainer tokenises every review as it arrives.
 */
public final class Lexicon {
  /** Words per row of {@link #state()}. */
  public static final int CHUNK = 256;
  private static final int FORMAT = 1;

  private final List<String> words = new ArrayList<>();
  /** Words a checkpoint has covered (those of rows drained by {@link #state()}). */
  private int persisted;
  /**
   * Per slot: the word's hash in the high 32 bits, token id + 1 in the low ones, 0 when empty; the length is a
   * power of two, at most half full. A probe compares hashes without leaving this array.
   */
  private long[] slots = new long[1024];
  /** Every word's letters back to back (word t from starts[t] to starts[t + 1]): compared without a String. */
  private char[] letters = new char[4096];
  private int[] starts = new int[64];
  private int lettersUsed;
  private char[] buf = new char[32];

  /** Tokenises {@code text} and returns the token ids, interning new words. */
  public int[] tokenize(CharSequence text) {
    int[] out = new int[16];
    int n = 0;
    int len = 0;
    int hash = 0;
    for (int i = 0, end = text.length(); i <= end; i++) {
      char c = i < end ? text.charAt(i) : ' ';
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      } else if (c > 127) {
        c = Character.toLowerCase(c); // only letters a–z count; this keeps e.g. 'K' (Kelvin) → 'k' as before
      }
      if (c >= 'a' && c <= 'z') {
        if (len == buf.length) {
          buf = Arrays.copyOf(buf, len * 2);
        }
        buf[len++] = c;
        hash = 31 * hash + c;
      } else if (len > 0) {
        if (n == out.length) {
          out = Arrays.copyOf(out, n * 2);
        }
        out[n++] = intern(buf, len, hash);
        len = 0;
        hash = 0;
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** The token id of word, assigning a new one when unseen. */
  public int intern(String word) {
    char[] cs = word.toCharArray();
    return intern(cs, cs.length, word.hashCode());
  }

  /** {@code hash} is {@link String#hashCode()} of the first {@code len} chars of {@code cs}. */
  private int intern(char[] cs, int len, int hash) {
    int mask = slots.length - 1;
    for (int s = mix(hash) & mask; ; s = (s + 1) & mask) {
      long slot = slots[s];
      if (slot == 0) {
        break;
      }
      if ((int) (slot >>> 32) == hash) {
        int t = (int) slot - 1;
        if (sameWord(t, cs, len)) {
          return t;
        }
      }
    }
    int t = words.size();
    words.add(new String(cs, 0, len));
    if (t + 1 >= starts.length) {
      starts = Arrays.copyOf(starts, starts.length * 2);
    }
    if (lettersUsed + len > letters.length) {
      letters = Arrays.copyOf(letters, Math.max(letters.length * 2, lettersUsed + len));
    }
    System.arraycopy(cs, 0, letters, lettersUsed, len);
    starts[t] = lettersUsed;
    lettersUsed += len;
    starts[t + 1] = lettersUsed;
    if (2 * (t + 1) > slots.length) {
      long[] old = slots;
      slots = new long[old.length * 2];
      for (long slot : old) {
        if (slot != 0) {
          place(slot);
        }
      }
    }
    place(((long) hash << 32) | (t + 1L));
    return t;
  }

  /** Puts a slot value (hash and token id + 1) into the first free slot from its hash's home. */
  private void place(long slot) {
    int mask = slots.length - 1;
    int s = mix((int) (slot >>> 32)) & mask;
    while (slots[s] != 0) {
      s = (s + 1) & mask;
    }
    slots[s] = slot;
  }

  private static int mix(int h) {
    return h ^ (h >>> 16) * 0x45d9f3b;
  }

  private boolean sameWord(int t, char[] cs, int len) {
    int from = starts[t];
    return starts[t + 1] - from == len && Arrays.equals(letters, from, from + len, cs, 0, len);
  }

  public String word(int token) {
    return words.get(token);
  }

  public int size() {
    return words.size();
  }

  /**
   * The lexicon as checkpoint rows: row c holds the words of token ids [c·{@value #CHUNK}, (c+1)·{@value #CHUNK}).
   * Words are only ever appended; a restore interns them again in token order, so every token keeps its id.
   */
  public StateBlock state() {
    return new StateBlock() {
      @Override
      public int size() {
        return (words.size() + CHUNK - 1) / CHUNK;
      }

      @Override
      public int dirtyCount() {
        return words.size() == persisted ? 0 : size() - persisted / CHUNK;
      }

      @Override
      public void drainDirty(IntConsumer sink) {
        for (int c = words.size() == persisted ? size() : persisted / CHUNK; c < size(); c++) {
          sink.accept(c);
        }
        persisted = words.size();
      }

      @Override
      public byte[] encode(int row) {
        int from = row * CHUNK;
        int to = Math.min(words.size(), from + CHUNK);
        StateWriter w = new StateWriter(FORMAT).putInt(to - from);
        for (int i = from; i < to; i++) {
          w.putString(words.get(i));
        }
        return w.toBytes();
      }

      @Override
      public void decode(int row, byte[] bytes) {
        StateReader r = new StateReader(bytes, FORMAT, "lexicon row " + row);
        int n = r.getInt();
        int from = row * CHUNK;
        while (words.size() < from + n) {
          words.add(null);
        }
        for (int i = 0; i < n; i++) {
          words.set(from + i, r.getString());
        }
      }

      @Override
      public void loaded() {
        List<String> loaded = new ArrayList<>(words);
        words.clear();
        Arrays.fill(slots, 0L);
        lettersUsed = 0;
        for (int t = 0; t < loaded.size(); t++) {
          String w = loaded.get(t);
          if (w == null || intern(w) != t) {
            throw new IllegalStateException("lexicon: word " + t + " of " + loaded.size()
                + (w == null ? " missing from the checkpoint" : " is a duplicate"));
          }
        }
        persisted = words.size();
      }
    };
  }
}
