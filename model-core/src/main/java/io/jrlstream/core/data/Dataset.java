package io.jrlstream.core.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An in-memory interaction log with its content, in input order: what the offline trainer, the
 * evaluator and the benchmarks work on. Build one with {@link Builder} (readers and the synthetic
 * generator do).
 */
public final class Dataset implements Content {
  private final String name;
  private final IdIndex users;
  private final IdIndex items;
  private final Lexicon lexicon;
  private final List<int[]> reviews;
  private final float[][] features;
  private final int featureDim;
  private final List<Interaction> interactions;
  private final ReadReport report;
  /** {@link #firstOccurrences()}, computed on first use (a benign race: every thread computes the same list). */
  private volatile List<Interaction> firsts;

  private Dataset(Builder b) {
    this.name = b.name;
    this.users = b.users;
    this.items = b.items;
    this.lexicon = b.lexicon;
    this.reviews = List.copyOf(b.reviews);
    this.featureDim = b.featureDim;
    this.features = new float[b.items.size()][];
    for (int i = 0; i < b.features.size(); i++) {
      features[i] = b.features.get(i);
    }
    this.interactions = List.copyOf(b.interactions);
    this.report = b.report;
  }

  public String name() {
    return name;
  }

  public IdIndex users() {
    return users;
  }

  public IdIndex items() {
    return items;
  }

  @Override
  public Lexicon lexicon() {
    return lexicon;
  }

  public int userCount() {
    return users.size();
  }

  public int itemCount() {
    return items.size();
  }

  /** All interactions in input order (unmodifiable). */
  public List<Interaction> interactions() {
    return interactions;
  }

  /**
   * Interactions that repeat a (user, item) pair seen in another interaction: the interaction count less the
   * distinct pairs (the 2018 Amazon files have up to 22 % of such rows; the 2014 5-core files none).
   */
  public int repeats() {
    return interactions.size() - firstOccurrences().size();
  }

  /**
   * The first occurrence of each (user, item) pair, in input order: what the split protocols of
   * {@code jrl evaluate} train and test on, so that a test copy of a training pair cannot occur. "First" is the
   * earliest by time, ties (and untimed input) in input order, which is also the first on the stream
   * ({@link StreamOrder} keeps each user's order). Unmodifiable; the same list when nothing repeats.
   */
  public List<Interaction> firstOccurrences() {
    List<Interaction> f = firsts;
    if (f == null) {
      f = computeFirsts();
      firsts = f;
    }
    return f;
  }

  private List<Interaction> computeFirsts() {
    int n = interactions.size();
    // Each user's pairs are found by sorting (item, stream rank) within the user's interactions.
    ByUser byUser = ByUser.of(interactions, users.size());
    int[] start = byUser.start;
    int[] positions = byUser.positions;
    int[] streamRank = new int[n];
    int[] order = StreamOrder.order(interactions, 0);
    for (int p = 0; p < n; p++) {
      streamRank[order[p]] = p;
    }
    boolean[] repeat = new boolean[n];
    int repeats = 0;
    long[] keys = new long[0];
    for (int u = 0; u < users.size(); u++) {
      int m = start[u + 1] - start[u];
      if (keys.length < m) {
        keys = new long[m];
      }
      for (int j = 0; j < m; j++) {
        int i = positions[start[u] + j];
        keys[j] = ((long) interactions.get(i).item() << 32) | streamRank[i];
      }
      Arrays.sort(keys, 0, m);
      for (int j = 1; j < m; j++) {
        if ((keys[j] >>> 32) == (keys[j - 1] >>> 32)) {
          repeat[order[(int) keys[j]]] = true;
          repeats++;
        }
      }
    }
    if (repeats == 0) {
      return interactions;
    }
    List<Interaction> out = new ArrayList<>(n - repeats);
    for (int i = 0; i < n; i++) {
      if (!repeat[i]) {
        out.add(interactions.get(i));
      }
    }
    return List.copyOf(out);
  }

  @Override
  public int[] reviewTokens(int review) {
    return reviews.get(review);
  }

  /**
   * Review r as text again: its tokens joined by single spaces (lower-case letters only, as tokenised). It
   * tokenises back to the same tokens, which is what producers and derived data sets need.
   */
  public String reviewText(int review) {
    StringBuilder text = new StringBuilder();
    for (int t : reviews.get(review)) {
      if (text.length() > 0) {
        text.append(' ');
      }
      text.append(lexicon.word(t));
    }
    return text.toString();
  }

  public int reviewCount() {
    return reviews.size();
  }

  /** Every review: a data set is finite, and trainers revisit its reviews. */
  @Override
  public int permanentReviews() {
    return reviews.size();
  }

  @Override
  public float[] itemFeatures(int item) {
    return item < features.length ? features[item] : null;
  }

  /** Feature dimension F, or 0 when no item has features. */
  public int featureDim() {
    return featureDim;
  }

  public boolean hasReviews() {
    return !reviews.isEmpty();
  }

  public boolean hasStars() {
    return interactions.stream().anyMatch(Interaction::hasStars);
  }

  public boolean hasFeatures() {
    return featureDim > 0;
  }

  /** What the reader saw: lines read, records kept, malformed lines with reasons. */
  public ReadReport report() {
    return report;
  }

  /** Incremental construction; interns ids and tokenises text. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final IdIndex users = new IdIndex();
    private final IdIndex items = new IdIndex();
    private final Lexicon lexicon = new Lexicon();
    private final List<int[]> reviews = new ArrayList<>();
    private final List<float[]> features = new ArrayList<>();
    private final List<Interaction> interactions = new ArrayList<>();
    private int featureDim;
    private ReadReport report = ReadReport.EMPTY;

    public Builder(String name) {
      this.name = name;
    }

    /**
     * Adds one event.
     *
     * @param stars 1–5 or NaN
     * @param text review text (summary + body), or null for an event without text
     * @return the interaction added
     */
    public Interaction add(String userId, String itemId, float stars, String text, long time) {
      int u = users.intern(userId);
      int v = items.intern(itemId);
      int r = -1;
      if (text != null) {
        r = reviews.size();
        reviews.add(lexicon.tokenize(text));
      }
      Interaction x = new Interaction(u, v, stars, r, time);
      interactions.add(x);
      return x;
    }

    /** Sets item features (all items share one dimension). */
    public Builder features(String itemId, float[] f) {
      if (featureDim != 0 && f.length != featureDim) {
        throw new IllegalArgumentException("item " + itemId + " has " + f.length + " features, others have "
            + featureDim);
      }
      featureDim = f.length;
      int v = items.intern(itemId);
      while (features.size() <= v) {
        features.add(null);
      }
      features.set(v, f.clone());
      return this;
    }

    public Builder report(ReadReport r) {
      this.report = r;
      return this;
    }

    public Dataset build() {
      return new Dataset(this);
    }
  }
}
