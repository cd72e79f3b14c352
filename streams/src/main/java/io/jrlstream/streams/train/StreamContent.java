package io.jrlstream.streams.train;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.IdIndex;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.Lexicon;
import io.jrlstream.core.state.DirtyRows;
import io.jrlstream.core.state.StateBlock;
import io.jrlstream.core.state.StateReader;
import io.jrlstream.core.state.StateWriter;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The content one view's trainer has seen on its stream: dense indices of users and items (assigned in
 * order of first appearance), the texts of the latest reviews as token ids (as many as the review view keeps
 * vectors of: its {@linkplain io.jrlstream.core.view.review.ReviewView.Settings#window() window}), the latest feature
 * vector
 * of each item. Rebuilt on restart by re-reading the view's input (the validated topic) in order, so indices come
 * out the same. Reviews are numbered in order of arrival.
 *
 * <p>Not thread-safe: owned by one {@link TrainingProcessor}.
 */
public final class StreamContent implements Content {
  private static final int FORMAT = 1;
  private final IdIndex users = new IdIndex();
  private final IdIndex items = new IdIndex();
  private final Lexicon lexicon = new Lexicon();
  /** Token ids of the latest reviews: review r at r mod the window's length. */
  private int[][] reviews = new int[64][];
  private int reviewCount;
  private final List<float[]> features = new ArrayList<>();
  private final boolean texts;
  private final int window;
  private final DirtyRows dirtyReviews = new DirtyRows();
  private final DirtyRows dirtyFeatures = new DirtyRows();

  /** Content with review texts tokenised, every review kept. */
  public StreamContent() {
    this(true, Integer.MAX_VALUE);
  }

  /**
   * @param texts whether review texts are kept as token ids (only the review view reads them: the other views
   *              skip the tokenising, and their interactions carry no review)
   * @param window how many of the latest reviews' texts to keep (≥ 1)
   */
  public StreamContent(boolean texts, int window) {
    if (window < 1) {
      throw new IllegalArgumentException("review window must be ≥ 1, got " + window);
    }
    this.texts = texts;
    this.window = window;
  }

  /**
   * Registers an event's content and returns its interaction, or null for a FEATURES event (content only).
   */
  public Interaction apply(TrainingEvent e) {
    int item = items.intern(e.getItemId());
    if (e.getKind() == TrainingEventKind.FEATURES) {
      List<Float> f = e.getFeatures();
      float[] v = new float[f.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = f.get(i);
      }
      while (features.size() <= item) {
        features.add(null);
      }
      features.set(item, v);
      dirtyFeatures.mark(item);
      return null;
    }
    int user = users.intern(e.getUserId());
    int review = -1;
    if (texts && e.getKind() == TrainingEventKind.REVIEW && e.getText() != null) {
      if (reviewCount == Integer.MAX_VALUE) {
        throw new IllegalStateException("a view's stream holds at most " + Integer.MAX_VALUE + " reviews");
      }
      review = reviewCount++;
      int at = review % window;
      if (at == reviews.length) {
        reviews = Arrays.copyOf(reviews, (int) Math.min(window, at * 2L));
      }
      reviews[at] = lexicon.tokenize(e.getText());
      dirtyReviews.mark(at);
    }
    float stars = e.getStars() == null ? Float.NaN : e.getStars();
    return new Interaction(user, item, stars, review, e.getEventTime().toEpochMilli());
  }

  public IdIndex users() {
    return users;
  }

  public IdIndex items() {
    return items;
  }

  /**
   * @throws IllegalArgumentException for a review older than the window (or not seen yet)
   */
  @Override
  public int[] reviewTokens(int review) {
    if (review < 0 || review >= reviewCount || reviewCount - review > window) {
      throw new IllegalArgumentException("review " + review + " is not among the latest " + window + " of "
          + reviewCount + " reviews");
    }
    return reviews[review % window];
  }

  /** Reviews seen so far. */
  public int reviewCount() {
    return reviewCount;
  }

  @Override
  public float[] itemFeatures(int item) {
    return item < features.size() ? features.get(item) : null;
  }

  @Override
  public Lexicon lexicon() {
    return lexicon;
  }

  /**
   * The content as checkpoint blocks: user ids, item ids, the lexicon, the review texts of the window (row = slot
   * in the ring) with the number of reviews seen, and the items' features (row = item).
   */
  public List<StateBlock> state() {
    return List.of(users.state("users"), items.state("items"), lexicon.state(), reviewState(), featureState());
  }

  /** Row 0: the number of reviews seen; row 1 + s: the tokens of ring slot s. */
  private StateBlock reviewState() {
    return new StateBlock() {
      @Override
      public int size() {
        return 1 + Math.min(reviewCount, window);
      }

      @Override
      public int dirtyCount() {
        return dirtyReviews.count() == 0 ? 0 : 1 + dirtyReviews.count(); // a new review changes the count too
      }

      @Override
      public void drainDirty(IntConsumer sink) {
        if (dirtyReviews.count() > 0) {
          sink.accept(0);
        }
        dirtyReviews.drain(s -> sink.accept(1 + s));
      }

      @Override
      public byte[] encode(int row) {
        StateWriter w = new StateWriter(FORMAT);
        if (row == 0) {
          return w.putInt(reviewCount).toBytes();
        }
        int[] tokens = reviews[row - 1];
        return w.putInts(tokens, 0, tokens.length).toBytes();
      }

      @Override
      public void decode(int row, byte[] bytes) {
        StateReader r = new StateReader(bytes, FORMAT, "reviews row " + row);
        if (row == 0) {
          reviewCount = r.getInt();
          return;
        }
        int at = row - 1;
        if (at >= reviews.length) {
          reviews = Arrays.copyOf(reviews, (int) Math.min(window, Math.max(at + 1L, reviews.length * 2L)));
        }
        reviews[at] = r.getInts();
      }

      @Override
      public void loaded() {
        dirtyReviews.clear();
      }
    };
  }

  /** Row v: item v's features (a row per item that has any). */
  private StateBlock featureState() {
    return StateBlock.tracked(features::size, dirtyFeatures, row -> {
      float[] f = features.get(row);
      return new StateWriter(FORMAT).putFloats(f, 0, f.length).toBytes();
    }, (row, bytes) -> {
      while (features.size() <= row) {
        features.add(null);
      }
      features.set(row, new StateReader(bytes, FORMAT, "features row " + row).getFloats());
    });
  }
}
