/**
 * Typed configuration: the one settings layer of every module.
 *
 * <p>A {@link io.jrlstream.streams.config.Setting} declares one key once: its name, type, default, allowed values
 * and meaning. Each module declares the keys it reads in keys classes beside the code that reads them
 * ({@link io.jrlstream.streams.config.StreamsKeys} here: cluster, topics, input limits; {@code TrainingKeys},
 * {@code ImageKeys}, {@code ServeKeys} in their packages; the ops module's own), grouped in
 * {@link io.jrlstream.streams.config.SettingGroup}s and joined into a {@link io.jrlstream.streams.config.Catalog}.
 * A {@link io.jrlstream.streams.config.Configuration} holds what a run was given, in layers (default, file,
 * environment, command line, each {@link io.jrlstream.streams.config.Origin} overriding the ones before), and is the
 * one reader: every error names the key, the value and where it came from. The typed records are built from it and
 * validated in their constructors: {@link io.jrlstream.streams.config.StreamsSettings} (cluster, topics, pass-through
 * Kafka properties), {@link io.jrlstream.streams.config.Limits}, {@code TrainingOptions}, {@code RocksDbBounds},
 * {@code ImageSettings}, {@code ServeSettings}. {@link io.jrlstream.streams.config.ConfigurationTemplate} writes a
 * catalog as a properties file that loads as is; {@link io.jrlstream.streams.config.TopicSpec} is the one topic
 * type (name, partitions, replication, topic configs).
 *
 * <p>Everything here is immutable and thread-safe except {@code Configuration.Builder}.
 */
package io.jrlstream.streams.config;
