package io.jrlstream.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrlstream.core.state.StateFake;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link IdIndex#state} and {@link Lexicon#state}: incremental checkpoints restore every id and token id. */
class IdIndexStateTest {
  @Test
  void shouldRestoreEveryIdAtItsIndexFromIncrementalCheckpoints() {
    IdIndex ids = new IdIndex();
    StateFake store = new StateFake();
    for (int i = 0; i < 300; i++) {
      ids.intern("u" + i);
    }
    store.checkpoint(List.of(ids.state("users")));
    assertEquals(0, ids.state("users").dirtyCount());
    for (int i = 0; i < 600; i++) {
      ids.intern("u" + (i % 700)); // a few new ids in the half-filled chunk and after it
    }
    assertEquals(2, ids.state("users").dirtyCount(), "the chunk the last checkpoint ended in and the new one");
    store.checkpoint(List.of(ids.state("users")));
    assertEquals(2 + 2, store.written());
    IdIndex restored = new IdIndex();
    store.restore(List.of(restored.state("users")));
    assertEquals(ids.size(), restored.size());
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(ids.id(i), restored.id(i));
      assertEquals(i, restored.indexOf(ids.id(i)));
    }
    assertEquals(ids.size(), restored.intern("new"), "new ids continue after the restored ones");
    assertEquals(1, restored.state("users").dirtyCount(), "only the chunk of the new id changed");
  }

  @Test
  void shouldRestoreTheLexiconWithEveryTokenIdAndGoOnInterningAlike() {
    Lexicon a = new Lexicon();
    StateFake store = new StateFake();
    a.tokenize("the quick brown fox jumps over the lazy dog");
    store.checkpoint(List.of(a.state()));
    for (int i = 0; i < 400; i++) {
      a.tokenize("word" + Integer.toString(i, 26).replaceAll("[0-9]", "x") + " the fox");
    }
    store.checkpoint(List.of(a.state()));
    Lexicon b = new Lexicon();
    store.restore(List.of(b.state()));
    assertEquals(a.size(), b.size());
    for (int t = 0; t < a.size(); t++) {
      assertEquals(a.word(t), b.word(t));
    }
    String text = "a brand new review of the fox";
    assertArrayEquals(a.tokenize(text), b.tokenize(text), "new words get the same ids on both");
  }
}
