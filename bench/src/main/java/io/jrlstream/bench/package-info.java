/**
 * The benchmarks, apart from the product (issue 15): {@code jrl bench …}, added to the {@code jrl} command line by
 * {@link io.jrlstream.bench.BenchExtension} where this module is built ({@code ops/bin/jrl} puts its jar on the
 * class path when it exists). Each command prints its figures as JSON; the README's Figures section quotes them.
 *
 * <ul>
 *   <li>{@link io.jrlstream.bench.BenchCommand}: the {@code jrl bench} group; the old top-level names
 *       ({@code jrl bench-stream}, …, {@code jrl load}) stay as hidden aliases.</li>
 *   <li>{@code stream} ({@link io.jrlstream.bench.StreamBenchCommand}): the streaming trainer through a real broker
 *       against the offline one-pass of the same code; freshness, memory, restart (DESIGN.md §2).</li>
 *   <li>{@code serve} ({@link io.jrlstream.bench.ServeBenchCommand}, {@link io.jrlstream.bench.ServeFreshness}):
 *       serving latency in process, over HTTP from a load-client JVM, at 1M items, HNSW; freshness seen by a
 *       client.</li>
 *   <li>{@code image} ({@link io.jrlstream.bench.ImageBenchCommand}): the image path against a bare ONNX Runtime
 *       session.</li>
 *   <li>{@code replay} ({@link io.jrlstream.bench.ReplayBenchCommand}): backfill against live training.</li>
 *   <li>{@code view} ({@link io.jrlstream.bench.ViewBenchCommand}): one view's offline training throughput.</li>
 *   <li>{@code load} ({@link io.jrlstream.bench.LoadCommand}, {@link io.jrlstream.bench.serve.LoadClient}): an HTTP
 *       load client for the serving API.</li>
 *   <li>{@code jmh} ({@link io.jrlstream.bench.JmhCommand}, package {@link io.jrlstream.bench.jmh}): kernel
 *       micro-benchmarks.</li>
 * </ul>
 *
 * <p>Subpackages: {@code kafka} (the benchmarks' broker, in process or in a child JVM), {@code serve} (the load
 * client), {@code jmh}. The crash-test harnesses they share with {@code ops}' tests ({@code ChildJvm}) come from the
 * {@code ops} test jar.
 */
package io.jrlstream.bench;
