package io.jrlstream.streams.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jrlstream.core.eval.PrequentialMeter;
import io.jrlstream.core.train.StreamingTrainer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingObserverTest {
  /** Writes each call it gets, prefixed with its name, to a shared log. */
  private record Recorder(String name, List<String> log) implements TrainingObserver {
    @Override
    public void restored(String view, long nanos, long eventsRead, long retrained) {
      log.add(name + " restored " + view + " " + nanos + " " + eventsRead + " " + retrained);
    }

    @Override
    public void batchApplied(String view, StreamingTrainer trainer, int events, long timestamp,
        boolean checkpointDue) {
      log.add(name + " batch " + view + " " + events + " " + timestamp + " " + checkpointDue);
    }

    @Override
    public void published(String view, int users, int items) {
      log.add(name + " published " + view + " " + users + " " + items);
    }

    @Override
    public void checkpointCommitted(String view, int rows, long bytes) {
      log.add(name + " checkpoint " + view + " " + rows + " " + bytes);
    }

    @Override
    public void quality(String view, PrequentialMeter.Snapshot model, PrequentialMeter.Snapshot popularity) {
      log.add(name + " quality " + view + " " + model.ranked() + " " + popularity.ranked());
    }
  }

  @Test
  void shouldTellEveryObserverEachCallInOrder() {
    List<String> log = new ArrayList<>();
    TrainingObserver[] observers = {new Recorder("a", log), new Recorder("b", log)};
    TrainingObserver all = TrainingObserver.all(observers);
    observers[1] = TrainingObserver.NONE; // the observer keeps its own copy
    PrequentialMeter.Snapshot model = new PrequentialMeter.Snapshot(3, 2, 1, 0.5, 0, 0, 0, null);
    PrequentialMeter.Snapshot pop = new PrequentialMeter.Snapshot(3, 1, 0, 0.0, 0, 0, 0, null);

    all.restored("review", 7, 8, 9);
    all.batchApplied("review", null, 64, 1000L, true);
    all.published("review", 5, 6);
    all.checkpointCommitted("review", 10, 400L);
    all.quality("review", model, pop);

    assertEquals(List.of("a restored review 7 8 9", "b restored review 7 8 9", "a batch review 64 1000 true",
        "b batch review 64 1000 true", "a published review 5 6", "b published review 5 6",
        "a checkpoint review 10 400", "b checkpoint review 10 400", "a quality review 2 1", "b quality review 2 1"),
        log);
  }

  @Test
  void shouldIgnoreEverythingWithoutObservers() {
    TrainingObserver none = TrainingObserver.all();
    none.published("review", 1, 2); // nothing to tell, nothing thrown
    none.checkpointCommitted("review", 1, 2L);
  }
}
