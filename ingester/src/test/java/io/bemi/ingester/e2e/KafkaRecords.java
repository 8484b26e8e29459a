package io.bemi.ingester.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** What a read_committed consumer sees on topics: records with key and value parsed as JSON. */
final class KafkaRecords {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Event(String topic, int partition, long offset, JsonNode key, JsonNode value) {}

  private KafkaRecords() {}

  /**
   * Reads the topics matching {@code topics} from the beginning (a fresh group) until at least
   * {@code expected} records arrived and then nothing more for a second, or {@code timeout}.
   */
  static List<Event> readCommitted(String bootstrapServers, String topics, int expected, Duration timeout)
      throws Exception {
    Properties properties = new Properties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "500");
    properties.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    properties.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<Event> events = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
      consumer.subscribe(Pattern.compile(topics));
      long deadline = System.nanoTime() + timeout.toNanos();
      long quietSince = System.nanoTime();
      while (System.nanoTime() < deadline) {
        var batch = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> record : batch) {
          events.add(new Event(record.topic(), record.partition(), record.offset(), parse(record.key()),
              parse(record.value())));
        }
        if (!batch.isEmpty()) {
          quietSince = System.nanoTime();
        } else if (events.size() >= expected && System.nanoTime() - quietSince > Duration.ofSeconds(1).toNanos()) {
          break;
        }
      }
    }
    return events;
  }

  private static JsonNode parse(byte[] bytes) throws Exception {
    return bytes == null ? null : JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
  }
}
