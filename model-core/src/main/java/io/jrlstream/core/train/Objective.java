package io.jrlstream.core.train;

/** Which objective the offline trainer optimises (DESIGN.md §1 "Score"). */
public enum Objective {
  /** Separable eJRL: each view has its own ranking term and trains independently (paper §4). */
  EJRL,
  /** Non-separable JRL: one ranking term on the sum of the views' scores (paper §3.5). */
  JRL
}
