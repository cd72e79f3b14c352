/**
 * Evaluation protocols over seeds (DESIGN.md §1 "Evaluation"): the paper's offline protocol and the same split
 * trained as a stream ({@link io.jrlstream.core.experiment.Experiment}, eJRL weights chosen on a validation split
 * carved from training data), and the prequential test-then-train protocol over the whole stream
 * ({@link io.jrlstream.core.experiment.Prequential}, eJRL weights chosen from past windows).
 */
package io.jrlstream.core.experiment;
