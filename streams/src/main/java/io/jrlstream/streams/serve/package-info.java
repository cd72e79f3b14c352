/**
 * Serving on Kafka Streams (DESIGN.md §2 "Serving", issue 4): the topology that materialises the embedding
 * topics into model-core's serving core ({@link io.jrlstream.core.serve}: the scoring index, the recommender,
 * the query and answer types), and the query service that answers from this instance's stores or forwards to
 * the instance that owns the user.
 *
 * <p>Pieces: {@link io.jrlstream.streams.serve.ViewTopics} (the one place that maps a served view to its
 * embedding topic, i.e. its active version, and store names), {@link io.jrlstream.streams.serve.ServeTopology}
 * (pure topology function) with its processors (item vectors into the index, user vectors and interactions into
 * partitioned stores, the interaction list format {@code ItemIdList}), {@link io.jrlstream.streams.serve.ServeSettings}
 * (the {@code jrl.serve.*} keys of {@link io.jrlstream.streams.serve.ServeKeys}), {@link
 * io.jrlstream.streams.serve.StreamsQueryService} (stores, ownership and
 * forwarding via {@code queryMetadataForKey}) over {@link io.jrlstream.streams.serve.RemoteQueries}, and
 * {@link io.jrlstream.streams.serve.HnswIndex} (the approximate option, here because it needs Lucene). Nothing
 * here creates a {@code KafkaStreams} or an HTTP server: the ops module does.
 */
package io.jrlstream.streams.serve;
