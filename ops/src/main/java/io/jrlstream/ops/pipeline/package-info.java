/**
 * The trainer application on Kafka: pipeline start-up, data set producer, progress counting; the health of the
 * instance's clients and its readiness gates (trainer lag); clean shutdown.
 */
package io.jrlstream.ops.pipeline;
