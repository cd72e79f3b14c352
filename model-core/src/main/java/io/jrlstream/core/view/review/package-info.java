/**
 * The review view in a room of its own (paper §3.2.1, DESIGN.md §1 "review view"): {@link
 * io.jrlstream.core.view.review.ReviewView} (PV-DBOW over review texts linked to their user and item, its settings,
 * the word step and the review window) and the {@link io.jrlstream.core.view.review.Vocabulary} it keeps (counts,
 * subsampling, the noise table, evictions past its cap). Tokenising stays with the data readers and the stream's
 * content ({@code core.data.Lexicon}), which the review view reads through {@link io.jrlstream.core.data.Content}.
 */
package io.jrlstream.core.view.review;
