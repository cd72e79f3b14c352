/**
 * Serving (DESIGN.md §2 "Serving", issue 4): the serving topology that materialises the embedding topics,
 * the in-memory scoring index, and the query service that answers top-N questions locally or by forwarding
 * to the instance that owns the user.
 *
 * <p>Pieces: {@link io.jrlstream.streams.serve.ViewTopics} (the one place that maps a served view to its
 * embedding topic, i.e. its active version, and store names), {@link io.jrlstream.streams.serve.ServeTopology} (pure topology
 * function), {@link io.jrlstream.streams.serve.ItemIndex} (dense per-view item vectors, exact top-N),
 * {@link io.jrlstream.streams.serve.Recommender} (eJRL scores, exclusions, popular fallback; no Kafka),
 * {@link io.jrlstream.streams.serve.StreamsQueryService} (stores, ownership and forwarding via
 * {@code queryMetadataForKey}). Errors are {@link io.jrlstream.streams.serve.ServeException}s, one subtype per
 * answer a client gets (bad query, not found, not ready, remote failure). Nothing here creates a
 * {@code KafkaStreams} or an HTTP server: the ops module does.
 */
package io.jrlstream.streams.serve;
