package io.jrlstream.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.param.Param;
import io.jrlstream.core.param.Table;
import io.jrlstream.core.view.AbstractView;
import io.jrlstream.core.view.ImageView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.RatingView;
import io.jrlstream.core.view.review.ReviewView;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DESIGN.md §1 "Optimisation": the same input, seed and configuration give bit-identical embeddings, for
 * every view, whatever the thread count; eJRL views are independent of each other; another seed gives other
 * embeddings. Also for the JRL objective.
 */
class OfflineTrainerDeterminismTest {
  private static final int F = 16;
  private static Dataset data;
  private static ModelConfig model;

  @BeforeAll
  static void data() {
    data = SyntheticData.generate(new SyntheticSpec(60, 40, 4, 8, F, 8), 3);
    model = ModelConfig.defaults()
        .mapViews(c -> c.withDim(8).withEpochs(2))
        .withRating(new RatingView.Settings(1.0, 8))
        .withImage(new ImageView.Settings(1e-2, F, 2))
        .withSeed(11);
  }

  private static OfflineTrainer.Options options(long seed, int threads) {
    return new OfflineTrainer.Options(seed, 16, Objective.EJRL, threads, 2);
  }

  private static List<View> train(ModelConfig m, OfflineTrainer.Options o, List<String> names) {
    List<View> views = new ArrayList<>();
    for (String n : names) {
      views.add(ViewFactory.create(n, m, data));
    }
    new OfflineTrainer(o, TrainListener.NONE).train(views, data.interactions(), data.userCount(), data.itemCount());
    return views;
  }

  /** Asserts every row of every parameter table of a and b is bit-identical. */
  private static void assertIdentical(View a, View b) {
    List<Param> pa = ((AbstractView) a).params();
    List<Param> pb = ((AbstractView) b).params();
    assertEquals(pa.size(), pb.size(), a.name());
    for (int i = 0; i < pa.size(); i++) {
      Table ta = pa.get(i).value();
      Table tb = pb.get(i).value();
      assertEquals(ta.name(), tb.name());
      assertEquals(ta.size(), tb.size(), ta.name() + " rows");
      for (int r = 0; r < ta.size(); r++) {
        assertTrue(Arrays.equals(ta.row(r), tb.row(r)), ta.name() + " row " + r + " differs");
      }
    }
    assertEquals(((AbstractView) a).optimizer().steps(), ((AbstractView) b).optimizer().steps());
  }

  private static boolean identical(View a, View b) {
    List<Param> pa = ((AbstractView) a).params();
    List<Param> pb = ((AbstractView) b).params();
    for (int i = 0; i < pa.size(); i++) {
      Table ta = pa.get(i).value();
      Table tb = pb.get(i).value();
      if (ta.size() != tb.size()) {
        return false;
      }
      for (int r = 0; r < ta.size(); r++) {
        if (!Arrays.equals(ta.row(r), tb.row(r))) {
          return false;
        }
      }
    }
    return true;
  }

  /** The users table moved away from its initial values (training did something). */
  private static void assertTrained(View trained) {
    View fresh = ViewFactory.create(trained.name(), model, data);
    fresh.reserve(data.userCount(), data.itemCount());
    boolean moved = false;
    for (int u = 0; u < data.userCount() && !moved; u++) {
      moved = !Arrays.equals(fresh.users().row(u), trained.users().row(u));
    }
    assertTrue(moved, trained.name() + " did not train");
  }

  @Test
  void shouldGiveBitIdenticalEmbeddingsForEveryViewAndThreadCount() {
    assertTrue(data.hasFeatures() && data.hasReviews() && data.hasStars());
    List<View> one = train(model, options(5, 1), ModelConfig.VIEW_NAMES);
    List<View> again = train(model, options(5, 1), ModelConfig.VIEW_NAMES);
    List<View> four = train(model, options(5, 4), ModelConfig.VIEW_NAMES);
    assertEquals(4, one.size());
    for (int k = 0; k < one.size(); k++) {
      assertTrained(one.get(k));
      assertIdentical(one.get(k), again.get(k));
      assertIdentical(one.get(k), four.get(k));
    }
  }

  @Test
  void shouldBeBitIdenticalWithBatchWordUpdatesToo() {
    ModelConfig batch = model.withReview(ReviewView.Settings.defaults().withWordUpdates(ReviewView.WordUpdates.BATCH));
    List<String> review = List.of(ReviewView.NAME);
    View a = train(batch, options(5, 1), review).get(0);
    assertTrained(a);
    assertIdentical(a, train(batch, options(5, 4), review).get(0));
    assertFalse(identical(a, train(model, options(5, 1), review).get(0)), "BATCH and IMMEDIATE trained alike");
  }

  @Test
  void shouldTrainEachEjrlViewIndependentlyOfTheOthers() {
    List<View> all = train(model, options(5, 4), ModelConfig.VIEW_NAMES);
    for (int k = 0; k < all.size(); k++) {
      List<View> alone = train(model, options(5, 1), List.of(ModelConfig.VIEW_NAMES.get(k)));
      assertIdentical(all.get(k), alone.get(0));
    }
  }

  @Test
  void shouldGiveOtherEmbeddingsForAnotherSeed() {
    List<View> base = train(model, options(5, 2), ModelConfig.VIEW_NAMES);
    List<View> otherTrainerSeed = train(model, options(6, 2), ModelConfig.VIEW_NAMES);
    List<View> otherModelSeed = train(model.withSeed(12), options(5, 2), ModelConfig.VIEW_NAMES);
    for (int k = 0; k < base.size(); k++) {
      assertFalse(identical(base.get(k), otherTrainerSeed.get(k)), base.get(k).name() + ": trainer seed ignored");
      assertFalse(identical(base.get(k), otherModelSeed.get(k)), base.get(k).name() + ": model seed ignored");
    }
  }

  @Test
  void shouldBeDeterministicForTheJrlObjective() {
    OfflineTrainer.Options jrl = options(5, 1).withObjective(Objective.JRL);
    List<View> a = train(model, jrl, ModelConfig.VIEW_NAMES);
    List<View> b = train(model, jrl.withThreads(4), ModelConfig.VIEW_NAMES);
    List<View> c = train(model, options(6, 1).withObjective(Objective.JRL), ModelConfig.VIEW_NAMES);
    for (int k = 0; k < a.size(); k++) {
      assertTrained(a.get(k));
      assertIdentical(a.get(k), b.get(k));
      assertFalse(identical(a.get(k), c.get(k)), a.get(k).name() + ": JRL ignores the seed");
    }
    // JRL couples the views: its embeddings are not eJRL's.
    List<View> ejrl = train(model, options(5, 1), ModelConfig.VIEW_NAMES);
    assertFalse(identical(a.get(0), ejrl.get(0)), "JRL trained like eJRL");
  }
}
