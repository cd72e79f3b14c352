/**
 * {@code jrl replay}: bounded backfills that train a view, or a new version of one, from the retained validated
 * topic while the live pipeline keeps training and serving ({@link io.jrlstream.ops.replay.Replay}), and the
 * compacted control topic that records each view's versions and the one serving should use
 * ({@link io.jrlstream.ops.replay.ViewVersions}), which serving follows with a
 * {@link io.jrlstream.ops.replay.ViewVersionsWatcher} (the topic's key: {@link io.jrlstream.ops.replay.ReplayKeys}).
 * DESIGN.md §2 "Extendability".
 */
package io.jrlstream.ops.replay;
