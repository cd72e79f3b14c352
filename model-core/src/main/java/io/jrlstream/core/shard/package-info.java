/**
 * A view trained as several tasks (issue 16; docs/scaling.md): events partitioned by user, each task training its
 * own replica of the view, shared rows (items, words, dense weights) merged deterministically every s mini-batches
 * with a bounded lag. {@link io.jrlstream.core.shard.ShardedTrainer} simulates it on one thread over a stream, so that
 * quality against the number of tasks and the sync interval is measured before the Kafka version is built.
 * {@link io.jrlstream.core.shard.ShardTask} is one task's steps (train, close a round, merge, end an epoch), which
 * the simulator and the Kafka processor both drive; {@link io.jrlstream.core.shard.ShardInbox} holds what reached
 * one task, and {@link io.jrlstream.core.shard.DeltaCodec} is the wire format of what the tasks send each other.
 */
package io.jrlstream.core.shard;
