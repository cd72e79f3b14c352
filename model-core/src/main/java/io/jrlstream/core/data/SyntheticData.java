package io.jrlstream.core.data;

import io.jrlstream.core.math.Rng;
import java.util.Arrays;
import java.util.List;

/**
 * Generates datasets with planted structure, so that tests and benchmarks can check that a model learns
 * something: a model that recovers the clusters ranks a user's held-out items well, one that does not
 * is no better than popularity.
 *
 * <p>The plant: users and items are dealt round-robin (in a seeded random order) into
 * {@code clusters} latent clusters. Each user interacts with {@code interactionsPerUser} distinct items;
 * each one comes from the user's own cluster with probability {@link #IN_CLUSTER} and from a uniformly
 * chosen other cluster otherwise, and within a cluster items are drawn with Zipf popularity skew
 * (weight 1/rank, the rank order being random). Stars are high inside the user's cluster (around 4.3)
 * and low outside (around 2.3), shifted by a per-item quality in [-0.5, 0.5] and noise, rounded to
 * 1–5. A review has one sentiment word that follows the stars and {@code wordsPerReview} words, each
 * from the item's cluster topic ({@link #topicWord}, Zipf over {@link #TOPIC_WORDS} words) with
 * probability {@link #TOPIC_SHARE} and a common filler word otherwise; every word is letters only, as
 * the tokeniser keeps. Item features (when {@code featureDim > 0}) are the cluster centroid (uniform in
 * [0, 2) per dimension) plus Gaussian noise (σ = {@link #FEATURE_NOISE}), clipped at 0 like ReLU
 * activations of an image network. Events are interleaved across users in a random order and carry
 * increasing times, one per minute from 2014-01-01.
 *
 * <p>Every item appears in the dataset's {@link IdIndex} when {@code featureDim > 0} (features are set
 * for all); without features an item nobody drew is absent. Ids are {@code "user<i>"} and
 * {@code "item<i>"} with the generator's numbering; the dense indices are the dataset's own (order of
 * first appearance), so use {@link Generated} for the ground truth.
 *
 * <p>The same spec and seed give the same dataset. Stateless and thread-safe.
 */
public final class SyntheticData {
  /** Probability that an interaction's item is from the user's own cluster. */
  public static final double IN_CLUSTER = 0.8;
  /** Words in each cluster's topic word list. */
  public static final int TOPIC_WORDS = 40;
  /** Probability that a review word is a topic word of the item's cluster (else a filler word). */
  public static final double TOPIC_SHARE = 0.7;
  /** Standard deviation of the noise added to a cluster centroid to make an item's features. */
  public static final float FEATURE_NOISE = 0.3f;

  private static final long START_MILLIS = 1_388_534_400_000L; // 2014-01-01T00:00:00Z
  private static final long STEP_MILLIS = 60_000L;

  private static final List<String> FILLER = List.of(
      "the", "and", "this", "it", "is", "for", "with", "my", "very", "product", "i", "a", "to", "of",
      "was", "use", "one", "just", "so", "have", "on", "but", "not", "you", "they", "really", "would",
      "after", "bought", "time");
  private static final List<String> GOOD = List.of("great", "love", "excellent", "perfect");
  private static final List<String> BAD = List.of("poor", "broken", "disappointing", "returned");
  private static final List<String> MIDDLE = List.of("okay", "average", "fine");

  private SyntheticData() {}

  /**
   * A generated dataset with its ground truth.
   *
   * @param dataset the dataset
   * @param userCluster the planted cluster of each user, indexed by the dataset's dense user index
   * @param itemCluster the planted cluster of each item, indexed by the dataset's dense item index
   */
  public record Generated(Dataset dataset, int[] userCluster, int[] itemCluster) {}

  /** The dataset for {@code spec} and {@code seed}; see {@link #generateWithTruth}. */
  public static Dataset generate(SyntheticSpec spec, long seed) {
    return generateWithTruth(spec, seed).dataset();
  }

  /** The dataset for {@code spec} and {@code seed} with its planted clusters. */
  public static Generated generateWithTruth(SyntheticSpec spec, long seed) {
    int nu = spec.users();
    int ni = spec.items();
    int nc = spec.clusters();
    Rng rng = new Rng(Rng.mix(seed, 0x5EED_DA7AL));

    // Clusters, dealt round-robin over a random order; an item's position in the deal is its
    // popularity rank within its cluster.
    int[] itemCluster = new int[ni];
    int[][] clusterItems = new int[nc][];
    int[] perm = permutation(ni, rng);
    for (int c = 0; c < nc; c++) {
      clusterItems[c] = new int[(ni - c + nc - 1) / nc];
    }
    for (int p = 0; p < ni; p++) {
      itemCluster[perm[p]] = p % nc;
      clusterItems[p % nc][p / nc] = perm[p];
    }
    double[][] clusterCdf = new double[nc][];
    for (int c = 0; c < nc; c++) {
      clusterCdf[c] = zipfCdf(clusterItems[c].length);
    }
    int[] userCluster = new int[nu];
    int[] userPerm = permutation(nu, rng);
    for (int p = 0; p < nu; p++) {
      userCluster[userPerm[p]] = p % nc;
    }
    float[] quality = new float[ni];
    for (int v = 0; v < ni; v++) {
      quality[v] = rng.nextFloat() - 0.5f;
    }

    // Each user's distinct items.
    int per = spec.interactionsPerUser();
    int n = nu * per;
    int[] eventUser = new int[n];
    int[] eventItem = new int[n];
    boolean[] used = new boolean[ni];
    int e = 0;
    for (int u = 0; u < nu; u++) {
      int from = e;
      for (int j = 0; j < per; j++) {
        int c = userCluster[u];
        if (nc > 1 && rng.nextDouble() >= IN_CLUSTER) {
          c = (c + 1 + rng.nextInt(nc - 1)) % nc;
        }
        int v = pick(clusterItems[c], clusterCdf[c], used, rng);
        if (v < 0) {
          v = pickAny(used, rng);
        }
        used[v] = true;
        eventUser[e] = u;
        eventItem[e] = v;
        e++;
      }
      for (int i = from; i < e; i++) {
        used[eventItem[i]] = false;
      }
    }
    // Interleave users: a random order of all events.
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = eventUser[i];
      eventUser[i] = eventUser[j];
      eventUser[j] = t;
      t = eventItem[i];
      eventItem[i] = eventItem[j];
      eventItem[j] = t;
    }

    Dataset.Builder b = new Dataset.Builder("synthetic");
    if (spec.featureDim() > 0) {
      features(b, spec.featureDim(), itemCluster, nc, rng);
    }
    double[] wordCdf = zipfCdf(TOPIC_WORDS);
    StringBuilder text = new StringBuilder(16 * (spec.wordsPerReview() + 1));
    for (int i = 0; i < n; i++) {
      int u = eventUser[i];
      int v = eventItem[i];
      boolean inside = itemCluster[v] == userCluster[u];
      double mean = (inside ? 4.3 : 2.3) + quality[v];
      float stars = (float) Math.max(1, Math.min(5, Math.round(mean + 0.7 * gaussian(rng))));
      String review = null;
      if (spec.wordsPerReview() > 0) {
        text.setLength(0);
        List<String> sentiment = stars >= 4 ? GOOD : stars <= 2 ? BAD : MIDDLE;
        text.append(sentiment.get(rng.nextInt(sentiment.size())));
        for (int w = 0; w < spec.wordsPerReview(); w++) {
          text.append(' ');
          if (rng.nextDouble() < TOPIC_SHARE) {
            text.append(topicWord(itemCluster[v], sample(wordCdf, rng)));
          } else {
            text.append(FILLER.get(rng.nextInt(FILLER.size())));
          }
        }
        review = text.toString();
      }
      long time = START_MILLIS + i * STEP_MILLIS + rng.nextInt((int) STEP_MILLIS);
      b.add(userId(u), itemId(v), stars, review, time);
    }
    b.report(new ReadReport("synthetic", n, n, 0, List.of()));
    Dataset ds = b.build();

    int[] denseUserCluster = new int[ds.userCount()];
    for (int u = 0; u < nu; u++) {
      denseUserCluster[ds.users().indexOf(userId(u))] = userCluster[u];
    }
    int[] denseItemCluster = new int[ds.itemCount()];
    for (int v = 0; v < ni; v++) {
      int d = ds.items().indexOf(itemId(v));
      if (d >= 0) {
        denseItemCluster[d] = itemCluster[v];
      }
    }
    return new Generated(ds, denseUserCluster, denseItemCluster);
  }

  /**
   * Word {@code i} of cluster {@code c}'s topic: letters only, e.g. cluster 12, word 3 is "topicbcxd"
   * (digits written as letters a–j, 'x' between the two numbers).
   */
  public static String topicWord(int cluster, int i) {
    StringBuilder sb = new StringBuilder("topic");
    appendLetters(sb, cluster);
    sb.append('x');
    appendLetters(sb, i);
    return sb.toString();
  }

  private static void appendLetters(StringBuilder sb, int n) {
    String digits = Integer.toString(n);
    for (int k = 0; k < digits.length(); k++) {
      sb.append((char) ('a' + (digits.charAt(k) - '0')));
    }
  }

  private static String userId(int u) {
    return "user" + u;
  }

  private static String itemId(int v) {
    return "item" + v;
  }

  private static void features(Dataset.Builder b, int dim, int[] itemCluster, int nc, Rng rng) {
    float[][] centroid = new float[nc][dim];
    for (float[] c : centroid) {
      for (int d = 0; d < dim; d++) {
        c[d] = 2 * rng.nextFloat();
      }
    }
    float[] f = new float[dim];
    for (int v = 0; v < itemCluster.length; v++) {
      float[] c = centroid[itemCluster[v]];
      for (int d = 0; d < dim; d++) {
        f[d] = Math.max(0f, c[d] + FEATURE_NOISE * (float) gaussian(rng));
      }
      b.features(itemId(v), f); // copies f
    }
  }

  /** An unused item of a cluster, Zipf-weighted by rank; -1 when all are used. */
  private static int pick(int[] items, double[] cdf, boolean[] used, Rng rng) {
    for (int attempt = 0; attempt < 32; attempt++) {
      int v = items[sample(cdf, rng)];
      if (!used[v]) {
        return v;
      }
    }
    // Nearly exhausted cluster: the first unused item from a random start.
    int start = rng.nextInt(items.length);
    for (int k = 0; k < items.length; k++) {
      int v = items[(start + k) % items.length];
      if (!used[v]) {
        return v;
      }
    }
    return -1;
  }

  /** Any unused item, scanning from a random start; one exists as interactionsPerUser <= items. */
  private static int pickAny(boolean[] used, Rng rng) {
    int start = rng.nextInt(used.length);
    for (int k = 0; k < used.length; k++) {
      int v = (start + k) % used.length;
      if (!used[v]) {
        return v;
      }
    }
    throw new IllegalStateException("no unused item left");
  }

  private static double[] zipfCdf(int n) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int r = 0; r < n; r++) {
      sum += 1.0 / (r + 1);
      cdf[r] = sum;
    }
    for (int r = 0; r < n; r++) {
      cdf[r] /= sum;
    }
    cdf[n - 1] = 1.0;
    return cdf;
  }

  private static int sample(double[] cdf, Rng rng) {
    int i = Arrays.binarySearch(cdf, rng.nextDouble());
    return i >= 0 ? Math.min(i + 1, cdf.length - 1) : -i - 1;
  }

  private static int[] permutation(int n, Rng rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** A standard normal draw (Box–Muller, one of the pair); StrictMath keeps it bit-identical across JVMs. */
  private static double gaussian(Rng rng) {
    double u1 = 1.0 - rng.nextDouble(); // (0, 1]
    double u2 = rng.nextDouble();
    return StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * Math.PI * u2);
  }
}
