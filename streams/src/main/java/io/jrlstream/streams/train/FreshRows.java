package io.jrlstream.streams.train;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The user and item rows that a view's new events moved since the last publication: what a user notices when she
 * acts (her own vector, the item's), as opposed to the rows that experience replay and negative sampling move all
 * over the tables. {@link TrainingProcessor} publishes these at every publication and every changed row only at a
 * refresh ({@link TrainingOptions#publishRefreshMs()}), so that the embedding traffic follows the new events, not the
 * replayed ones (with 64 replayed interactions per new one, nearly every row of a small table changes within any
 * 100 ms, and at a large one each new event moves about 130 other rows).
 *
 * <p>Rows of events in the pending mini-batch are held back until it trains ({@link #batchTrained}): published
 * before, they would carry the old value. Not thread-safe: the processor's stream thread only.
 */
final class FreshRows {
  private int[] users = new int[64];
  private int[] items = new int[64];
  /** Events noted so far; the first {@link #trained} are in applied batches. */
  private int count;
  private int trained;
  /** Per row, the pass that last handed it out (de-duplication within a pass). */
  private int[] userPass = new int[0];
  private int[] itemPass = new int[0];
  private int pass;

  /** Notes a new event's rows (it joins the pending mini-batch). */
  void note(int user, int item) {
    if (count == users.length) {
      users = Arrays.copyOf(users, count * 2);
      items = Arrays.copyOf(items, count * 2);
    }
    users[count] = user;
    items[count] = item;
    count++;
  }

  /** The events noted so far have trained (a mini-batch was applied). */
  void batchTrained() {
    trained = count;
  }

  /** Hands each distinct user row, then each distinct item row, of the trained events to the sinks; forgets them. */
  void drainTrained(IntConsumer userSink, IntConsumer itemSink) {
    pass++;
    userPass = visit(users, userPass, userSink);
    itemPass = visit(items, itemPass, itemSink);
    forgetTrained();
  }

  /** Forgets the trained events without handing them out (a refresh publishes every changed row instead). */
  void forgetTrained() {
    int left = count - trained;
    System.arraycopy(users, trained, users, 0, left);
    System.arraycopy(items, trained, items, 0, left);
    count = left;
    trained = 0;
  }

  private int[] visit(int[] rows, int[] stamps, IntConsumer sink) {
    int[] s = stamps;
    for (int k = 0; k < trained; k++) {
      int r = rows[k];
      if (r >= s.length) {
        s = Arrays.copyOf(s, Math.max(r + 1, s.length * 2));
      }
      if (s[r] != pass) {
        s[r] = pass;
        sink.accept(r);
      }
    }
    return s;
  }
}
