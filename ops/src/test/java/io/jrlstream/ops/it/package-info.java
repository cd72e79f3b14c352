/**
 * Tests against a real broker: a single-node KRaft {@code LocalBroker} started by each test, the trainer
 * application in-process or in a child JVM that is halted mid-stream, and model-core's one-pass trainer as the
 * bit-for-bit reference (issue 3, "Tests against a real broker").
 */
package io.jrlstream.ops.it;
