package io.jrlstream.core.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A checkpoint store in a map, for tests of {@link StateBlock}s: {@link #checkpoint} keeps the latest bytes of every
 * row the blocks report as changed, {@link #restore} decodes every kept row into other blocks in ascending row order
 * and calls {@link StateBlock#loaded()}, as the streaming trainer's store does.
 */
public final class StateFake {
  private final List<TreeMap<Integer, byte[]>> rows = new ArrayList<>();
  private int written;

  /** Writes the changed rows of each block (block i at index i). */
  public void checkpoint(List<StateBlock> blocks) {
    for (int b = 0; b < blocks.size(); b++) {
      while (rows.size() <= b) {
        rows.add(new TreeMap<>());
      }
      StateBlock block = blocks.get(b);
      Map<Integer, byte[]> m = rows.get(b);
      block.drainDirty(r -> {
        m.put(r, block.encode(r));
        written++;
      });
    }
  }

  /** Loads every kept row into {@code blocks}, then tells each it is loaded. */
  public void restore(List<StateBlock> blocks) {
    for (int b = 0; b < blocks.size(); b++) {
      if (b < rows.size()) {
        StateBlock block = blocks.get(b);
        rows.get(b).forEach(block::decode);
      }
    }
    blocks.forEach(StateBlock::loaded);
  }

  /** The kept rows of block {@code block}, by row (a view: later checkpoints change it). */
  public Map<Integer, byte[]> rows(int block) {
    return block < rows.size() ? Collections.unmodifiableMap(rows.get(block)) : Map.of();
  }

  /** Rows written by all checkpoints so far. */
  public int written() {
    return written;
  }
}
