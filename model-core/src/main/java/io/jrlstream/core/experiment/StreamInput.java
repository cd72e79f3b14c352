package io.jrlstream.core.experiment;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.Lexicon;
import io.jrlstream.core.data.StreamOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Events of a data set as a streaming trainer in a Kafka processor receives them (DESIGN.md §2 "Training
 * state"): in {@link StreamOrder}, reviews numbered in order of arrival, and a {@link Content} that, like the
 * processor's, keeps no review for good ({@link Content#permanentReviews()} is 0, so the review view's window
 * applies). With {@code renumber}, users and items are numbered in order of first appearance too, as the
 * processor's id index numbers them, so the items known at any point are a prefix {@code [0, n)}.
 *
 * <p>Immutable after construction; reads the data set's texts and features on demand.
 */
final class StreamInput implements Content {
  private final Dataset data;
  private final List<Interaction> events;
  private final int[] reviewOf;
  private final int[] itemOf;
  private final int users;
  private final int items;

  private StreamInput(Dataset data, List<Interaction> events, int[] reviewOf, int[] itemOf, int users, int items) {
    this.data = data;
    this.events = events;
    this.reviewOf = reviewOf;
    this.itemOf = itemOf;
    this.users = users;
    this.items = items;
  }

  /**
   * @param data the data set the events come from (texts, features, id counts)
   * @param xs events of {@code data} (all, or a split's part), in any order
   * @param seed seeds the interleaving of untimed data
   * @param renumber number users and items in order of first appearance on the stream
   */
  static StreamInput of(Dataset data, List<Interaction> xs, long seed, boolean renumber) {
    List<Interaction> ordered = StreamOrder.ordered(xs, seed);
    int[] userMap = new int[data.userCount()];
    int[] itemMap = new int[data.itemCount()];
    Arrays.fill(userMap, -1);
    Arrays.fill(itemMap, -1);
    int[] itemOf = new int[data.itemCount()];
    int users = 0;
    int items = 0;
    int reviews = 0;
    int[] reviewOf = new int[16];
    List<Interaction> out = new ArrayList<>(ordered.size());
    for (Interaction x : ordered) {
      int u = x.user();
      int v = x.item();
      if (renumber) {
        if (userMap[u] < 0) {
          userMap[u] = users++;
        }
        if (itemMap[v] < 0) {
          itemOf[items] = v;
          itemMap[v] = items++;
        }
        u = userMap[u];
        v = itemMap[v];
      }
      int r = -1;
      if (x.hasReview()) {
        if (reviews == reviewOf.length) {
          reviewOf = Arrays.copyOf(reviewOf, reviews * 2);
        }
        reviewOf[reviews] = x.review();
        r = reviews++;
      }
      out.add(new Interaction(u, v, x.stars(), r, x.time()));
    }
    if (!renumber) {
      users = data.userCount();
      items = data.itemCount();
    }
    return new StreamInput(data, List.copyOf(out), Arrays.copyOf(reviewOf, reviews), renumber ? itemOf : null,
        users, items);
  }

  /** The events in stream order, with the stream's review (and, when renumbered, user and item) numbers. */
  List<Interaction> events() {
    return events;
  }

  /** Users: those on the stream when renumbered, else the data set's. */
  int userCount() {
    return users;
  }

  /** Items: those on the stream when renumbered, else the data set's. */
  int itemCount() {
    return items;
  }

  /** The data set's item index of stream item {@code v}. */
  int datasetItem(int v) {
    return itemOf == null ? v : itemOf[v];
  }

  @Override
  public int[] reviewTokens(int review) {
    return data.reviewTokens(reviewOf[review]);
  }

  @Override
  public float[] itemFeatures(int item) {
    return data.itemFeatures(datasetItem(item));
  }

  @Override
  public int permanentReviews() {
    return 0;
  }

  @Override
  public Lexicon lexicon() {
    return data.lexicon();
  }
}
