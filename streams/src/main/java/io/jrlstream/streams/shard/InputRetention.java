package io.jrlstream.streams.shard;

import io.jrlstream.streams.train.KafkaEventHistory;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what a task of a sharded view no longer needs from its two input partitions (docs/scaling.md "What part 3
 * built", retention). Partition i of the by-user topic and of the update topic is read by task i alone, live and by
 * its restore; a restore loads the task's committed checkpoint and re-reads from the positions the checkpoint
 * records. So once a checkpoint is durable, the records before its positions can go, and both topics, created to keep
 * everything, stop growing with the history (at s = 1 a round's delta on the Beauty pairs is about 80 KB per event:
 * one pass filled 47 GB of disk).
 *
 * <p>Durable: the checkpoint is complete in the task's store when its last row is written, and committed with the
 * Kafka transaction that follows. Its task commits its input offsets in the same transactions, so a committed offset
 * of either partition beyond the position the task had read when the checkpoint completed proves that the
 * checkpoint's transaction committed; until then nothing is deleted (a crash before would restore the previous
 * checkpoint, whose positions are earlier).
 *
 * <p>Called on the task's stream thread; the Kafka implementation never blocks it (its admin calls complete on the
 * admin client's thread). Thread-safe.
 */
public interface InputRetention extends AutoCloseable {
  /** Keeps everything (tests, and a task that has no checkpoint yet). */
  InputRetention NONE = (applicationId, partition, checkpoint) -> { };

  /**
   * A task's committed-in-its-store checkpoint: the positions it restores from, and the positions the task had read
   * when the checkpoint completed.
   *
   * @param deltasFrom the first update-topic offset its restore re-reads
   * @param eventsFrom the first by-user offset its restore re-reads
   * @param deltasRead the update-topic offset after the last one read when the checkpoint completed
   * @param eventsRead the by-user offset after the last one read when the checkpoint completed
   */
  record Checkpoint(long deltasFrom, long eventsFrom, long deltasRead, long eventsRead) {}

  /**
   * Deletes the records of partition {@code partition} of both topics before {@code checkpoint}'s positions, once
   * the checkpoint is durable; otherwise does nothing (the caller asks again later).
   */
  void trim(String applicationId, int partition, Checkpoint checkpoint);

  @Override
  default void close() {}

  /**
   * On the cluster: the application's committed offsets are read, and the records deleted, through an admin client
   * made at the first call (and again after {@link #close}).
   */
  static InputRetention kafka(Properties cluster, String byUserTopic, String deltasTopic) {
    return new Kafka(KafkaEventHistory.clusterProperties(cluster), byUserTopic, deltasTopic);
  }

  /** The Kafka implementation: asynchronous, at most one request in flight per partition. */
  final class Kafka implements InputRetention {
    private static final Logger LOG = LoggerFactory.getLogger(InputRetention.class);
    private final Properties client;
    private final String byUser;
    private final String deltas;
    /** Per partition: the checkpoint trimmed, or being trimmed (no second request for the same one). */
    private final Map<Integer, Checkpoint> asked = new ConcurrentHashMap<>();
    private Admin admin;

    private Kafka(Properties client, String byUser, String deltas) {
      this.client = client;
      this.byUser = byUser;
      this.deltas = deltas;
    }

    private synchronized Admin admin() {
      if (admin == null) {
        admin = Admin.create(client);
      }
      return admin;
    }

    @Override
    public void trim(String applicationId, int partition, Checkpoint c) {
      if (c.equals(asked.get(partition)) || c.deltasFrom() <= 0 && c.eventsFrom() <= 0) {
        return;
      }
      asked.put(partition, c);
      TopicPartition e = new TopicPartition(byUser, partition);
      TopicPartition u = new TopicPartition(deltas, partition);
      Admin a = admin();
      a.listConsumerGroupOffsets(Map.of(applicationId, new ListConsumerGroupOffsetsSpec().topicPartitions(List.of(e,
          u)))).partitionsToOffsetAndMetadata(applicationId).whenComplete((committed, failure) -> {
            OffsetAndMetadata ce = failure == null ? committed.get(e) : null;
            OffsetAndMetadata cu = failure == null ? committed.get(u) : null;
            if (!(ce != null && ce.offset() > c.eventsRead() || cu != null && cu.offset() > c.deltasRead())) {
              asked.remove(partition, c); // not durable yet (or the offsets could not be read): ask again later
              return;
            }
            a.deleteRecords(Map.of(e, RecordsToDelete.beforeOffset(c.eventsFrom()), u,
                RecordsToDelete.beforeOffset(c.deltasFrom()))).all().whenComplete((done, f) -> {
                  if (f != null) {
                    asked.remove(partition, c);
                    LOG.warn("{} and {}: deleting the records before the checkpoint's positions ({}, {}) failed; "
                        + "retrying at the next checkpoint or check", e, u, c.eventsFrom(), c.deltasFrom(), f);
                  } else {
                    LOG.debug("{} and {}: records before offsets {} and {} deleted", e, u, c.eventsFrom(),
                        c.deltasFrom());
                  }
                });
          });
    }

    @Override
    public synchronized void close() {
      if (admin != null) {
        admin.close();
        admin = null;
      }
    }
  }
}
