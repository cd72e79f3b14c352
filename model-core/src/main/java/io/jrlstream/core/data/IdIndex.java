package io.jrlstream.core.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place where external ids (user ids, ASINs) map to dense int indices, assigned in order of first
 * appearance. Not thread-safe.
 */
public final class IdIndex {
  private final Map<String, Integer> index = new HashMap<>();
  private final List<String> ids = new ArrayList<>();

  /** The index of id, assigning the next free one when it is new. */
  public int intern(String id) {
    Integer i = index.get(id);
    if (i != null) {
      return i;
    }
    int n = ids.size();
    index.put(id, n);
    ids.add(id);
    return n;
  }

  /** The index of id, or -1 when unknown. */
  public int indexOf(String id) {
    Integer i = index.get(id);
    return i == null ? -1 : i;
  }

  /** The external id of index i. */
  public String id(int i) {
    return ids.get(i);
  }

  public int size() {
    return ids.size();
  }
}
