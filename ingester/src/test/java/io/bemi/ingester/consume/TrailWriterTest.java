package io.bemi.ingester.consume;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.PostgresUrl;
import io.bemi.sql.Migrations;
import io.bemi.test.PlantedOperators;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** What {@code consume} stores of hand-built Kafka records, without a broker. */
@WithPostgres
class TrailWriterTest {

  /** The change event of a one-row transaction at {@code commitLsn}, as the Kafka sink publishes it. */
  private static ConsumerRecord<byte[], byte[]> event(long offset, long commitLsn, Instant committedAt) {
    String json = """
        {"before": null, "after": {"id": %d}, "context": {},
         "source": {"name": "shop", "db": "shop", "schema": "public", "table": "orders", "txId": 7, "lsn": %d},
         "bemi": {"primary_key": "%d", "operation": "CREATE", "committed_at": "%s", "queued_at": "%s",
                  "commit_lsn": %d, "change_index": 0, "source": "eu"}}"""
        .formatted(commitLsn, commitLsn, commitLsn, committedAt, Instant.now(), commitLsn);
    return new ConsumerRecord<>("shop.public.orders", 0, offset, null, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void anEventCommittedBeyondThePartitionsTheDestinationCreatesIsQuarantinedAndConsumingGoesOn(TestDatabase db)
      throws Exception {
    Migrations.migrate(db.dataSource(), "bemi");
    Instant now = Instant.now();

    try (TrailWriter writer = new TrailWriter(db.connect(), "bemi", "trail")) {
      int stored = writer.store(List.of(event(0, 100, now), event(1, 200, Instant.parse("2126-01-01T00:00:00Z")),
          event(2, 300, now)));
      assertThat(stored).isEqualTo(2);
    }

    assertThat(db.queryValue("SELECT string_agg(primary_key, ',' ORDER BY commit_lsn) FROM bemi.changes")).isEqualTo("100,300");
    assertThat(db.queryValue("SELECT primary_key || ' ' || committed_at::date || ' ' || sql_state || ' ' || source"
        + " FROM bemi.quarantine")).isEqualTo("200 2126-01-01 23514 eu");
    assertThat((String) db.queryValue("SELECT error FROM bemi.quarantine")).contains("after the last partition of changes");
    assertThat(db.queryLong("SELECT next_offset FROM bemi.consumer_offsets WHERE group_id = 'trail'")).isEqualTo(3);
  }

  @Test
  void theConsumersSessionDoesNotRunOperatorsPlantedInPublic(TestDatabase shared) throws Exception {
    TestDatabase db = shared.createSibling("planted");
    Migrations.migrate(db.dataSource(), "bemi");
    PlantedOperators.plant(db);
    Instant now = Instant.now();

    try (TrailWriter writer = new TrailWriter(PostgresUrl.parse(db.uri()).connect(), "bemi", "trail")) {
      assertThat(writer.store(List.of(event(0, 100, now)))).isEqualTo(1);
      assertThat(writer.storedOffsets(List.of(new org.apache.kafka.common.TopicPartition("shop.public.orders", 0))))
          .containsValue(1L);
    }

    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(1);
    PlantedOperators.probe(db);
    assertThat(PlantedOperators.ranIn(db, "probe")).isNotNull();
    assertThat(PlantedOperators.ranIn(db, "bemi-ingester")).isNull();
  }
}
