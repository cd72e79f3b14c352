package io.jrlstream.streams.train;

import io.jrlstream.core.data.Interaction;
import io.jrlstream.schemas.TrainingEvent;
import io.jrlstream.schemas.codec.AvroCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A view's reading of its input, the validated topic: decodes each record, keeps the events that feed the view
 * ({@link TrainingTopology#feeds}) and registers their content (ids, review texts, features) in the view's
 * {@link StreamContent}. The same code reads live records and the history a restore re-reads, so both see the same
 * interactions.
 *
 * <p>Owned by one training processor, on its stream thread; not thread-safe.
 */
final class ViewInput {
  private static final Logger LOG = LoggerFactory.getLogger(ViewInput.class);

  private final String view;
  private final StreamContent content;
  private final AvroCodec<TrainingEvent> codec = AvroCodec.of(TrainingEvent.class);
  private long undecodable;

  ViewInput(String view, StreamContent content) {
    this.view = view;
    this.content = content;
  }

  /**
   * The interaction an input record brings to the view (its ids registered in the view's content), or null when
   * the view does not learn from it. Undecodable bytes (the validated topic holds only what ingestion encoded, so
   * only a foreign writer puts them there) are skipped with a warning, the same way live and on restore.
   */
  Interaction interaction(long offset, byte[] value) {
    TrainingEvent e;
    try {
      e = codec.decode(value);
    } catch (RuntimeException ex) {
      if (undecodable++ == 0 || Long.bitCount(undecodable) == 1) {
        LOG.warn("view {}: skipping undecodable input at offset {} ({} so far): {}", view, offset, undecodable,
            ex.getMessage());
      }
      return null;
    }
    return TrainingTopology.feeds(view, e) ? content.apply(e) : null;
  }
}
