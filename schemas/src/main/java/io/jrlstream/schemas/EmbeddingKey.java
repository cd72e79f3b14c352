package io.jrlstream.schemas;

import java.util.Objects;

/**
 * The key of an {@link EmbeddingRecord} on an embedding topic: {@code USER:<id>} or {@code ITEM:<id>}, the entity's
 * kind and its external id (which may itself hold colons; only the first one separates). The one place the format is
 * written: trainers publish with {@link #format}, serving, export and replay read with {@link #parse},
 * {@link #isUser}, {@link #isItem} and {@link #entityId}. Keys compact per entity, so a user and an item with the
 * same id never replace each other's vector.
 *
 * <p>Immutable and thread-safe. The static methods allocate nothing but their result, for the trainer's and the
 * serving topology's per-record paths.
 *
 * @param kind user or item
 * @param id   the external id; not null
 */
public record EmbeddingKey(EntityKind kind, String id) {
  private static final String USER_PREFIX = EntityKind.USER.name() + ":";
  private static final String ITEM_PREFIX = EntityKind.ITEM.name() + ":";

  public EmbeddingKey {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(id, "id");
  }

  /** @return the key of user {@code id} */
  public static EmbeddingKey user(String id) {
    return new EmbeddingKey(EntityKind.USER, id);
  }

  /** @return the key of item {@code id} */
  public static EmbeddingKey item(String id) {
    return new EmbeddingKey(EntityKind.ITEM, id);
  }

  /** @return the key as written on the topic, e.g. {@code USER:u1}, without building an {@code EmbeddingKey} */
  public static String format(EntityKind kind, String id) {
    return (kind == EntityKind.USER ? USER_PREFIX : ITEM_PREFIX) + id;
  }

  /**
   * @param key a key as written on an embedding topic
   * @return its kind and id
   * @throws IllegalArgumentException naming the key when it is neither {@code USER:<id>} nor {@code ITEM:<id>}
   */
  public static EmbeddingKey parse(String key) {
    if (isUser(key)) {
      return new EmbeddingKey(EntityKind.USER, key.substring(USER_PREFIX.length()));
    }
    if (isItem(key)) {
      return new EmbeddingKey(EntityKind.ITEM, key.substring(ITEM_PREFIX.length()));
    }
    throw new IllegalArgumentException("embedding key '" + key + "' is neither " + USER_PREFIX + "<id> nor "
        + ITEM_PREFIX + "<id>");
  }

  /** @return whether {@code key} (may be null) is a user's */
  public static boolean isUser(String key) {
    return key != null && key.startsWith(USER_PREFIX);
  }

  /** @return whether {@code key} (may be null) is an item's */
  public static boolean isItem(String key) {
    return key != null && key.startsWith(ITEM_PREFIX);
  }

  /**
   * @return the id part of a user's or an item's key
   * @throws IllegalArgumentException as {@link #parse}
   */
  public static String entityId(String key) {
    return parse(key).id();
  }

  /** @return the key as written on the topic, e.g. {@code ITEM:i1} */
  @Override
  public String toString() {
    return format(kind, id);
  }
}
