package io.jrlstream.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticDataTest {
  private static final SyntheticSpec SPEC = SyntheticSpec.defaults().withFeatureDim(16);

  @Test
  void shouldBeDeterministicForASeed() {
    Dataset a = SyntheticData.generate(SPEC, 99);
    Dataset b = SyntheticData.generate(SPEC, 99);
    assertEquals(a.interactions(), b.interactions());
    assertEquals(a.reviewCount(), b.reviewCount());
    for (int r = 0; r < a.reviewCount(); r++) {
      assertEquals(AmazonReviewReaderTest.words(a, r), AmazonReviewReaderTest.words(b, r));
    }
    for (int v = 0; v < a.itemCount(); v++) {
      assertArrayEquals(a.itemFeatures(v), b.itemFeatures(v));
    }
    assertNotEquals(a.interactions(), SyntheticData.generate(SPEC, 100).interactions());
  }

  @Test
  void shouldHaveTheRequestedShape() {
    Dataset ds = SyntheticData.generate(SPEC, 1);
    assertEquals(500 * 20, ds.interactions().size());
    assertEquals(500, ds.userCount());
    assertEquals(300, ds.itemCount());
    assertEquals(16, ds.featureDim());
    assertEquals(ds.interactions().size(), ds.reviewCount());
    Set<Long> pairs = new HashSet<>();
    long previous = Long.MIN_VALUE;
    for (Interaction x : ds.interactions()) {
      assertTrue(pairs.add((long) x.user() << 32 | x.item()), "items of a user are distinct");
      assertTrue(x.time() > previous, "times increase");
      previous = x.time();
      assertTrue(x.stars() >= 1 && x.stars() <= 5 && x.stars() == Math.rint(x.stars()));
      // One sentiment word plus wordsPerReview words, none split by the tokeniser.
      assertEquals(31, ds.reviewTokens(x.review()).length);
    }
  }

  @Test
  void shouldPlantClusterStructureInInteractionsStarsTextAndFeatures() {
    SyntheticData.Generated g = SyntheticData.generateWithTruth(SPEC, 2);
    Dataset ds = g.dataset();
    int inside = 0;
    double starsIn = 0;
    double starsOut = 0;
    long topicWords = 0;
    long ownTopicWords = 0;
    for (Interaction x : ds.interactions()) {
      int itemCluster = g.itemCluster()[x.item()];
      boolean in = g.userCluster()[x.user()] == itemCluster;
      if (in) {
        inside++;
        starsIn += x.stars();
      } else {
        starsOut += x.stars();
      }
      for (int t : ds.reviewTokens(x.review())) {
        String w = ds.lexicon().word(t);
        if (w.startsWith("topic")) {
          topicWords++;
          String own = SyntheticData.topicWord(itemCluster, 0);
          if (w.startsWith(own.substring(0, own.length() - 1))) { // "topic<cluster>x"
            ownTopicWords++;
          }
        }
      }
    }
    int n = ds.interactions().size();
    double inFraction = (double) inside / n;
    assertTrue(inFraction >= 0.7 && inFraction <= 0.9, "in-cluster fraction " + inFraction);
    double meanIn = starsIn / inside;
    double meanOut = starsOut / (n - inside);
    assertTrue(meanIn - meanOut > 1.2, "stars inside " + meanIn + ", outside " + meanOut);
    assertEquals(1.0, (double) ownTopicWords / topicWords, 1e-12, "topic words come from the item's cluster");
    assertTrue((double) topicWords / (n * 30.0) > 0.6, "topic share " + topicWords / (n * 30.0));

    // Features: an item is nearer its own cluster's mean feature than any other cluster's.
    int f = ds.featureDim();
    double[][] mean = new double[SPEC.clusters()][f];
    int[] size = new int[SPEC.clusters()];
    for (int v = 0; v < ds.itemCount(); v++) {
      int c = g.itemCluster()[v];
      size[c]++;
      for (int d = 0; d < f; d++) {
        mean[c][d] += ds.itemFeatures(v)[d];
      }
    }
    int nearestOwn = 0;
    for (int v = 0; v < ds.itemCount(); v++) {
      int best = -1;
      double bestDist = Double.MAX_VALUE;
      for (int c = 0; c < SPEC.clusters(); c++) {
        double dist = 0;
        for (int d = 0; d < f; d++) {
          double diff = ds.itemFeatures(v)[d] - mean[c][d] / size[c];
          dist += diff * diff;
        }
        if (dist < bestDist) {
          bestDist = dist;
          best = c;
        }
      }
      nearestOwn += best == g.itemCluster()[v] ? 1 : 0;
    }
    assertTrue(nearestOwn >= 0.95 * ds.itemCount(), nearestOwn + " of " + ds.itemCount());
  }

  @Test
  void shouldWriteLetterOnlyTopicWords() {
    assertEquals("topicbcxd", SyntheticData.topicWord(12, 3));
    assertEquals("topicaxa", SyntheticData.topicWord(0, 0));
    Dataset.Builder b = new Dataset.Builder("t");
    b.add("u", "i", 5, SyntheticData.topicWord(12, 3) + " " + SyntheticData.topicWord(123, 45), 0);
    assertEquals(List.of("topicbcxd", "topicbcdxef"), AmazonReviewReaderTest.words(b.build(), 0));
  }

  @Test
  void shouldGenerateWithoutTextOrFeaturesWhenAskedTo() {
    Dataset ds = SyntheticData.generate(SyntheticSpec.defaults().withWordsPerReview(0).withUsers(50), 3);
    assertEquals(0, ds.reviewCount());
    assertEquals(0, ds.featureDim());
    assertNull(ds.itemFeatures(0));
    assertTrue(ds.interactions().stream().noneMatch(Interaction::hasReview));
  }

  @Test
  void shouldFillSmallClustersWithoutDuplicates() {
    // 4 items per cluster and 10 interactions per user: most must come from other clusters.
    Dataset ds = SyntheticData.generate(new SyntheticSpec(20, 12, 3, 10, 0, 5), 4);
    assertEquals(200, ds.interactions().size());
    Set<Long> pairs = new HashSet<>();
    ds.interactions().forEach(x -> assertTrue(pairs.add((long) x.user() << 32 | x.item())));
  }

  @Test
  void shouldValidateTheSpec() {
    assertEquals(new SyntheticSpec(500, 300, 10, 20, 0, 30), SyntheticSpec.defaults());
    assertThrows(IllegalArgumentException.class, () -> new SyntheticSpec(0, 300, 10, 20, 0, 30));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticSpec(5, 8, 10, 2, 0, 30));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticSpec(5, 30, 0, 2, 0, 30));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticSpec(5, 30, 3, 31, 0, 30));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticSpec(5, 30, 3, 0, 0, 30));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticSpec(5, 30, 3, 3, -1, 30));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticSpec(5, 30, 3, 3, 0, -1));
  }
}
