package io.jrlstream.core.view;

import io.jrlstream.core.data.Interaction;

/**
 * The plain collaborative view (DESIGN.md §1): user and item vectors trained by the ranking term with L2
 * and nothing else. Trained alone it is BPR-MF, the paper's "BPR" baseline; inside eJRL it is the fourth
 * view (the authors' code used pre-trained BPR factors as its rating view).
 */
public final class CollaborativeView extends AbstractView {
  public static final String NAME = "collaborative";

  public CollaborativeView(ViewConfig config, long seed) {
    super(NAME, config, seed);
  }

  @Override
  public boolean accepts(Interaction x) {
    return true;
  }
}
