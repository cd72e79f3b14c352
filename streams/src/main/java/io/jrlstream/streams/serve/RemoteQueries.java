package io.jrlstream.streams.serve;

import io.jrlstream.core.serve.Query;
import io.jrlstream.core.serve.Recommendations;
import io.jrlstream.core.serve.ServeException;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Asks another serving instance (the one that owns a user) for its answer. Implemented by the HTTP layer;
 * implementations must be thread-safe and mark the request as forwarded so the owner does not forward again.
 */
@FunctionalInterface
public interface RemoteQueries {
  /**
   * @throws ServeException the owner's own error (bad query, not ready), or
   *     {@link ServeException.RemoteFailure} when it could not be reached
   */
  Recommendations recommend(HostInfo owner, String user, Query q);
}
