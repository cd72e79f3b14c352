package io.jrlstream.streams.train;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * The users whose new events a view trained since the last publication: the rows a user notices when she acts (her
 * own vector, hence her recommendations), as opposed to the rows that experience replay and negative sampling move
 * all over the tables, and to the item of her event, whose vector one interaction moves by one small step (she no
 * longer gets it recommended; the others see the step at the next refresh). {@link TrainingProcessor} publishes these
 * users at every publication and every changed row only at a refresh ({@link TrainingOptions#publishRefreshMs()}),
 * so that the embedding traffic follows the new events, not the replayed ones: with 96 replayed interactions per new
 * one, nearly every row of a small table changes within any 100 ms, and in a large one each new event moves about
 * 200 other rows.
 *
 * <p>Users of events in the pending mini-batch are held back until it trains ({@link #batchTrained}): published
 * before, they would carry the old value. A task of a sharded view keeps one the same way. Not thread-safe: the
 * processor's stream thread only.
 */
public final class FreshRows {
  private int[] users = new int[64];
  /** Events noted so far; the first {@link #trained} are in applied batches. */
  private int count;
  private int trained;
  /** Per user row, the pass that last handed it out (de-duplication within a pass). */
  private int[] handedOut = new int[0];
  private int pass;

  /** Notes a new event's user (the event joins the pending mini-batch). */
  public void note(int user) {
    if (count == users.length) {
      users = Arrays.copyOf(users, count * 2);
    }
    users[count++] = user;
  }

  /** The events noted so far have trained (a mini-batch was applied). */
  public void batchTrained() {
    trained = count;
  }

  /** Hands each distinct user row of the trained events to the sink, and forgets them. */
  public void drainTrained(IntConsumer sink) {
    pass++;
    for (int k = 0; k < trained; k++) {
      int r = users[k];
      if (r >= handedOut.length) {
        handedOut = Arrays.copyOf(handedOut, Math.max(r + 1, handedOut.length * 2));
      }
      if (handedOut[r] != pass) {
        handedOut[r] = pass;
        sink.accept(r);
      }
    }
    forgetTrained();
  }

  /** Forgets the trained events without handing them out (a refresh publishes every changed row instead). */
  public void forgetTrained() {
    System.arraycopy(users, trained, users, 0, count - trained);
    count -= trained;
    trained = 0;
  }
}
