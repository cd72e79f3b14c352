/**
 * The serving HTTP API (DESIGN.md §2 "Serving", issue 4; documented in {@code openapi.yaml}): the JDK's
 * {@code com.sun.net.httpserver} with a bounded worker pool, routes declared in one place
 * ({@link io.jrlstream.ops.serve.ServeServer}), errors mapped to status codes in one place, optional bearer
 * token; forwarding to the owning instance over HTTP ({@link io.jrlstream.ops.serve.HttpRemoteQueries}); and the
 * wiring of the serving Kafka Streams application with its server ({@link io.jrlstream.ops.serve.Serving}), which
 * serves each view's active version of {@code jrl.view-versions} and switches when it changes (issue 6;
 * {@link io.jrlstream.ops.serve.VersionLoad} says when a switched version is loaded). Its keys
 * ({@code jrl.serve.http.*}) are declared in {@link io.jrlstream.ops.serve.HttpKeys} and read into
 * {@link io.jrlstream.ops.serve.HttpSettings}.
 */
package io.jrlstream.ops.serve;
