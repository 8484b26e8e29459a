package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.e2e.KafkaRecords.Event;
import io.bemi.ingester.setup.SourceSetup.TrackedTable;
import io.bemi.ingester.sink.kafka.KafkaBaseline;
import io.bemi.ingester.sink.kafka.KafkaSink;
import io.bemi.ingester.sink.kafka.KafkaSinkSettings;
import io.bemi.ingester.snapshot.BaselineSnapshot;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.bemi.test.kafka.KafkaBrokers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code run --sink kafka} and {@code setup --snapshot --sink kafka} in-process against one KRaft broker. */
@WithPostgres
@Tag("replication")
class KafkaSinkTest {

  private static KafkaBrokers kafka;

  @BeforeAll
  static void startKafka() {
    kafka = KafkaBrokers.start(1);
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  private static KafkaSinkSettings settings(String prefix) {
    return new KafkaSinkSettings(kafka.bootstrapServers(), prefix, null, prefix + ".checkpoints", null, "lz4",
        Duration.ofMinutes(1), Map.of());
  }

  private static IngesterHarness start(TestDatabase db, KafkaSinkSettings settings) throws Exception {
    return start(db, settings, new IngesterMetrics());
  }

  private static IngesterHarness start(TestDatabase db, KafkaSinkSettings settings, IngesterMetrics metrics)
      throws Exception {
    return IngesterHarness.start(db, null, c -> c, metrics, KafkaSink.factory(settings, PostgresUrl.parse(db.uri())));
  }

  @Test
  void whileStreamingToKafkaTheIngesterIsTheLeaderAndNamesItsSource(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE marks (id int PRIMARY KEY)");
    io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry =
        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    IngesterMetrics metrics = new IngesterMetrics(registry);
    String prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    try (IngesterHarness ingester = IngesterHarness.start(db, null, c -> c, metrics,
        KafkaSink.factory(settings(prefix), PostgresUrl.parse(db.uri()), null, registry))) {
      db.execute("INSERT INTO marks VALUES (1)");
      ingester.awaitCaughtUp();
      // /health/leader and the alerts on bemi_ingester_leader and _role read these
      assertThat(metrics.leadership().role()).isEqualTo(io.bemi.ingester.leader.Role.LEADER);
      assertThat(registry.scrape()).contains("bemi_ingester_leader{").contains("bemi_ingester_source{source=\""
          + db.queryValue("SELECT system_identifier FROM pg_control_system()") + "/" + db.name() + "\"} 1")
          // the producer's own meters, for a broker outage to show before the producer gives up
          .contains("kafka_producer_connection_count{").contains("kafka_producer_record_error_total{")
          .contains("kafka_producer_record_send_total{");
    }
    assertThat(registry.scrape()).as("a closed sink's producer leaves no meters behind").doesNotContain("kafka_producer_");
  }

  @Test
  void changesArriveAsDebeziumEnvelopesWithTheirContextAndPrimaryKey(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE orders (id int PRIMARY KEY, note text)");
    String prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    try (IngesterHarness ingester = start(db, settings(prefix))) {
      db.execute("BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"user\": \"ada\"}');"
          + " INSERT INTO orders VALUES (1, 'new'); UPDATE orders SET note = 'paid' WHERE id = 1; COMMIT",
          "DELETE FROM orders WHERE id = 1");
      ingester.awaitCaughtUp();
    }
    List<Event> events = KafkaRecords.readCommitted(kafka.bootstrapServers(), prefix + "\\.public\\.orders", 3,
        Duration.ofSeconds(30));

    assertThat(events).extracting(e -> e.value().get("op").asText()).containsExactly("c", "u", "d");
    assertThat(events).extracting(e -> e.key().toString()).containsOnly("{\"id\":1}");
    Event created = events.get(0);
    assertThat(created.value().get("before").isNull()).isTrue();
    assertThat(created.value().get("after").toString()).isEqualTo("{\"id\":1,\"note\":\"new\"}");
    assertThat(created.value().get("context").toString()).isEqualTo("{\"user\":\"ada\"}");
    assertThat(created.value().get("source").get("connector").asText()).isEqualTo("bemi");
    assertThat(created.value().get("source").get("table").asText()).isEqualTo("orders");
    assertThat(created.value().get("source").get("db").asText()).isEqualTo(db.name());
    assertThat(created.value().get("bemi").get("change_index").asInt()).isZero();
    assertThat(events.get(1).value().get("bemi").get("commit_lsn").asLong())
        .isEqualTo(created.value().get("bemi").get("commit_lsn").asLong());
    assertThat(events.get(2).value().get("after").isNull()).isTrue();
    assertThat(events.get(2).value().get("context").toString()).isEqualTo("{}");
  }

  @Test
  void aRowLargerThanARecordMayBeIsPublishedWithItsLargestValueAsSizeAndHashAndTheStreamGoesOn(TestDatabase db)
      throws Exception {
    db.execute("CREATE TABLE pages (id int PRIMARY KEY, body text)");
    String prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    KafkaSinkSettings settings = settings(prefix);
    long limit = settings.rowLimit(0, 65536); // what run derives from the default max.request.size (1 MB)
    assertThat(limit).isBetween(400_000L, 500_000L);
    try (IngesterHarness ingester = IngesterHarness.start(db, null, c -> c.withMaxRowBytes(limit), new IngesterMetrics(),
        KafkaSink.factory(settings, PostgresUrl.parse(db.uri())))) {
      db.execute("INSERT INTO pages VALUES (1, repeat('x', 2000000))", "INSERT INTO pages VALUES (2, 'next')");
      ingester.awaitCaughtUp();
    }
    List<Event> events = KafkaRecords.readCommitted(kafka.bootstrapServers(), prefix + "\\.public\\.pages", 2,
        Duration.ofSeconds(30));

    // keyed by id, the two events may sit in different partitions: read them by id, not by order
    Map<Integer, com.fasterxml.jackson.databind.JsonNode> byId = new java.util.HashMap<>();
    events.forEach(e -> byId.put(e.value().get("after").get("id").asInt(), e.value().get("after")));
    assertThat(byId.get(1).get("body").get("_bemi_unparsed").get("bytes").asLong()).isEqualTo(2_000_000);
    assertThat(byId.get(2).toString()).isEqualTo("{\"id\":2,\"body\":\"next\"}");
  }

  @Test
  void aRestartResumesAfterTheCheckpointCommittedInKafka(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE items (id int PRIMARY KEY)");
    String prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    KafkaSinkSettings settings = settings(prefix);
    try (IngesterHarness ingester = start(db, settings)) {
      db.execute("INSERT INTO items SELECT generate_series(1, 50)");
      ingester.awaitCaughtUp();
    }
    db.execute("INSERT INTO items SELECT generate_series(51, 80)");
    try (IngesterHarness ingester = start(db, settings)) {
      ingester.awaitCaughtUp();
    }
    List<Event> events = KafkaRecords.readCommitted(kafka.bootstrapServers(), prefix + "\\.public\\.items", 80,
        Duration.ofSeconds(30));

    assertThat(events).extracting(e -> e.key().get("id").asInt()).doesNotHaveDuplicates().hasSize(80);
  }

  @Test
  void oneTopicTakesEveryTableWhenConfigured(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE a (id int PRIMARY KEY)", "CREATE TABLE b (k text, n int, PRIMARY KEY (k, n))");
    String prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    try (IngesterHarness ingester = start(db, settings(prefix).withSingleTopic(prefix + "-all"))) {
      db.execute("INSERT INTO a VALUES (1)", "INSERT INTO b VALUES ('x', 2)");
      ingester.awaitCaughtUp();
    }
    List<Event> events = KafkaRecords.readCommitted(kafka.bootstrapServers(), prefix + "-all", 2,
        Duration.ofSeconds(30));

    assertThat(events).extracting(e -> e.key().toString()).containsExactlyInAnyOrder("{\"id\":1}",
        "{\"k\":\"x\",\"n\":2}");
  }

  @Test
  void theBaselineIsPublishedOnceAsReadEventsPerTableEvenWhenACopyWasCutShort(TestDatabase source) throws Exception {
    TestDatabase db = source.createSibling("baseline_kafka");
    List<TrackedTable> tracked = SinkBaselines.prepare(db);
    String prefix = "t" + UUID.randomUUID().toString().substring(0, 8);
    KafkaBaseline target = new KafkaBaseline(settings(prefix), PostgresUrl.parse(db.uri()), "baseline_kafka");
    try {
      // items is copied first and cut short after its first row: its Kafka transaction is aborted
      assertThatThrownBy(() -> SinkBaselines.snapshot(db, "baseline_kafka", target, 1).run(tracked))
          .hasMessageContaining("cut short");
      BaselineSnapshot.Result resumed = SinkBaselines.snapshot(db, "baseline_kafka", target, 0).run(tracked);
      BaselineSnapshot.Result again = SinkBaselines.snapshot(db, "baseline_kafka", target, 0).run(tracked);

      assertThat(resumed.tablesCopied()).isEqualTo(2);
      assertThat(again.tablesSkipped()).isEqualTo(2);
      assertThat(again.tablesCopied()).isZero();
    } finally {
      db.execute("SELECT pg_drop_replication_slot('baseline_kafka')");
    }
    List<Event> events = KafkaRecords.readCommitted(kafka.bootstrapServers(), prefix + "\\.public\\..+", 5,
        Duration.ofSeconds(30));
    assertThat(events).hasSize(5);
    assertThat(events).extracting(e -> e.value().get("op").asText()).containsOnly("r");
    assertThat(events).extracting(e -> e.value().get("source").get("snapshot").asText()).containsOnly("true");
    assertThat(events).extracting(e -> e.value().get("bemi").get("operation").asText()).containsOnly("SNAPSHOT");
    assertThat(events).extracting(e -> e.value().get("before").isNull()).containsOnly(true);
    assertThat(events).extracting(e -> e.value().get("bemi").get("change_index").asInt())
        .containsExactlyInAnyOrder(0, 1, 2, 3, 4);
    assertThat(events.stream().filter(e -> e.topic().equals(prefix + ".public.items"))
        .map(e -> e.key() + " " + e.value().get("after")).sorted())
        // the row in column order, as the stream publishes the table's changes
        .containsExactly("{\"sku\":\"a\",\"n\":1} {\"sku\":\"a\",\"n\":1}",
            "{\"sku\":\"b\",\"n\":2} {\"sku\":\"b\",\"n\":2}");
    assertThat(events.stream().filter(e -> e.topic().equals(prefix + ".public.orders")).map(e -> e.key().toString()))
        .containsExactlyInAnyOrder("{\"id\":1}", "{\"id\":2}", "{\"id\":3}");
  }
}
