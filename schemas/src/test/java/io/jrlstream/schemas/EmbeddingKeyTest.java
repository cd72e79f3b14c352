package io.jrlstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EmbeddingKeyTest {

  @Test
  void shouldWriteTheTopicFormat() {
    assertEquals("USER:u1", EmbeddingKey.user("u1").toString());
    assertEquals("ITEM:B000123", EmbeddingKey.item("B000123").toString());
    assertEquals("ITEM:i", EmbeddingKey.format(EntityKind.ITEM, "i"));
    assertEquals("USER:", EmbeddingKey.format(EntityKind.USER, ""));
  }

  @Test
  void shouldParseWhatItWritesIdsWithColonsIncluded() {
    for (EmbeddingKey k : new EmbeddingKey[] {EmbeddingKey.user("u1"), EmbeddingKey.item("a:b:c"),
        EmbeddingKey.user("ITEM:x"), EmbeddingKey.item("")}) {
      assertEquals(k, EmbeddingKey.parse(k.toString()));
    }
    assertEquals("a:b", EmbeddingKey.entityId("ITEM:a:b"));
    assertTrue(EmbeddingKey.isUser("USER:ITEM:x"));
    assertFalse(EmbeddingKey.isItem("USER:ITEM:x"));
  }

  @Test
  void shouldRefuseOtherKeysNamingThem() {
    for (String bad : new String[] {"u1", "user:u1", "USER", "ITEMS:x", ":x"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EmbeddingKey.parse(bad));
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
      assertFalse(EmbeddingKey.isUser(bad) || EmbeddingKey.isItem(bad), bad);
    }
    assertFalse(EmbeddingKey.isUser(null));
    assertFalse(EmbeddingKey.isItem(null));
    assertThrows(NullPointerException.class, () -> EmbeddingKey.user(null));
  }
}
