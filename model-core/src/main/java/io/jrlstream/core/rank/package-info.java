/** eJRL scoring: weighted sum of per-view dot products over all items. */
package io.jrlstream.core.rank;
