package io.jrlstream.ops.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.train.StreamingTrainer;
import io.jrlstream.core.view.ModelConfig;
import io.jrlstream.core.view.View;
import io.jrlstream.core.view.ViewFactory;
import io.jrlstream.streams.train.StreamContent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The training observer's meters, fed by a real trainer without Kafka. */
class TrainingMetricsTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private double value(String name, String view) {
    return registry.get(name).tag("view", view).meter().measure().iterator().next().getValue();
  }

  @Test
  void shouldRegisterEveryViewsMetersBeforeAnyBatch() {
    new TrainingMetrics(registry, List.of("review", "rating"));
    for (String view : List.of("review", "rating")) {
      assertEquals(0, registry.get("jrl.train.events").tag("view", view).counter().count());
      assertTrue(Double.isNaN(registry.get("jrl.train.loss").tag("view", view).gauge().value()));
      assertEquals(8, registry.get("jrl.quality.hr10").tag("view", view).gauges().size()
          + registry.get("jrl.quality.ndcg10").tag("view", view).gauges().size());
      assertEquals(0, registry.get("jrl.train.freshness").tag("view", view).timer().count());
    }
  }

  @Test
  void shouldCountBatchesEventsTablesFreshnessAndCheckpointsAsTheTrainerReportsThem() throws Exception {
    TrainingMetrics metrics = new TrainingMetrics(registry, List.of("collaborative"));
    View view = ViewFactory.create("collaborative", ModelConfig.defaults().mapViews(v -> v.withDim(4)),
        new StreamContent());
    StreamingTrainer trainer = new StreamingTrainer(view, 1, 4);
    long produced = System.currentTimeMillis() - 1500;
    int batches = 0;
    for (int i = 0; i < 10; i++) {
      if (trainer.accept(new Interaction(i % 3, i % 5, 4f, -1, i))) {
        batches++;
        metrics.batchApplied("collaborative", trainer, 4, produced, batches == 1);
      }
    }
    assertEquals(2, batches);
    assertEquals(8, registry.get("jrl.train.events").tag("view", "collaborative").counter().count());
    assertEquals(2, registry.get("jrl.train.batches").tag("view", "collaborative").counter().count());
    assertEquals(trainer.lastLoss(), value("jrl.train.loss", "collaborative"));
    assertEquals(3, registry.get("jrl.train.table.rows").tags("view", "collaborative", "table", "users").gauge()
        .value(), "users 0..2");
    assertEquals(view.items().size(), registry.get("jrl.train.table.rows").tags("view", "collaborative", "table",
        "items").gauge().value());
    assertTrue(Double.isNaN(value("jrl.train.vocabulary", "collaborative")), "no vocabulary but the review view's");
    // The collaborative default replays 96 past interactions per new one: 768 over the 8 events.
    assertEquals(768, trainer.replayed());
    assertEquals(768, registry.get("jrl.train.replayed").tag("view", "collaborative").functionCounter().count());
    assertEquals(768.0 / (768 + 8), value("jrl.train.replay.share", "collaborative"), 1e-12);

    metrics.published("collaborative", 3, 5);
    var freshness = registry.get("jrl.train.freshness").tag("view", "collaborative").timer();
    assertEquals(2, freshness.count(), "one sample per batch since the last publication");
    assertTrue(freshness.max(TimeUnit.MILLISECONDS) >= 1500, "from the record timestamp: " + freshness.max(
        TimeUnit.MILLISECONDS));
    metrics.published("collaborative", 0, 0);
    assertEquals(2, freshness.count(), "a publication without new batches adds no sample");
    assertEquals(3, registry.get("jrl.publish.vectors").tags("view", "collaborative", "kind", "user").counter()
        .count());
    assertEquals(5, registry.get("jrl.publish.vectors").tags("view", "collaborative", "kind", "item").counter()
        .count());

    Thread.sleep(20);
    metrics.checkpointCommitted("collaborative", 12, 3400);
    metrics.checkpointCommitted("collaborative", 3, 100); // no batch took it: rows count, no duration
    assertEquals(15, registry.get("jrl.checkpoint.rows").tag("view", "collaborative").counter().count());
    assertEquals(3500, registry.get("jrl.checkpoint.bytes").tag("view", "collaborative").counter().count());
    var duration = registry.get("jrl.checkpoint.duration").tag("view", "collaborative").timer();
    assertEquals(1, duration.count());
    assertTrue(duration.totalTime(TimeUnit.MILLISECONDS) >= 20, "from the batch that took it");

    metrics.restored("collaborative", 2_000_000_000L, 1000, 64);
    assertEquals(2, registry.get("jrl.restore.duration").tag("view", "collaborative").timer()
        .totalTime(TimeUnit.SECONDS), 1e-9);
    assertEquals(1000, registry.get("jrl.restore.events").tag("view", "collaborative").counter().count());
    assertEquals(64, registry.get("jrl.restore.retrained").tag("view", "collaborative").counter().count());
  }

  @Test
  void shouldReportTheLastWindowAndTheTotalsOfTheViewAndOfPopularity() {
    TrainingMetrics metrics = new TrainingMetrics(registry, List.of("review"));
    PrequentialMeter.Window w = new PrequentialMeter.Window(3, 30_000, 200, 50, 20.0);
    PrequentialMeter.Snapshot model = new PrequentialMeter.Snapshot(1000, 800, 100, 40.0, 5, 3, 7, w);
    PrequentialMeter.Snapshot popularity = new PrequentialMeter.Snapshot(1000, 800, 40, 16.0, 5, 3, 7,
        new PrequentialMeter.Window(3, 30_000, 200, 10, 4.0));
    metrics.quality("review", model, popularity);
    assertEquals(0.25, quality("jrl.quality.hr10", "view", "window"));
    assertEquals(0.1, quality("jrl.quality.ndcg10", "view", "window"));
    assertEquals(0.125, quality("jrl.quality.hr10", "view", "start"));
    assertEquals(0.05, quality("jrl.quality.ndcg10", "view", "start"));
    assertEquals(0.05, quality("jrl.quality.hr10", "popularity", "window"));
    assertEquals(0.02, quality("jrl.quality.ndcg10", "popularity", "window"));
    assertEquals(0.05, quality("jrl.quality.hr10", "popularity", "start"));
    assertEquals(0.02, quality("jrl.quality.ndcg10", "popularity", "start"));
  }

  private double quality(String name, String ranker, String over) {
    return registry.get(name).tags("view", "review", "ranker", ranker, "over", over).gauge().value();
  }
}
