/**
 * A view trained as N Kafka Streams tasks (issue 16 part 3; docs/scaling.md): {@link
 * io.jrlstream.streams.shard.ShardedTopology} routes the validated topic by user into N partitions ({@link
 * io.jrlstream.streams.shard.ShardRouter}) and trains each partition in its own task ({@link
 * io.jrlstream.streams.shard.ShardedTrainingProcessor}), the tasks exchanging their shared rows' round deltas through a
 * co-partitioned update topic. The round protocol itself is model-core's ({@code io.jrlstream.core.shard.ShardTask}).
 */
package io.jrlstream.streams.shard;
