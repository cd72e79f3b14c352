/**
 * Kafka plumbing for the command line and the tests against a real broker (DESIGN.md §2, "ops").
 *
 * <ul>
 *   <li>{@link io.jrlstream.ops.kafka.LocalBroker}: a real single-node KRaft broker and controller
 *       running in this JVM, with its data under a working directory that is reused on restart; used
 *       by {@code jrl local} and by integration tests.</li>
 *   <li>{@link io.jrlstream.ops.kafka.TopicAdmin} (with {@link io.jrlstream.streams.config.TopicSpec}):
 *       create the topics an application needs when absent and name every existing one whose
 *       settings differ from the configuration.</li>
 * </ul>
 *
 * <p>The test sources of this package hold {@code ChildJvm} (a main class in a separate JVM that can be halted
 * without a clean close, for crash tests; the benchmark module's broker in a child JVM uses it too, through the
 * {@code ops} test jar).
 *
 * <p>Failures are reported as {@link io.jrlstream.ops.kafka.KafkaOpsException} (unchecked) or one
 * of its subclasses.
 */
package io.jrlstream.ops.kafka;
