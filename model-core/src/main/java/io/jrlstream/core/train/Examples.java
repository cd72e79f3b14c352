package io.jrlstream.core.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.view.RankingLoss;
import io.jrlstream.core.view.View;

/** The per-interaction step of eJRL shared by the offline and the streaming trainer. */
final class Examples {
  private Examples() {}

  /**
   * Adds one interaction's terms to the view's batch gradient: the view's own terms, then the ranking term
   * against a negative drawn from {@code sampler} — in that order, since both draw from {@code rng}. A draw
   * that finds no item the user has not seen (the sampler gives up after its tries) skips the ranking term.
   *
   * @return w × the loss of the terms added
   */
  static double add(View view, Interaction x, NegativeSampler sampler, Rng rng, float w) {
    return view.addContentGradient(x, rng, w) + ranking(view, x, sampler, rng, w, true);
  }

  /**
   * As {@link #add} for an interaction replayed from the past: the view's replay terms, then the ranking term. No
   * loss is computed: a trainer reports its new events' loss only, and the ranking loss's logarithm was a sixth of
   * a replaying trainer's time (the gradient needs only the sigmoid).
   */
  static void addReplayed(View view, Interaction x, NegativeSampler sampler, Rng rng, float w) {
    view.addReplayGradient(x, rng, w);
    ranking(view, x, sampler, rng, w, false);
  }

  private static double ranking(View view, Interaction x, NegativeSampler sampler, Rng rng, float w,
      boolean withLoss) {
    int neg = sampler.sample(x.user(), rng);
    if (neg < 0 || neg == x.item()) {
      return 0;
    }
    RankingLoss rl = view.config().rankingLoss();
    double d = view.score(x.user(), x.item()) - view.score(x.user(), neg);
    double other = view.addRankingGradient(x.user(), x.item(), neg, (float) (w * rl.derivative(d)), w);
    return withLoss ? w * rl.loss(d) + other : 0;
  }
}
