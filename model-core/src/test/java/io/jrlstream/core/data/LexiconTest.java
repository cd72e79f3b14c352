package io.jrlstream.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LexiconTest {
  /** The definition: lower-case every char, keep runs of a–z, intern each run in order of first sight. */
  private static int[] reference(String text, Map<String, Integer> ids, List<String> words) {
    List<Integer> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? Character.toLowerCase(text.charAt(i)) : ' ';
      if (c >= 'a' && c <= 'z') {
        w.append(c);
      } else if (w.length() > 0) {
        out.add(ids.computeIfAbsent(w.toString(), k -> {
          words.add(k);
          return words.size() - 1;
        }));
        w.setLength(0);
      }
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  @Test
  void shouldTokeniseAsTheDefinitionOverManyWordsAndTableGrowth() {
    SplittableRandom r = new SplittableRandom(3);
    String alphabet = "abcdefghijklmnopqrstuvwxyzABCXYZ0 9-'.,!\u212A\u0130éÉ\u00df";
    Lexicon lex = new Lexicon();
    Map<String, Integer> ids = new HashMap<>();
    List<String> words = new ArrayList<>();
    for (int doc = 0; doc < 3000; doc++) {
      StringBuilder text = new StringBuilder();
      int len = r.nextInt(200);
      for (int i = 0; i < len; i++) {
        text.append(alphabet.charAt(r.nextInt(alphabet.length())));
      }
      if (doc % 10 == 0) {
        text.append(" ").append("x".repeat(1 + r.nextInt(100))); // longer than the scan buffer
      }
      String t = text.toString();
      assertArrayEquals(reference(t, ids, words), lex.tokenize(t), t);
    }
    assertEquals(words.size(), lex.size());
    for (int i = 0; i < words.size(); i++) {
      assertEquals(words.get(i), lex.word(i));
      assertEquals(i, lex.intern(words.get(i)));
    }
    assertEquals(words.size(), lex.intern("neverseenbefore"));
    assertArrayEquals(new int[] {words.size()}, lex.tokenize("NeverSeenBefore"));
  }
}
