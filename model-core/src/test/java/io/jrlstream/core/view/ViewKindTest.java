package io.jrlstream.core.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Dataset;
import io.jrlstream.core.data.SyntheticData;
import io.jrlstream.core.data.SyntheticSpec;
import io.jrlstream.core.view.review.ReviewView;
import java.util.List;
import org.junit.jupiter.api.Test;

class ViewKindTest {
  @Test
  void shouldListEveryViewOnceByTheNameItsClassDeclares() {
    assertEquals(List.of(CollaborativeView.NAME, ReviewView.NAME, RatingView.NAME, ImageView.NAME), ViewKind.names());
    assertEquals(ViewKind.names(), ModelConfig.VIEW_NAMES);
    for (ViewKind k : ViewKind.values()) {
      assertSame(k, ViewKind.of(k.viewName()));
      assertSame(k, ViewKind.ofModel(k.model()));
    }
    assertEquals("bpr", ViewKind.COLLABORATIVE.model());
    assertNull(ViewKind.ofModel("ejrl"));
  }

  @Test
  void shouldCreateEachViewWithItsOwnConfigurationAndName() {
    ModelConfig config = ModelConfig.defaults().withSeed(3).mapViews(v -> v.withDim(8)).withImageFeatureDim(16);
    Dataset d = SyntheticData.generate(new SyntheticSpec(10, 12, 2, 3, 16, 2), 1L);
    for (ViewKind k : ViewKind.values()) {
      View v = ViewFactory.create(k.viewName(), config, d);
      assertEquals(k.viewName(), v.name());
      assertEquals(config.view(k.viewName()), v.config());
    }
  }

  @Test
  void shouldKeepTheDocumentedDefaultsAndStreamSettingsTogether() {
    for (ViewKind k : ViewKind.values()) {
      assertEquals(k.defaults(), ViewConfig.defaults(k.viewName()));
      assertEquals(k.streamDefaults(), k.defaults().stream());
      assertEquals(k.streamDefaults(), StreamSettings.defaults(k.viewName()));
    }
    assertTrue(ViewKind.REVIEW.readsTexts());
    assertFalse(ViewKind.RATING.readsTexts());
    assertEquals(ViewKind.Input.STARRED_INTERACTIONS, ViewKind.RATING.input());
  }

  @Test
  void shouldRefuseAnUnknownViewNamingTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ViewKind.of("reviews"));
    assertEquals("unknown view 'reviews' (known: collaborative, review, rating, image)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ViewConfig.defaults("bogus"));
  }

  @Test
  void shouldTellWhichViewsADataSetFeeds() {
    Dataset pairsOnly = SyntheticData.generate(new SyntheticSpec(10, 12, 2, 3, 0, 2), 1L);
    assertTrue(ViewKind.COLLABORATIVE.hasData(pairsOnly));
    assertFalse(ViewKind.IMAGE.hasData(pairsOnly));
  }
}
