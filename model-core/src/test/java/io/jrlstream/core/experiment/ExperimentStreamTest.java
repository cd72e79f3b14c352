package io.jrlstream.core.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.data.Split;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.view.ModelConfig;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ExperimentStreamTest {
  private static final Experiment.Progress QUIET = Experiment.Progress.NONE;

  private static final ModelConfig SMALL = ModelConfig.defaults().mapViews(v -> v.withDim(8).withEpochs(2));

  private static Experiment experiment(Dataset d) {
    return new Experiment(d, SMALL, Experiment.Options.defaults().withThreads(2).withJrlEpochs(2), QUIET);
  }

  @Test
  void shouldRunBothProtocolsOnTheSameSplitAndLeaveJrlOffline() {
    Dataset d = SyntheticData.generate(SyntheticSpec.defaults().withUsers(80).withWordsPerReview(4), 2);
    List<Experiment.Run> runs = experiment(d).run(List.of("pop", "bpr", "ejrl", "jrl"), List.of(1L),
        List.of(Experiment.Protocol.OFFLINE, Experiment.Protocol.STREAM));
    Map<Experiment.Protocol, List<String>> models = runs.stream().collect(Collectors.groupingBy(
        Experiment.Run::protocol, Collectors.mapping(Experiment.Run::model, Collectors.toList())));
    assertEquals(List.of("pop", "bpr", "ejrl", "jrl"), models.get(Experiment.Protocol.OFFLINE));
    assertEquals(List.of("pop", "bpr", "ejrl"), models.get(Experiment.Protocol.STREAM));
    // Popularity does not train: the same split gives the same figure under both protocols.
    assertEquals(runs.get(0).metrics(), runs.get(4).metrics());
    assertTrue(runs.get(6).weights().size() == 3, "stream eJRL weights chosen on its own carve");
    // A one-pass model differs from a two-epoch one.
    assertTrue(runs.get(1).metrics().ndcg() != runs.get(5).metrics().ndcg());
  }

  @Test
  void shouldStreamDeterministically() {
    Dataset d = SyntheticData.generate(SyntheticSpec.defaults().withUsers(60).withWordsPerReview(4), 3);
    List<Experiment.Protocol> stream = List.of(Experiment.Protocol.STREAM);
    List<Experiment.Run> a = experiment(d).run(List.of("bpr", "review", "rating"), List.of(5L), stream);
    List<Experiment.Run> b = experiment(d).run(List.of("bpr", "review", "rating"), List.of(5L), stream);
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).metrics(), b.get(i).metrics(), a.get(i).model());
    }
  }

  @Test
  void shouldRefuseJrlUnderTheStreamProtocolAlone() {
    Dataset d = SyntheticData.generate(SyntheticSpec.defaults().withUsers(20), 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> experiment(d).run(
        List.of("pop", "jrl"), List.of(1L), List.of(Experiment.Protocol.STREAM)));
    assertTrue(e.getMessage().contains("trains only offline"), e.getMessage());
  }

  @Test
  void shouldSplitFirstOccurrencesOnlySoNoTestPairIsInTraining() {
    Dataset.Builder b = new Dataset.Builder("dups");
    for (int u = 0; u < 30; u++) {
      for (int i = 0; i < 8; i++) {
        b.add("u" + u, "i" + ((u + i) % 12), 4f, null, 1000L * u + i);
        b.add("u" + u, "i" + ((u + i) % 12), 4f, null, 1000L * u + i + 500); // a later copy of the same pair
      }
    }
    Dataset d = b.build();
    assertEquals(240, d.repeats());
    List<Experiment.Run> runs = experiment(d).run(List.of("pop"), List.of(1L), List.of(Experiment.Protocol.OFFLINE));
    // Every user keeps 8 distinct pairs: round(0.7 · 8) = 6 train, 2 test.
    assertEquals(30, runs.get(0).metrics().users());
    Split s = Split.perUser(d.firstOccurrences(), 0.7, 1);
    assertEquals(60, s.test().size());
    for (Interaction x : s.test()) {
      assertTrue(s.train().stream().noneMatch(t -> t.user() == x.user() && t.item() == x.item()), x.toString());
    }
  }
}
