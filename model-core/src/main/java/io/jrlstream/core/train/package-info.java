/** The offline trainer (eJRL per view in parallel, or JRL jointly) and the negative sampler. */
package io.jrlstream.core.train;
