/**
 * eJRL scoring: the weighted sum of per-view dot products over all items, computed with the row-block scan of
 * {@link io.jrlstream.core.math.Vectors} that serving's index ({@link io.jrlstream.core.serve.ItemIndex}) runs too.
 */
package io.jrlstream.core.rank;
