package io.jrlstream.core.eval;

import io.jrlstream.core.math.Vectors;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.view.View;

/**
 * One view's score u_k · v_k (DESIGN.md §1 "Score") read straight from its live user and item tables, as
 * {@link io.jrlstream.core.rank.EjrlModel} and serving compute it; whatever the rows hold (bias components
 * included) is in the dot product. A user without a row is a user the view never trained on.
 *
 * <p>Reads the tables the trainer writes: call it on the training thread between mini-batches (the streaming
 * trainer and the prequential protocol do). Allocates nothing.
 */
public final class ViewRankSource implements RankSource {
  private final View view;
  private Table items;
  private float[] user;
  private int dim;

  public ViewRankSource(View view) {
    this.view = view;
    this.items = view.items();
  }

  @Override
  public boolean prepare(int u) {
    // Asked again per event: a view may swap its tables when it is restored.
    Table users = view.users();
    items = view.items();
    if (u < 0 || u >= users.size()) {
      user = null;
      return false;
    }
    user = users.row(u);
    dim = user.length;
    return true;
  }

  @Override
  public int itemLimit() {
    return items.size();
  }

  @Override
  public float score(int item) {
    return Vectors.dot(user, 0, items.row(item), 0, dim);
  }
}
