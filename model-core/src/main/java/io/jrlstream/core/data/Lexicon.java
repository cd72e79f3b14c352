package io.jrlstream.core.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Interns word strings to stable token ids, and tokenises text the way DESIGN.md §1 says: lowercase,
 * letters a–z only (everything else separates words). Token ids are not the review view's vocabulary
 * rows: the view decides which tokens are trainable (min count, cap). Not thread-safe.
 */
public final class Lexicon {
  private final Map<String, Integer> index = new HashMap<>();
  private final List<String> words = new ArrayList<>();
  private final StringBuilder buf = new StringBuilder(32);

  /** Tokenises {@code text} and returns the token ids, interning new words. */
  public int[] tokenize(CharSequence text) {
    int[] out = new int[16];
    int n = 0;
    buf.setLength(0);
    for (int i = 0, len = text.length(); i <= len; i++) {
      char c = i < len ? Character.toLowerCase(text.charAt(i)) : ' ';
      if (c >= 'a' && c <= 'z') {
        buf.append(c);
      } else if (buf.length() > 0) {
        if (n == out.length) {
          out = java.util.Arrays.copyOf(out, n * 2);
        }
        out[n++] = intern(buf.toString());
        buf.setLength(0);
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** The token id of word, assigning a new one when unseen. */
  public int intern(String word) {
    Integer i = index.get(word);
    if (i != null) {
      return i;
    }
    int n = words.size();
    index.put(word, n);
    words.add(word);
    return n;
  }

  public String word(int token) {
    return words.get(token);
  }

  public int size() {
    return words.size();
  }
}
