/** Optimisers (SGD, AdaGrad, lazy Adam) with global-norm clipping, applied to touched rows only (paper §5.2). */
package io.jrlstream.core.optim;
