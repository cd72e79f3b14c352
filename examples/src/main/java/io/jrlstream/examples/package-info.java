/**
 * Producer examples for docs/producers.md: {@link io.jrlstream.examples.ProduceEvents} writes the trainer's input
 * events with the published schemas jar. The Python example lives beside this module in {@code python/}; the tests
 * run both against the embedded broker and the trainer.
 */
package io.jrlstream.examples;
