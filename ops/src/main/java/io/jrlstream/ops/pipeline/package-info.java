/** The trainer application on Kafka: pipeline start-up, data set producer, progress counting, benchmark support. */
package io.jrlstream.ops.pipeline;
