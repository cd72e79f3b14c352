package io.jrlstream.core.data;

import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateReader;
import io.jrlstream.core.state.StateWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The one place where external ids (user ids, ASINs) map to dense int indices, assigned in order of first
 * appearance. Not thread-safe.
 */
public final class IdIndex {
  /** Ids per row of {@link #state()}. */
  public static final int CHUNK = 256;
  private static final int FORMAT = 1;

  private final Map<String, Integer> index = new HashMap<>();
  private final List<String> ids = new ArrayList<>();
  /** Ids a checkpoint has covered (those of rows drained by {@link #state()}). */
  private int persisted;

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

  /**
   * The index as checkpoint rows: row c holds ids [c·{@value #CHUNK}, (c+1)·{@value #CHUNK}). Ids are only ever
   * appended, so the rows changed since the last checkpoint are the one the last checkpoint ended in and those
   * after it.
   *
   * @param name the block's name, for messages
   */
  public StateBlock state(String name) {
    return new StateBlock() {
      @Override
      public int size() {
        return (ids.size() + CHUNK - 1) / CHUNK;
      }

      @Override
      public int dirtyCount() {
        return ids.size() == persisted ? 0 : size() - persisted / CHUNK;
      }

      @Override
      public void drainDirty(IntConsumer sink) {
        for (int c = ids.size() == persisted ? size() : persisted / CHUNK; c < size(); c++) {
          sink.accept(c);
        }
        persisted = ids.size();
      }

      @Override
      public byte[] encode(int row) {
        int from = row * CHUNK;
        int to = Math.min(ids.size(), from + CHUNK);
        StateWriter w = new StateWriter(FORMAT).putInt(to - from);
        for (int i = from; i < to; i++) {
          w.putString(ids.get(i));
        }
        return w.toBytes();
      }

      @Override
      public void decode(int row, byte[] bytes) {
        StateReader r = new StateReader(bytes, FORMAT, name + " row " + row);
        int n = r.getInt();
        int from = row * CHUNK;
        while (ids.size() < from + n) {
          ids.add(null);
        }
        for (int i = 0; i < n; i++) {
          ids.set(from + i, r.getString());
        }
      }

      @Override
      public void loaded() {
        index.clear();
        for (int i = 0; i < ids.size(); i++) {
          String id = ids.get(i);
          if (id == null) {
            throw new IllegalStateException(name + ": id " + i + " of " + ids.size() + " missing from the checkpoint");
          }
          index.put(id, i);
        }
        persisted = ids.size();
      }
    };
  }
}
