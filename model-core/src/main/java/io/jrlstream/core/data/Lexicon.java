package io.jrlstream.core.data;

/**
 * Interns word strings to stable token ids, and tokenises text the way DESIGN.md §1 says: lowercase,
 * letters a–z only (everything else separates words). Token ids are not the review view's vocabulary
 * rows: the view decides which tokens are trainable (min count, cap). Not thread-safe.
 */
public final class Lexicon {
  private final IdIndex words = new IdIndex();
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
    return words.intern(word);
  }

  public String word(int token) {
    return words.id(token);
  }

  public int size() {
    return words.size();
  }
}
