package io.jrlstream.bench.serve;

import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A closed-loop HTTP load generator for the serving API ({@code jrl bench load}): {@code concurrency} threads each
 * send one GET at a time (HTTP/1.1, kept-alive connections) for a warm-up period, then for the measured
 * period, recording each request's latency. Latencies are kept in preallocated per-thread arrays.
 *
 * <p>Each thread speaks HTTP/1.1 over its own socket (request line and headers out, status line, headers and a
 * Content-Length or chunked body in), reconnecting after {@code Connection: close} or an error. On the 2-core
 * machine the load client shares the cores with the server, so its own cost counts: the JDK's
 * {@code java.net.http.HttpClient} (a selector thread and futures per request) took a large share of them.
 * The client also reports its process CPU time per request.
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
   * @param sent requests sent in the whole run, warm-up included
   * @param clientCpuMsPerRequest the client process's CPU time over the whole run per sent request
   */
  public record Result(long requests, long errors, double seconds, double qps, double p50Ms, double p99Ms,
      double meanMs, int concurrency, long sent, double clientCpuMsPerRequest) {}

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
    URI base = URI.create(baseUrl);
    if (!"http".equals(base.getScheme()) || base.getHost() == null) {
      throw new IllegalArgumentException("the load client speaks plain http://host[:port], got " + baseUrl);
    }
    InetSocketAddress address = new InetSocketAddress(base.getHost(), base.getPort() < 0 ? 80 : base.getPort());
    String headers = "Host: " + base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort()) + "\r\n"
        + (token.isEmpty() ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
    long cpu0 = processCpuNanos();
    long start = System.nanoTime();
    long measureFrom = start + warmUp.toNanos();
    long end = measureFrom + duration.toNanos();
    AtomicLong errors = new AtomicLong();
    List<long[]> latencies = new ArrayList<>();
    int[] counts = new int[concurrency];
    long[] sent = new long[concurrency];
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      long[] lat = new long[1 << 21];
      latencies.add(lat);
      int id = t;
      Thread th = new Thread(() -> {
        SplittableRandom rng = new SplittableRandom(1000 + id);
        Connection c = new Connection(address);
        int n = 0;
        try {
          while (true) {
            long t0 = System.nanoTime();
            if (t0 >= end) {
              break;
            }
            byte[] req = ("GET " + path.apply(rng.nextInt(Integer.MAX_VALUE)) + " HTTP/1.1\r\n" + headers)
                .getBytes(StandardCharsets.ISO_8859_1);
            boolean ok;
            try {
              ok = c.exchange(req) == 200;
            } catch (IOException e) {
              c.close();
              ok = false;
            }
            long t1 = System.nanoTime();
            sent[id]++;
            if (t0 >= measureFrom) {
              if (!ok) {
                errors.incrementAndGet();
              }
              if (n < lat.length) {
                lat[n++] = t1 - t0;
              }
            }
          }
        } finally {
          c.close();
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
    double cpuMs = (processCpuNanos() - cpu0) / 1e6;
    long sentAll = Arrays.stream(sent).sum();
    return summarise(all, errors.get(), secs, concurrency, sentAll, cpuMs / Math.max(1, sentAll));
  }

  static Result summarise(long[] nanos, long errors, double secs, int concurrency, long sent,
      double cpuMsPerRequest) {
    Arrays.sort(nanos);
    double mean = nanos.length == 0 ? 0 : Arrays.stream(nanos).average().orElse(0) / 1e6;
    return new Result(nanos.length, errors, secs, nanos.length / secs, percentile(nanos, 0.50) / 1e6,
        percentile(nanos, 0.99) / 1e6, mean, concurrency, sent, cpuMsPerRequest);
  }

  /** CPU time of this process (all threads), or 0 where the JVM does not say. */
  public static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  /**
   * One kept-alive HTTP/1.1 connection: sends a request, reads the status line, the headers and the body
   * (Content-Length or chunked), and reconnects on the next request after {@code Connection: close} or
   * {@link #close}. Not thread-safe: one per load thread.
   */
  static final class Connection implements AutoCloseable {
    private final InetSocketAddress address;
    private final StringBuilder line = new StringBuilder();
    private final byte[] skip = new byte[8192];
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Connection(InetSocketAddress address) {
      this.address = address;
    }

    /** Sends one request and reads its whole answer; returns the status code. */
    int exchange(byte[] request) throws IOException {
      if (socket == null) {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.connect(address, 5_000);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = new BufferedOutputStream(socket.getOutputStream(), 4096);
      }
      out.write(request);
      out.flush();
      String status = readLine();
      if (!status.startsWith("HTTP/1.") || status.length() < 12) {
        throw new IOException("not an HTTP/1.x status line: '" + status + "'");
      }
      int code = Integer.parseInt(status.substring(9, 12));
      long length = -1;
      boolean chunked = false;
      boolean closeAfter = false;
      for (String h = readLine(); !h.isEmpty(); h = readLine()) {
        int colon = h.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String name = h.substring(0, colon).trim();
        String value = h.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Content-Length")) {
          length = Long.parseLong(value);
        } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
          chunked = true;
        } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
          closeAfter = true;
        }
      }
      if (chunked) {
        for (long size = Long.parseLong(readLine().split(";", 2)[0].trim(), 16); size > 0;
            size = Long.parseLong(readLine().split(";", 2)[0].trim(), 16)) {
          skip(size);
          readLine();
        }
        while (!readLine().isEmpty()) {
          // trailers
        }
      } else if (length >= 0) {
        skip(length);
      } else {
        closeAfter = true;
        while (in.read(skip) >= 0) {
          // body until the server closes
        }
      }
      if (closeAfter) {
        close();
      }
      return code;
    }

    private void skip(long bytes) throws IOException {
      while (bytes > 0) {
        int r = in.read(skip, 0, (int) Math.min(skip.length, bytes));
        if (r < 0) {
          throw new EOFException("connection closed inside a body");
        }
        bytes -= r;
      }
    }

    private String readLine() throws IOException {
      line.setLength(0);
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new EOFException("connection closed inside a header");
        }
        if (b != '\r') {
          line.append((char) b);
        }
      }
      return line.toString();
    }

    @Override
    public void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // closing a broken connection: nothing left to do
        }
        socket = null;
      }
    }
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
