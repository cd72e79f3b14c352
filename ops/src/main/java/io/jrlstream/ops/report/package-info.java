/**
 * Reports that {@code jrl} writes for people to look at: the prequential quality report of {@code jrl evaluate}
 * (HTML with inline SVG plots and PNG copies; DESIGN.md §1 "Evaluation").
 */
package io.jrlstream.ops.report;
