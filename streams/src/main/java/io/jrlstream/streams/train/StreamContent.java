package io.jrlstream.streams.train;

import io.jrlstream.core.data.Content;
import io.jrlstream.core.data.IdIndex;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.Lexicon;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.TrainingEventKind;
import java.util.ArrayList;
import java.util.List;

/**
 * The content one view's trainer has seen on its stream: dense indices of users and items (assigned in
 * order of first appearance), review texts as token ids, the latest feature vector of each item. Rebuilt
 * on restart by re-reading the view's input (the validated topic) in order, so indices come out the same.
 *
 * <p>Not thread-safe: owned by one {@link TrainingProcessor}.
 */
public final class StreamContent implements Content {
  private final IdIndex users = new IdIndex();
  private final IdIndex items = new IdIndex();
  private final Lexicon lexicon = new Lexicon();
  private final List<int[]> reviews = new ArrayList<>();
  private final List<float[]> features = new ArrayList<>();
  private final boolean texts;

  /** Content with review texts tokenised. */
  public StreamContent() {
    this(true);
  }

  /**
   * @param texts whether review texts are kept as token ids (only the review view reads them: the other views
   *              skip the tokenising, and their interactions carry no review)
   */
  public StreamContent(boolean texts) {
    this.texts = texts;
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
      return null;
    }
    int user = users.intern(e.getUserId());
    int review = -1;
    if (texts && e.getKind() == TrainingEventKind.REVIEW && e.getText() != null) {
      review = reviews.size();
      reviews.add(lexicon.tokenize(e.getText()));
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

  @Override
  public int[] reviewTokens(int review) {
    return reviews.get(review);
  }

  @Override
  public float[] itemFeatures(int item) {
    return item < features.size() ? features.get(item) : null;
  }

  @Override
  public Lexicon lexicon() {
    return lexicon;
  }
}
