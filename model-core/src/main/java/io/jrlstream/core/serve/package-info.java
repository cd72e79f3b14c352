/**
 * The serving core (DESIGN.md §2 "Serving", issue 4), with no Kafka in sight: everything that turns item and
 * user vectors into an answer, beside the kernels ({@link io.jrlstream.core.math.Vectors}) and the selection
 * ({@link io.jrlstream.core.eval.TopN}) it shares with offline evaluation.
 *
 * <p>Pieces: {@link io.jrlstream.core.serve.ItemIndex} (dense per-view item rows and their 8-bit copies,
 * exact top-N of s(u, v) = Σ_k w_k·(u_k·v_k) by the scan {@link io.jrlstream.core.rank.EjrlModel} evaluates
 * with offline); {@link io.jrlstream.core.serve.Recommender} (a user's answer:
 * exclusions, per-view contributions, the popular fallback from {@link io.jrlstream.core.serve.Popularity};
 * similar items); the query ({@link io.jrlstream.core.serve.Query}, validated against
 * {@link io.jrlstream.core.serve.QuerySettings}); the answers ({@link io.jrlstream.core.serve.Recommendations},
 * {@link io.jrlstream.core.serve.SimilarItems}) and what is known of a user
 * ({@link io.jrlstream.core.serve.UserProfile}); the query-service interface the HTTP layer calls
 * ({@link io.jrlstream.core.serve.QueryService}) with its in-process implementation
 * ({@link io.jrlstream.core.serve.LocalQueryService}, for tests, benchmarks and tools); and the errors, one
 * {@link io.jrlstream.core.serve.ServeException} subtype per answer a client gets.
 *
 * <p>The streams module feeds it (the serving topology materialises the embedding topics into an
 * {@code ItemIndex} and user stores) and implements the distributed query service; ops serves it over HTTP.
 */
package io.jrlstream.core.serve;
