package io.jrlstream.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Split;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.eval.Evaluator;
import io.jrlstream.core.eval.Metrics;
import io.jrlstream.core.eval.PopularityScorer;
import io.jrlstream.core.rank.EjrlModel;
import io.jrlstream.core.view.CollaborativeView;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The collaborative view (BPR-MF, DESIGN.md §1) learns the planted clusters of {@link SyntheticData}: with
 * the documented defaults it ranks held-out items clearly better than popularity (paper §5.3 protocol).
 */
class CollaborativeLearningTest {
  @Test
  void shouldBeatPopularityOnPlantedClusters() {
    Dataset ds = SyntheticData.generate(SyntheticSpec.defaults().withWordsPerReview(0), 17);
    Split split = Split.perUser(ds.interactions(), 0.7, 17);
    ModelConfig m = ModelConfig.defaults();
    View view = ViewFactory.create(CollaborativeView.NAME, m, ds);
    new OfflineTrainer(OfflineTrainer.Options.defaults(3).withThreads(1), TrainListener.NONE)
        .train(List.of(view), split.train(), ds.userCount(), ds.itemCount());

    Metrics model = Evaluator.evaluate(new EjrlModel(List.of(view), new double[] {1}, ds.itemCount()),
        split.train(), split.test(), ds.itemCount(), 10, 2);
    Metrics popularity = Evaluator.evaluate(new PopularityScorer(split.train(), ds.itemCount()),
        split.train(), split.test(), ds.itemCount(), 10, 2);
    assertTrue(model.ndcg() > 2 * popularity.ndcg() && model.ndcg() > popularity.ndcg() + 0.1,
        "collaborative NDCG@10 " + model.ndcg() + " vs popularity " + popularity.ndcg());
  }
}
