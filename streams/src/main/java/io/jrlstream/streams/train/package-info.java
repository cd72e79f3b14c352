/**
 * Training each view from the validated topic (DESIGN.md §2 "Training state", "Parallelism" phase 1).
 *
 * <p>The rooms: {@link io.jrlstream.streams.train.TrainingTopology} builds a view's sub-topology (pure functions);
 * {@link io.jrlstream.streams.train.TrainingProcessor} is the thin processor on it (process a record, train, publish
 * changed vectors, pace checkpoints); {@link io.jrlstream.streams.train.CheckpointStore} owns the state store's key
 * layout, generations and spread writes; {@link io.jrlstream.streams.train.TrainerRestorer} rebuilds a trainer when its
 * task starts, from its checkpoint and the events after it; {@link io.jrlstream.streams.train.ViewInput} turns
 * validated records into the view's interactions;
 * {@link io.jrlstream.streams.train.StreamContent} holds the ids and contents a view has seen;
 * {@link io.jrlstream.streams.train.EventHistory} re-reads the input;
 * {@link io.jrlstream.streams.train.TrainingObserver} is told of restores and checkpoints (metrics and benchmarks, no
 * static counters). The model itself is
 * {@code model-core}'s {@link io.jrlstream.core.train.StreamingTrainer}. Configuration:
 * {@link io.jrlstream.streams.train.TrainingKeys} declares the trainers' keys, read into
 * {@link io.jrlstream.streams.train.TrainingOptions} and {@link io.jrlstream.streams.train.RocksDbBounds} (the bound
 * {@link io.jrlstream.streams.train.BoundedRocksDbConfig} applies).
 */
package io.jrlstream.streams.train;
