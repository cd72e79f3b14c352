/**
 * The HTTP load client for the serving API ({@link io.jrlstream.bench.serve.LoadClient}; {@code jrl bench load},
 * and the load-client JVM of {@code jrl bench serve}): closed-loop keep-alive HTTP/1.1 over its own sockets.
 */
package io.jrlstream.bench.serve;
