package io.jrlstream.ops.serve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A closed-loop HTTP load generator for the serving API ({@code jrl load}): {@code concurrency} threads each
 * send one GET at a time (HTTP/1.1, kept-alive connections) for a warm-up period, then for the measured
 * period, recording each request's latency. Latencies are kept in preallocated per-thread arrays, so the
 * measuring loop itself allocates only what the HTTP client does.
 */
public final class LoadClient {
  private LoadClient() {}

  /**
   * Figures of one run.
   *
   * @param requests answered requests in the measured period
   * @param errors requests answered with a status other than 200, or failed
   * @param seconds the measured period
   * @param qps requests per second
   * @param p50Ms median latency
   * @param p99Ms 99th percentile latency
   * @param meanMs mean latency
   * @param concurrency client threads
   */
  public record Result(long requests, long errors, double seconds, double qps, double p50Ms, double p99Ms,
      double meanMs, int concurrency) {}

  /**
   * @param baseUrl e.g. {@code http://127.0.0.1:8080}
   * @param token bearer token, empty for none
   * @param path the path and query of request i of a thread, given a random int (e.g. a user id's index)
   * @param concurrency client threads
   * @param warmUp not measured
   * @param duration measured
   */
  public static Result run(String baseUrl, String token, IntFunction<String> path, int concurrency,
      Duration warmUp, Duration duration) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    long start = System.nanoTime();
    long measureFrom = start + warmUp.toNanos();
    long end = measureFrom + duration.toNanos();
    AtomicLong errors = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    int[] counts = new int[concurrency];
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      long[] lat = new long[1 << 21];
      latencies.add(lat);
      int id = t;
      Thread th = new Thread(() -> {
        SplittableRandom rng = new SplittableRandom(1000 + id);
        int n = 0;
        while (true) {
          long t0 = System.nanoTime();
          if (t0 >= end) {
            break;
          }
          HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(baseUrl + path.apply(rng.nextInt(
              Integer.MAX_VALUE)))).timeout(Duration.ofSeconds(10)).GET();
          if (!token.isEmpty()) {
            req.header("Authorization", "Bearer " + token);
          }
          boolean ok;
          try {
            ok = client.send(req.build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
          } catch (IOException e) {
            ok = false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
          long t1 = System.nanoTime();
          if (t0 >= measureFrom) {
            if (!ok) {
              errors.incrementAndGet();
            }
            if (n < lat.length) {
              lat[n++] = t1 - t0;
            }
          }
        }
        counts[id] = n;
      }, "jrl-load-" + t);
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int o = 0;
    for (int t = 0; t < concurrency; t++) {
      System.arraycopy(latencies.get(t), 0, all, o, counts[t]);
      o += counts[t];
    }
    double secs = duration.toNanos() / 1e9;
    return summarise(all, errors.get(), secs, concurrency);
  }

  static Result summarise(long[] nanos, long errors, double secs, int concurrency) {
    Arrays.sort(nanos);
    double mean = nanos.length == 0 ? 0 : Arrays.stream(nanos).average().orElse(0) / 1e6;
    return new Result(nanos.length, errors, secs, nanos.length / secs, percentile(nanos, 0.50) / 1e6,
        percentile(nanos, 0.99) / 1e6, mean, concurrency);
  }

  /** The q-quantile of sorted values (nearest rank); 0 for none. */
  public static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
