package io.jrlstream.core.eval;

/**
 * What a user has interacted with so far: the items a prequential ranking leaves out (DESIGN.md §1
 * "Evaluation", last paragraph). The streaming trainer's {@code NegativeSampler::interacted} is one; a primitive
 * interface so that asking allocates nothing.
 *
 * <p>Implementations are read by the thread that measures, between the updates of the thread that trains (the
 * same thread in the trainer and in the prequential protocol).
 */
@FunctionalInterface
public interface InteractedItems {
  /** True when {@code user} has interacted with {@code item} before the event being measured. */
  boolean interacted(int user, int item);
}
