package io.jrlstream.streams.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.core.eval.PopularitySoFar;
import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.eval.ViewRankSource;
import io.jrlstream.core.train.StreamingTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A view's live prequential quality (issue 12; DESIGN.md §1 "Evaluation", last paragraph): before a sampled event
 * trains, its item is ranked for its user among the items the view knows that the user has not had, with the
 * view's current vectors — and with popularity since the task started, on the same events, so that an operator
 * sees at once whether the model beats it. The same {@link PrequentialMeter} as {@code jrl evaluate --protocol
 * prequential}; events are sampled every {@link TrainingOptions.Quality#sampleEvery()}-th sequence number, so the
 * same events on every run.
 *
 * <p>Each closed window is reported to the {@link TrainingObserver} (metrics, serving, {@code jrl local}) and logged
 * (at most once a minute at INFO); the totals are also reported every 1,000 events in between. The meters are not part
 * of the checkpoint: after a restart they count afresh,
 * and popularity counts the events since the task started. Owned by the processor, on its stream thread.
 *
 * <p>A task of a sharded view ({@code streams.shard}) runs one on its own trainer: sequence numbers, windows and
 * sampling are then the task's own events'.
 */
public final class LiveQuality {
  private static final Logger LOG = LoggerFactory.getLogger(LiveQuality.class);
  private static final long LOG_EVERY_MS = 60_000;
  /** The totals go to the observer at every window's close and, in between, every this many events. */
  private static final long REPORT_EVERY = 1_000;

  private final String view;
  private final StreamingTrainer trainer;
  private final TrainingObserver observer;
  private final PrequentialMeter model;
  private final PrequentialMeter popular;
  private final PopularitySoFar popularity = new PopularitySoFar(0);
  private final ViewRankSource source;
  private long lastLogMs;

  /**
   * @param view the view's name, as reported
   * @param trainer the trainer whose view ranks (before each sampled event trains)
   * @param settings sampling and window ({@code sampleEvery} above 0)
   * @param observer told of every closed window and, in between, of the totals every 1,000 events
   */
  public LiveQuality(String view, StreamingTrainer trainer, TrainingOptions.Quality settings,
      TrainingObserver observer) {
    this.view = view;
    this.trainer = trainer;
    this.observer = observer;
    this.source = new ViewRankSource(trainer.view());
    PrequentialMeter.Settings s = new PrequentialMeter.Settings(10, settings.window(), 0, settings.sampleEvery());
    this.popular = new PrequentialMeter(s, null);
    this.model = new PrequentialMeter(s, this::closed);
  }

  /**
   * Measures x before the trainer takes it (an event the view accepts), then counts it for popularity.
   */
  public void measure(Interaction x) {
    long sequence = trainer.sequence();
    // Both meters first close a window that sequence lies beyond, popularity's first, so that a closed model
    // window is reported with popularity's over the same events.
    popular.advanceTo(sequence);
    int itemsKnown = trainer.view().items().size();
    model.measure(sequence, source, x.user(), x.item(), trainer.sampler()::interacted, itemsKnown);
    popular.measure(sequence, popularity, x.user(), x.item(), trainer.sampler()::interacted, itemsKnown);
    popularity.add(x.user(), x.item());
    if (sequence % REPORT_EVERY == REPORT_EVERY - 1) {
      observer.quality(view, model.snapshot(), popular.snapshot());
    }
  }

  /** The model's totals since the task started and its last closed window (any thread). */
  PrequentialMeter.Snapshot latest() {
    return model.latest();
  }

  private void closed(PrequentialMeter.Window w) {
    PrequentialMeter.Snapshot m = model.snapshot();
    PrequentialMeter.Snapshot p = popular.snapshot();
    observer.quality(view, m, p);
    long now = System.currentTimeMillis();
    boolean info = now - lastLogMs >= LOG_EVERY_MS;
    if (info) {
      lastLogMs = now;
    }
    if (info || LOG.isDebugEnabled()) {
      String line = String.format("view %s: live quality over events %,d-%,d: NDCG@10 %.4f HR@10 %.4f (%d ranked); "
          + "popularity since start %.4f / %.4f; since start %.4f / %.4f against %.4f / %.4f", view,
          w.firstSequence(), w.firstSequence() + model.settings().window() - 1, w.ndcg(), w.hitRate(), w.ranked(),
          p.last() == null ? 0 : p.last().ndcg(), p.last() == null ? 0 : p.last().hitRate(), m.ndcg(), m.hitRate(),
          p.ndcg(), p.hitRate());
      if (info) {
        LOG.info(line);
      } else {
        LOG.debug(line);
      }
    }
  }
}
