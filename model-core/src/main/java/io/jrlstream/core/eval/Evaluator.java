package io.jrlstream.core.eval;

import io.jrlstream.core.data.Interaction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Offline top-k evaluation with the JRL paper's protocol (§5.3; DESIGN.md §1 "Evaluation").
 *
 * <p>For each user with at least one test interaction, every item in {@code [0, itemCount)} that the
 * user did not interact with in training is ranked by the {@link Scorer}, including items that occur
 * only in the test part or nowhere; the top k are compared with the user's distinct test items:
 * precision = hits / k, recall = hits / |test items|, NDCG with binary relevance and discount
 * 1/log2(rank + 1) over the ideal DCG of min(|test items|, k) hits, hit ratio = 1 when any hit.
 * The metrics are averaged over test users. A test item the user also has in training is excluded from
 * the ranking, so it cannot be hit, but it still counts in |test items| (5-core data has no such
 * repeats).
 *
 * <p>Users are scored in parallel: {@code threads} workers take fixed chunks of {@value #CHUNK} test
 * users; each user's values go into a per-user slot and are summed in user order, so the result is
 * bit-identical for every thread count (given a deterministic scorer). Each call starts and stops its
 * own threads; the class is stateless and thread-safe. Per worker it allocates one score array of
 * {@code itemCount} floats and one array of k ints.
 */
public final class Evaluator {
  /** Test users per work unit. */
  public static final int CHUNK = 64;

  private Evaluator() {}

  /**
   * Per-user results, in ascending user order. The arrays are owned by the caller after return.
   *
   * @param k the cut-off
   * @param users the test users (dense indices), ascending
   * @param ndcg NDCG@k of {@code users[i]}
   * @param recall recall@k of {@code users[i]}
   * @param hit 1 when {@code users[i]} had a hit in its top k, else 0
   * @param precision precision@k of {@code users[i]}
   */
  public record PerUser(int k, int[] users, double[] ndcg, double[] recall, double[] hit, double[] precision) {
    /** The averages over all users (summed in user order). */
    public Metrics mean() {
      int n = users.length;
      if (n == 0) {
        return Metrics.EMPTY;
      }
      double sn = 0;
      double sr = 0;
      double sh = 0;
      double sp = 0;
      for (int i = 0; i < n; i++) {
        sn += ndcg[i];
        sr += recall[i];
        sh += hit[i];
        sp += precision[i];
      }
      return new Metrics(sn / n, sr / n, sh / n, sp / n, n);
    }
  }

  /**
   * Evaluates {@code scorer} on {@code test} given {@code train}; see the class description.
   *
   * @param itemCount items ranked: indices {@code [0, itemCount)}; every interaction's item must be below
   * @param k the cut-off (the paper's N = 10), at least 1
   * @param threads worker threads, at least 1 (1 runs on the calling thread)
   * @throws IllegalArgumentException on an item outside {@code [0, itemCount)}, a negative user, k or
   *     threads below 1
   */
  public static Metrics evaluate(Scorer scorer, List<Interaction> train, List<Interaction> test, int itemCount,
      int k, int threads) {
    return evaluateUsers(scorer, train, test, itemCount, k, threads).mean();
  }

  /** {@link #evaluate} with the per-user values, e.g. for significance tests or per-user analysis. */
  public static PerUser evaluateUsers(Scorer scorer, List<Interaction> train, List<Interaction> test,
      int itemCount, int k, int threads) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be at least 1, got " + k);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    if (itemCount < 0) {
      throw new IllegalArgumentException("itemCount must be at least 0, got " + itemCount);
    }
    int userCount = Math.max(userCount(train, itemCount, "train"), userCount(test, itemCount, "test"));
    ItemSets trainSets = ItemSets.of(train, userCount);
    ItemSets testSets = ItemSets.of(test, userCount);

    int testUsers = 0;
    for (int u = 0; u < userCount; u++) {
      if (testSets.size(u) > 0) {
        testUsers++;
      }
    }
    final int testUserCount = testUsers;
    int[] users = new int[testUserCount];
    for (int u = 0, i = 0; u < userCount; u++) {
      if (testSets.size(u) > 0) {
        users[i++] = u;
      }
    }
    double[] discount = new double[k];
    double[] idcg = new double[k + 1];
    for (int r = 0; r < k; r++) {
      discount[r] = 1.0 / (Math.log(r + 2) / Math.log(2));
      idcg[r + 1] = idcg[r] + discount[r];
    }
    PerUser out = new PerUser(k, users, new double[testUserCount], new double[testUserCount],
        new double[testUserCount], new double[testUserCount]);

    int chunks = (testUserCount + CHUNK - 1) / CHUNK;
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    Callable<Void> worker = () -> {
      float[] scores = new float[itemCount];
      int[] top = new int[k];
      try {
        for (int c = next.getAndIncrement(); c < chunks && !failed.get(); c = next.getAndIncrement()) {
          int end = Math.min(testUserCount, (c + 1) * CHUNK);
          for (int i = c * CHUNK; i < end; i++) {
            evaluateUser(scorer, users[i], i, trainSets, testSets, itemCount, scores, top, discount, idcg,
                out);
          }
        }
      } catch (RuntimeException | Error e) {
        failed.set(true);
        throw e;
      }
      return null;
    };
    int workers = Math.min(threads, chunks);
    if (workers <= 1) {
      try {
        worker.call();
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return out;
    }
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "jrl-evaluator");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Void>> futures = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        futures.add(pool.submit(worker));
      }
      for (Future<Void> f : futures) {
        f.get();
      }
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("evaluation failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("evaluation interrupted", e);
    } finally {
      pool.shutdownNow();
    }
    return out;
  }

  private static void evaluateUser(Scorer scorer, int u, int slot, ItemSets trainSets, ItemSets testSets,
      int itemCount, float[] scores, int[] top, double[] discount, double[] idcg, PerUser out) {
    int k = top.length;
    scorer.scoreAll(u, scores);
    int n = TopN.select(scores, itemCount, trainSets.items, trainSets.from(u), trainSets.to(u), k, top);
    int testFrom = testSets.from(u);
    int testTo = testSets.to(u);
    int relevant = testTo - testFrom;
    int hits = 0;
    double dcg = 0;
    for (int r = 0; r < n; r++) {
      if (Arrays.binarySearch(testSets.items, testFrom, testTo, top[r]) >= 0) {
        hits++;
        dcg += discount[r];
      }
    }
    out.ndcg()[slot] = dcg / idcg[Math.min(relevant, k)];
    out.recall()[slot] = (double) hits / relevant;
    out.hit()[slot] = hits > 0 ? 1 : 0;
    out.precision()[slot] = (double) hits / k;
  }

  private static int userCount(List<Interaction> xs, int itemCount, String part) {
    int users = 0;
    for (Interaction x : xs) {
      if (x.item() < 0 || x.item() >= itemCount) {
        throw new IllegalArgumentException(part + " item " + x.item() + " outside [0, " + itemCount + ") in "
            + x);
      }
      if (x.user() < 0) {
        throw new IllegalArgumentException(part + " has a negative user index in " + x);
      }
      users = Math.max(users, x.user() + 1);
    }
    return users;
  }

  /** Each user's distinct items, ascending, in one array (compressed sparse rows). */
  private static final class ItemSets {
    final int[] start;
    final int[] end;
    final int[] items;

    private ItemSets(int[] start, int[] end, int[] items) {
      this.start = start;
      this.end = end;
      this.items = items;
    }

    static ItemSets of(List<Interaction> xs, int userCount) {
      int[] start = new int[userCount + 1];
      for (Interaction x : xs) {
        start[x.user() + 1]++;
      }
      for (int u = 0; u < userCount; u++) {
        start[u + 1] += start[u];
      }
      int[] items = new int[xs.size()];
      int[] fill = Arrays.copyOf(start, userCount);
      for (Interaction x : xs) {
        items[fill[x.user()]++] = x.item();
      }
      int[] end = new int[userCount];
      for (int u = 0; u < userCount; u++) {
        Arrays.sort(items, start[u], start[u + 1]);
        int w = start[u];
        for (int i = start[u]; i < start[u + 1]; i++) {
          if (i == start[u] || items[i] != items[i - 1]) {
            items[w++] = items[i];
          }
        }
        end[u] = w;
      }
      return new ItemSets(start, end, items);
    }

    int from(int u) {
      return start[u];
    }

    int to(int u) {
      return end[u];
    }

    int size(int u) {
      return end[u] - start[u];
    }
  }
}
