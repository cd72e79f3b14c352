/**
 * Offline evaluation of top-N recommendation (JRL paper §5.3; DESIGN.md §1 "Evaluation"): the
 * {@link io.jrlstream.core.eval.Scorer} contract every model implements, allocation-free top-k selection
 * ({@link io.jrlstream.core.eval.TopN}), the paper's protocol and metrics
 * ({@link io.jrlstream.core.eval.Evaluator}, {@link io.jrlstream.core.eval.Metrics}) and the popularity
 * baseline ({@link io.jrlstream.core.eval.PopularityScorer}).
 */
package io.jrlstream.core.eval;
