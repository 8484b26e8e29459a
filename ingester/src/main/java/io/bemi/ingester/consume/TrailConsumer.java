package io.bemi.ingester.consume;

import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.store.RangeSummarizer;
import io.bemi.sql.Migrations;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code consume}: a member of a Kafka consumer group that stores the change events of its
 * partitions into a destination's {@code changes}, exactly once. Offsets live in the destination
 * ({@link TrailWriter}), written with the changes; on every assignment the consumer seeks to them,
 * so Kafka's own committed offsets are only informative (for lag tools). Instances scale out by
 * joining the same group. Any failure closes consumer and connection and starts over from the
 * stored offsets after a backoff.
 */
public final class TrailConsumer {

  private static final Logger LOG = LoggerFactory.getLogger(TrailConsumer.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /**
   * @param topics a regular expression over topic names (the Kafka sink's are {@code prefix.schema.table})
   * @param clientProperties Kafka client properties (bootstrap.servers, security, …)
   */
  public record Settings(PostgresUrl destination, String schema, String group, Pattern topics,
      Map<String, String> clientProperties, int maxPollRecords) {}

  private final Settings settings;
  private final AtomicLong stored = new AtomicLong();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean stopRequested;
  private volatile KafkaConsumer<byte[], byte[]> consumer;

  public TrailConsumer(Settings settings) {
    this.settings = settings;
  }

  /** Changes this consumer stored (replays not counted). */
  public long stored() {
    return stored.get();
  }

  public void stop() {
    stopRequested = true;
    KafkaConsumer<byte[], byte[]> current = consumer;
    if (current != null) {
      current.wakeup();
    }
  }

  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Consumes until {@link #stop()}, retrying outages of Kafka and the destination. */
  public void run() throws InterruptedException {
    try {
      Migrations.migrate(settings.destination().dataSource(), settings.schema());
      Duration backoff = Duration.ofSeconds(1);
      while (!stopRequested) {
        try {
          session();
          return;
        } catch (SQLException | KafkaException e) {
          if (stopRequested) {
            return;
          }
          LOG.warn("Consuming failed: {}; starting over from the stored offsets in {} s", e.toString(),
              backoff.toSeconds());
          Thread.sleep(backoff.toMillis());
          backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
      }
    } finally {
      stopped.countDown();
    }
  }

  private void session() throws SQLException {
    try (TrailWriter writer = new TrailWriter(settings.destination().connect(), settings.schema(), settings.group());
         RangeSummarizer summarizer = RangeSummarizer.start(settings.destination(), settings.schema(),
             RangeSummarizer.INTERVAL);
         KafkaConsumer<byte[], byte[]> kafka = new KafkaConsumer<>(consumerProperties())) {
      consumer = kafka;
      kafka.subscribe(settings.topics(), new SeekToStoredOffsets(kafka, writer));
      LOG.info("Consuming topics /{}/ as group {} into {} (schema {})", settings.topics(), settings.group(),
          settings.destination(), settings.schema());
      while (!stopRequested) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = kafka.poll(Duration.ofMillis(500));
        } catch (WakeupException e) {
          break;
        }
        if (!records.isEmpty()) {
          stored.addAndGet(writer.store(records));
          kafka.commitAsync(); // informative only: the destination's offsets are the ones that count
        }
      }
    } catch (SeekFailed e) {
      throw e.getCause();
    } finally {
      consumer = null;
    }
  }

  private Properties consumerProperties() {
    Properties properties = new Properties();
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxPollRecords());
    properties.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "10000"); // new tables' topics join within seconds
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.putAll(settings.clientProperties());
    return properties;
  }

  /** On assignment: continue each partition where the destination says, or from its beginning. */
  private static final class SeekToStoredOffsets implements ConsumerRebalanceListener {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TrailWriter writer;

    SeekToStoredOffsets(KafkaConsumer<byte[], byte[]> consumer, TrailWriter writer) {
      this.consumer = consumer;
      this.writer = writer;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      try {
        Map<TopicPartition, Long> offsets = writer.storedOffsets(partitions);
        for (TopicPartition partition : partitions) {
          Long next = offsets.get(partition);
          if (next == null) {
            consumer.seekToBeginning(java.util.List.of(partition));
          } else {
            consumer.seek(partition, next);
          }
        }
        LOG.info("Assigned {} partitions; {} resume from stored offsets", partitions.size(), offsets.size());
      } catch (SQLException e) {
        throw new SeekFailed(e);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // every poll's records are stored (or not) before the next poll: nothing is in flight here
    }
  }

  /** A destination failure inside the rebalance callback, carried out of poll(). */
  private static final class SeekFailed extends KafkaException {
    private static final long serialVersionUID = 1L;

    SeekFailed(SQLException cause) {
      super(cause);
    }

    @Override
    public synchronized SQLException getCause() {
      return (SQLException) super.getCause();
    }
  }
}
