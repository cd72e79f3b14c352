/** Trainable parameters: growable row tables, sparse per-batch gradients, per-row optimiser state. */
package io.jrlstream.core.param;
