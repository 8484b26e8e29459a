package io.bemi.ingester.sink.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bemi.sql.Lsn;
import io.bemi.ingester.store.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The ingesters' checkpoints in Kafka: a compacted topic of one partition, keyed by transactional
 * id, value {@code {"commit_lsn": N, "end_lsn": N, "committed_at": ISO}} (and the baseline
 * snapshot's progress, see {@link KafkaBaseline}). The sink writes its
 * record inside the Kafka transaction that holds the batch, so it is visible to a read_committed
 * reader exactly when the batch is: reading it back on start is reading what Kafka holds.
 */
final class KafkaCheckpoints {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(2);

  private KafkaCheckpoints() {}

  static ProducerRecord<byte[], byte[]> record(String topic, String owner, Checkpoint checkpoint) {
    String value = "{\"commit_lsn\":" + checkpoint.commitLsn().value() + ",\"end_lsn\":" + checkpoint.endLsn().value()
        + ",\"committed_at\":\"" + checkpoint.committedAt() + "\"}";
    return record(topic, owner, value);
  }

  /** Creates the compacted topic when it does not exist (a cluster without auto-creation needs this). */
  static void ensureTopic(Properties client, String topic) {
    try (Admin admin = Admin.create(client)) {
      NewTopic newTopic = new NewTopic(topic, java.util.Optional.of(1), java.util.Optional.empty())
          .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      admin.createTopics(List.of(newTopic)).all().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RetriableException retriable) {
        throw retriable; // the broker is not there yet: an outage, retried
      }
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("Cannot create the checkpoint topic " + topic + ": " + e.getCause()
            + "; create it (1 partition, cleanup.policy=compact) or grant CREATE on it", e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted creating " + topic, e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new org.apache.kafka.common.errors.TimeoutException("Creating " + topic + " timed out", e);
    }
  }

  /**
   * The latest committed checkpoint of {@code owner}, read with read_committed up to the end the
   * partition had when reading started (waiting while other writers' transactions are open).
   */
  static Checkpoint read(Properties client, String topic, String owner) {
    JsonNode latest = latest(client, topic, owner::equals).get(owner);
    if (latest == null) {
      return null;
    }
    return new Checkpoint(Lsn.of(latest.get("commit_lsn").asLong()), Lsn.of(latest.get("end_lsn").asLong()),
        Instant.parse(latest.get("committed_at").asText()));
  }

  /** A record of the checkpoint topic in the Kafka transaction that publishes what it describes. */
  static ProducerRecord<byte[], byte[]> record(String topic, String key, String json) {
    return new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8), json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The latest committed value of each key {@code keys} accepts, read with read_committed up to the
   * end the partition had when reading started (waiting while other writers' transactions are open).
   */
  static Map<String, JsonNode> latest(Properties client, String topic, Predicate<String> keys) {
    Properties properties = new Properties();
    properties.putAll(client);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    TopicPartition partition = new TopicPartition(topic, 0);
    Map<String, JsonNode> latest = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long end = highWatermark(client, partition);
      long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
      while (consumer.position(partition) < end) {
        if (System.nanoTime() > deadline) {
          throw new org.apache.kafka.common.errors.TimeoutException("Reading checkpoints from " + topic
              + " did not reach offset " + end + " within " + READ_TIMEOUT.toSeconds() + " s (a transaction open?)");
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
          if (key != null && keys.test(key)) {
            if (record.value() == null) {
              latest.remove(key);
            } else {
              latest.put(key, JSON.readTree(record.value()));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("A checkpoint in " + topic + " is not JSON: " + e, e);
    }
    return latest;
  }

  /** The partition's log end (read_uncommitted): everything written before we started reading. */
  private static long highWatermark(Properties client, TopicPartition partition) {
    Properties properties = new Properties();
    properties.putAll(client);
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
      return consumer.endOffsets(List.of(partition)).get(partition);
    }
  }
}
