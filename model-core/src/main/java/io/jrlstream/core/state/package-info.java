/**
 * A trainer's state as numbered rows that a checkpoint stores and a restore loads (DESIGN.md §2 "Training state":
 * "a restart reads the latest checkpoint (rows, optimiser state, and the structure: id indices, vocabulary,
 * sampler, windows, reservoirs) and only the events after it"). {@link io.jrlstream.core.state.StateBlock} is the
 * contract: rows that exist, which changed since the last checkpoint, and each row's bytes;
 * {@link io.jrlstream.core.state.DirtyRows} tracks changed rows without allocating;
 * {@link io.jrlstream.core.state.StateWriter} and {@link io.jrlstream.core.state.StateReader} encode rows. Nothing
 * here knows where rows are stored: the streams module keeps them in a Kafka Streams state store.
 */
package io.jrlstream.core.state;
