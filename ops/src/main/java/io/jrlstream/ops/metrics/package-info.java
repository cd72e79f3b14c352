/**
 * The instance's metrics (issue 14): a Micrometer registry in Prometheus' format at {@code GET /metrics} (on the
 * serving port, or the metrics port with {@code --no-serve}), with Kafka Streams', the JVM's and the project's own
 * {@code jrl.*} meters; {@code docs/operations.md} describes each one.
 */
package io.jrlstream.ops.metrics;
