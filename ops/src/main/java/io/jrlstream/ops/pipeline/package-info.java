/** The trainer application on Kafka: pipeline start-up, data set producer, progress counting. */
package io.jrlstream.ops.pipeline;
