/**
 * Evaluation of top-N recommendation (JRL paper §5.3; DESIGN.md §1 "Evaluation"): the
 * {@link io.jrlstream.core.eval.Scorer} contract every model implements, allocation-free top-k selection
 * ({@link io.jrlstream.core.eval.TopN}), the paper's offline protocol and metrics
 * ({@link io.jrlstream.core.eval.Evaluator}, {@link io.jrlstream.core.eval.Metrics}) and the popularity
 * baseline ({@link io.jrlstream.core.eval.PopularityScorer}); and live, prequential measurement as a model trains
 * ({@link io.jrlstream.core.eval.PrequentialMeter} over a {@link io.jrlstream.core.eval.RankSource}: a view's live
 * vectors, or popularity so far).
 */
package io.jrlstream.core.eval;
