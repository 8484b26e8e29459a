package io.bemi.ingester.sink.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.sink.SinkUnavailableException;
import io.bemi.test.kafka.KafkaBrokers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Two ingesters with one transactional id: the fenced one stops instead of retrying (which would
 * fence the other in turn, for ever); a producer the client properties cannot build stops too.
 */
@Tag("replication")
class KafkaFencingTest {

  private static KafkaSinkSettings settings(String bootstrap, Map<String, String> clientProperties) {
    return new KafkaSinkSettings(bootstrap, "fence", null, "fence.checkpoints", null, "lz4", Duration.ofMinutes(1),
        clientProperties);
  }

  @Test
  void theFencedIngesterStopsNamingTheOtherInsteadOfRetrying() throws Exception {
    try (KafkaBrokers kafka = KafkaBrokers.start(1)) {
      KafkaSinkSettings settings = settings(kafka.bootstrapServers(), Map.of());
      KafkaProducer<byte[], byte[]> older = KafkaSink.transactionalProducer(settings, "fence-tx");
      KafkaProducer<byte[], byte[]> newer = KafkaSink.transactionalProducer(settings, "fence-tx");
      try {
        assertThatThrownBy(() -> KafkaSink.kafka("committing", () -> {
          older.beginTransaction();
          older.send(new ProducerRecord<>("fence.public.t", "v".getBytes(StandardCharsets.UTF_8)));
          older.commitTransaction();
          return null;
        })).isInstanceOf(IllegalStateException.class).isNotInstanceOf(SinkUnavailableException.class)
            .hasMessageContaining("was fenced").hasMessageContaining("another ingester with the same transactional id");
      } finally {
        older.close(Duration.ZERO);
        newer.close(Duration.ZERO);
      }
    }
  }

  @Test
  void clientPropertiesThatCannotBuildAProducerStopItWithTheCause() {
    KafkaSinkSettings settings = settings("127.0.0.1:1", Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN"));

    assertThatThrownBy(() -> KafkaSink.transactionalProducer(settings, "broken"))
        .isInstanceOf(IllegalStateException.class).isNotInstanceOf(SinkUnavailableException.class)
        .hasMessageContaining("cannot be created with these client properties").hasMessageContaining("sasl.jaas.config");
  }
}
