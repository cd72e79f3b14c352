/**
 * A view trained as several tasks (issue 16; docs/scaling.md): events partitioned by user, each task training its
 * own replica of the view, shared rows (items, words, dense weights) merged deterministically every s mini-batches
 * with a bounded lag. {@link io.jrlstream.core.shard.ShardedTrainer} simulates it on one thread over a stream, so that
 * quality against the number of tasks and the sync interval is measured before the Kafka version is built.
 */
package io.jrlstream.core.shard;
