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
 */
public abstract class AbstractView implements View {
  private final String name;
  protected final ViewConfig config;
  protected final long seed;
  protected final Param users;
  protected final Param items;
  private final List<Param> params = new ArrayList<>();
  private final Optimizer optimizer;

  protected AbstractView(String name, ViewConfig config, long seed) {
    this.name = name;
    this.config = config;
    this.seed = Rng.mix(seed, Rng.hash(name));
    float s = (float) config.initScale();
    this.users = register(new Table(name + ".users", config.dim(), Table.Init.NORMAL, s, this.seed));
    this.items = register(new Table(name + ".items", config.dim(), Table.Init.NORMAL, s, this.seed));
    this.optimizer = new Optimizer(config.optimizer(), config.clipNorm());
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
    double l2 = config.l2();
    if (l2 == 0) {
      return 0;
    }
    float c = (float) (2 * l2 * weight);
    Vectors.axpy(c, u, 0, gu, 0, k);
    Vectors.axpy(c, vp, 0, gp, 0, k);
    Vectors.axpy(c, vn, 0, gn, 0, k);
    return weight * l2 * (Vectors.squaredNorm(u, 0, k) + Vectors.squaredNorm(vp, 0, k) + Vectors.squaredNorm(vn, 0, k));
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
