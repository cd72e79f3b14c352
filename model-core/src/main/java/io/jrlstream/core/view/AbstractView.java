package io.jrlstream.core.view;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.math.Rng;
import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.optim.Optimizer;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.Table;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What every view shares: user and item tables, the ranking term with its L2 penalty (paper §4.2,
 * DESIGN.md "Collaborative view and regularisation"), and the batch update through its own
 * {@link Optimizer}. Subclasses add their parameters with {@link #register} and implement their own
 * terms. Not thread-safe (see {@link View}).
 *
 * <p>With {@link ViewConfig#bias()} the user and item rows have K + 1 components: the last is a constant 1 in user
 * rows (its gradient is always zero, so no optimiser moves it, and L2 skips it) and the item's bias b_v in item
 * rows, so every score u·v includes b_v and popularity is learned by the ranking term itself (DESIGN.md §2
 * "Learning from a stream"). User vectors then start at zero, so a new user is ranked by the biases alone. The
 * view's own terms (words, links, rating, decoder) read only the first K.
 *
 * <p>The view trains with its offline settings (optimiser, learning rate, L2) until {@link #startStream} switches
 * it to its {@link StreamSettings}.
 */
public abstract class AbstractView implements View {
  private final String name;
  protected final ViewConfig config;
  protected final long seed;
  protected final Param users;
  protected final Param items;
  private final List<Param> params = new ArrayList<>();
  private Optimizer optimizer;
  /** L2 of the ranking term and base learning rate of the settings in use (offline, or the stream's). */
  private double l2;
  private double baseLearningRate;

  protected AbstractView(String name, ViewConfig config, long seed) {
    this.name = name;
    this.config = config;
    this.seed = Rng.mix(seed, Rng.hash(name));
    float s = (float) config.initScale();
    int k = config.dim();
    // With a bias, user vectors start at zero: a user without history is ranked by the item biases (popularity)
    // rather than by random noise. Item vectors still start random, which breaks the symmetry.
    Table.Init userInit = config.bias() ? Table.Init.ZERO : Table.Init.NORMAL;
    this.users = register(new Table(name + ".users", config.width(), userInit, s, this.seed, k, 1f));
    this.items = register(new Table(name + ".items", config.width(), Table.Init.NORMAL, s, this.seed, k, 0f));
    this.optimizer = new Optimizer(config.optimizer(), config.clipNorm());
    this.l2 = config.l2();
    this.baseLearningRate = config.learningRate();
  }

  @Override
  public void startStream() {
    if (optimizer.steps() > 0) {
      throw new IllegalStateException("view " + name + " has trained " + optimizer.steps()
          + " steps with its offline settings: switch to the stream settings before training");
    }
    StreamSettings st = config.stream();
    optimizer = new Optimizer(st.optimizer(), config.clipNorm());
    l2 = st.l2();
    baseLearningRate = st.learningRate();
  }

  /** The base learning rate of the settings in use (offline lr0, or the stream's after {@link #startStream}). */
  protected final double baseLearningRate() {
    return baseLearningRate;
  }

  /** Adds a parameter block to those the optimiser updates; returns it. */
  protected final Param register(Table t) {
    Param p = new Param(t);
    params.add(p);
    return p;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final ViewConfig config() {
    return config;
  }

  /** All parameter blocks, in registration order (for state export and tests). */
  @Override
  public final List<Param> params() {
    return Collections.unmodifiableList(params);
  }

  /** The optimiser (its step count is part of the view's state). */
  @Override
  public final Optimizer optimizer() {
    return optimizer;
  }

  @Override
  public void reserve(int userCount, int itemCount) {
    users.value().ensure(userCount);
    items.value().ensure(itemCount);
  }

  @Override
  public void observe(Interaction x) {
    users.value().ensure(x.user() + 1);
    items.value().ensure(x.item() + 1);
  }

  @Override
  public double addContentGradient(Interaction x, Rng rng, float weight) {
    return 0;
  }

  @Override
  public final double addReplayGradient(Interaction x, Rng rng, float weight) {
    return config.stream().replayContent() ? addReplayContent(x, rng, weight) : 0;
  }

  /**
   * The view's own terms for a replayed interaction when {@link StreamSettings#replayContent()} is on: by default
   * all of them ({@link #addContentGradient}); a view whose terms need data that may be gone overrides it.
   */
  protected double addReplayContent(Interaction x, Rng rng, float weight) {
    return addContentGradient(x, rng, weight);
  }

  @Override
  public final float score(int user, int item) {
    return Vectors.dot(users.value().row(user), items.value().row(item));
  }

  @Override
  public final double addRankingGradient(int user, int pos, int neg, float coef, float weight) {
    int k = config.dim();
    float[] u = users.value().row(user);
    float[] vp = items.value().row(pos);
    float[] vn = items.value().row(neg);
    float[] gu = users.gradRow(user);
    float[] gp = items.gradRow(pos);
    float[] gn = items.gradRow(neg);
    // d = u·(v+ − v−): ∂d/∂u = v+ − v−, ∂d/∂v+ = u, ∂d/∂v− = −u.
    Vectors.axpy(coef, vp, 0, gu, 0, k);
    Vectors.axpy(-coef, vn, 0, gu, 0, k);
    Vectors.axpy(coef, u, 0, gp, 0, k);
    Vectors.axpy(-coef, u, 0, gn, 0, k);
    // The bias column: the user's constant 1 gets no gradient (and no L2), the items' biases get ±coef.
    int w = config.width();
    if (w > k) {
      gp[k] += coef * u[k];
      gn[k] -= coef * u[k];
    }
    if (l2 == 0) {
      return 0;
    }
    float c = (float) (2 * l2 * weight);
    Vectors.axpy(c, u, 0, gu, 0, k);
    Vectors.axpy(c, vp, 0, gp, 0, w);
    Vectors.axpy(c, vn, 0, gn, 0, w);
    // The penalty is only reported; the SIMD dot keeps its cost small next to the gradient's.
    return weight * l2 * ((double) Vectors.dot(u, 0, u, 0, k) + Vectors.dot(vp, 0, vp, 0, w) + Vectors.dot(vn, 0, vn,
        0, w));
  }

  @Override
  public final double applyBatch(float learningRate) {
    return optimizer.step(params, learningRate);
  }

  @Override
  public final Table users() {
    return users.value();
  }

  @Override
  public final Table items() {
    return items.value();
  }
}
