package io.jrlstream.ops.kafka;

import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The producing child of {@link TransactionCrashTest}: commits {@code committed} records, one
 * transaction each, then opens a transaction, writes {@code pending} records and flushes them to the
 * broker, prints {@code PENDING-FLUSHED} and waits to be halted (at most 60 s; it then halts itself,
 * still without committing).
 *
 * <p>Arguments: {@code bootstrapServers topic transactionalId committed pending}.
 */
public final class TransactionalProducerMain {

  static final String READY_MARKER = "PENDING-FLUSHED";

  private TransactionalProducerMain() {}

  public static void main(String[] args) throws InterruptedException {
    String topic = args[1];
    int committed = Integer.parseInt(args[3]);
    int pending = Integer.parseInt(args[4]);
    Map<String, Object> config = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0],
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, args[2],
        ProducerConfig.CLIENT_ID_CONFIG, "crash-child-" + args[2]);
    KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    producer.initTransactions();
    for (int i = 0; i < committed; i++) {
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i));
      producer.commitTransaction();
    }
    producer.beginTransaction();
    for (int i = 0; i < pending; i++) {
      producer.send(new ProducerRecord<>(topic, "k" + i, "pending-" + i));
    }
    producer.flush();
    System.out.println(READY_MARKER);
    System.out.flush();
    Thread.sleep(60_000);
    Runtime.getRuntime().halt(9);
  }
}
