/**
 * Typed configuration of the streaming application.
 *
 * <p>{@link io.jrlstream.streams.config.StreamsSettings} is the validated record every topology builder
 * takes; {@link io.jrlstream.streams.config.SettingKey} documents each configuration key with its
 * default in one place; {@link io.jrlstream.streams.config.TopicSpec} names a topic with the partitions
 * and replication factor it is created with. All are immutable and thread-safe; invalid settings fail
 * on construction with an {@link java.lang.IllegalArgumentException} that names the key.
 */
package io.jrlstream.streams.config;
