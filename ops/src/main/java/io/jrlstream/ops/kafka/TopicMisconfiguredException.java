package io.jrlstream.ops.kafka;

import io.jrlstream.streams.config.TopicSpec;
import java.util.List;

/**
 * Thrown by {@link TopicAdmin#ensureTopics} when topics exist with settings that differ from their
 * {@link TopicSpec}. The message names every such topic with the expected and actual values; {@link
 * #problems()} gives the same lines one per mismatch.
 */
public class TopicMisconfiguredException extends KafkaOpsException {

  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  /**
   * @param problems one line per mismatch, e.g. {@code "topic 'reviews': partitions expected 3,
   *     actual 1"}; not empty
   */
  public TopicMisconfiguredException(List<String> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /** @return one line per mismatch, in the order of the specs given to {@code ensureTopics} */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a misconfiguration needs at least one problem");
    }
    return problems.size() + " topic setting(s) differ from the configuration (fix the topics or"
        + " the configuration; topics are never altered automatically):\n  "
        + String.join("\n  ", problems);
  }
}
