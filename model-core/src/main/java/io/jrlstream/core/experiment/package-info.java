/** The paper's offline protocol over seeds, with eJRL weights chosen on a validation split carved from training data. */
package io.jrlstream.core.experiment;
