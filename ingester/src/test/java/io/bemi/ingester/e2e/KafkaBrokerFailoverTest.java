package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.e2e.KafkaRecords.Event;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.sink.kafka.KafkaSink;
import io.bemi.ingester.sink.kafka.KafkaSinkSettings;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.bemi.test.kafka.KafkaBrokers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** One of three brokers stops mid-stream and comes back: read_committed consumers miss and repeat nothing. */
@WithPostgres
@Tag("replication")
class KafkaBrokerFailoverTest {

  @Test
  void aBrokerStoppedMidStreamLosesAndDuplicatesNothing(TestDatabase db) throws Exception {
    LedgerWriter.createTable(db);
    try (KafkaBrokers kafka = KafkaBrokers.start(3)) {
      KafkaSinkSettings settings = new KafkaSinkSettings(kafka.bootstrapServers(), "failover", null,
          "failover.checkpoints", null, "lz4", Duration.ofMinutes(1), Map.of());
      long rows;
      try (IngesterHarness ingester = IngesterHarness.start(db, null, c -> c, new IngesterMetrics(),
          KafkaSink.factory(settings, PostgresUrl.parse(db.uri())))) {
        LedgerWriter writer = LedgerWriter.start(db, 5);
        Thread.sleep(3000);
        int broker = kafka.brokerIds().get(0);
        kafka.stopBroker(broker);
        Thread.sleep(5000);
        kafka.startBroker(broker);
        Thread.sleep(2000);
        rows = writer.stop();
        ingester.awaitCaughtUp();
      }
      List<Event> events = KafkaRecords.readCommitted(kafka.bootstrapServers(), "failover\\.public\\.ledger",
          (int) rows, Duration.ofSeconds(120));

      assertThat(rows).isGreaterThan(50);
      List<Long> ids = events.stream().map(e -> e.value().get("after").get("id").asLong()).toList();
      assertThat(ids).doesNotHaveDuplicates().hasSize((int) rows);
      assertThat(events).allMatch(e -> e.value().get("context").get("seq").asLong()
          == e.value().get("after").get("seq").asLong());
    }
  }
}
