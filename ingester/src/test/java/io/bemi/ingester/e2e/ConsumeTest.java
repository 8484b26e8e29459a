package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.consume.TrailConsumer;
import io.bemi.ingester.sink.kafka.KafkaSink;
import io.bemi.ingester.sink.kafka.KafkaSinkSettings;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.bemi.test.kafka.KafkaBrokers;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code consume}: Kafka → bemi.changes of another database, offsets stored with the changes. */
@WithPostgres
@Tag("replication")
class ConsumeTest {

  private static KafkaBrokers kafka;

  @BeforeAll
  static void startKafka() {
    kafka = KafkaBrokers.start(1);
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  private static IngesterHarness publish(TestDatabase source, String prefix) throws Exception {
    KafkaSinkSettings settings = new KafkaSinkSettings(kafka.bootstrapServers(), prefix, null,
        prefix + ".checkpoints", null, "lz4", Duration.ofMinutes(1), Map.of());
    return IngesterHarness.start(source, null, c -> c, new IngesterMetrics(),
        KafkaSink.factory(settings, PostgresUrl.parse(source.uri())));
  }

  private static TrailConsumer.Settings consumer(TestDatabase trail, String prefix) {
    return new TrailConsumer.Settings(PostgresUrl.parse(trail.uri()), "bemi", "g-" + prefix,
        Pattern.compile(prefix + "\\.[^.]+\\..+"), Map.of("bootstrap.servers", kafka.bootstrapServers()), 500);
  }

  private static void awaitCount(TestDatabase db, String sql, long expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    long count = -1;
    while (System.nanoTime() < deadline) {
      try {
        count = db.queryLong(sql);
      } catch (java.sql.SQLException notMigratedYet) {
        count = -1;
      }
      if (count >= expected) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("Expected " + expected + " from " + sql + ", got " + count);
  }

  @Test
  void theTrailGetsTheSameRowsTheDatabaseSinkWouldStore(TestDatabase source) throws Exception {
    TestDatabase trail = source.createSibling("trail_same_rows");
    source.execute("CREATE TABLE prices (id int PRIMARY KEY, amount numeric(30, 10), tags jsonb)");
    try (IngesterHarness ingester = publish(source, "p1")) {
      source.execute("BEGIN; SELECT pg_logical_emit_message(true, '_bemi', '{\"user\": \"ada\"}');"
          + " INSERT INTO prices VALUES (1, 12345678901234567890.1234567890, '{\"a\": [1.50, true]}');"
          + " UPDATE prices SET amount = 1.5 WHERE id = 1; COMMIT", "DELETE FROM prices");
      ingester.awaitCaughtUp();
    }
    TrailConsumer consumer = new TrailConsumer(consumer(trail, "p1"));
    Thread thread = new Thread(() -> {
      try {
        consumer.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    thread.start();
    try {
      awaitCount(trail, "SELECT count(*) FROM bemi.changes", 3);
    } finally {
      consumer.stop();
      thread.join(30_000);
    }

    assertThat(trail.queryValue("SELECT string_agg(operation || ' ' || primary_key || ' ' || before::text || ' ' "
        + "|| after::text || ' ' || context::text, ' | ' ORDER BY commit_lsn, change_index) FROM bemi.changes"))
        .isEqualTo("CREATE 1 {} {\"id\": 1, \"tags\": {\"a\": [1.50, true]}, "
            + "\"amount\": 12345678901234567890.1234567890}"
            + " {\"user\": \"ada\"} | UPDATE 1 {\"id\": 1, \"tags\": {\"a\": [1.50, true]}, "
            + "\"amount\": 12345678901234567890.1234567890} {\"id\": 1, \"tags\": {\"a\": [1.50, true]}, "
            + "\"amount\": 1.5000000000} {\"user\": \"ada\"} | DELETE 1 {\"id\": 1, \"tags\": {\"a\": [1.50, true]}, "
            + "\"amount\": 1.5000000000} {} {}");
    assertThat(trail.queryLong("SELECT count(DISTINCT commit_lsn) FROM bemi.changes")).isEqualTo(2);
    assertThat(trail.queryValue("SELECT database FROM bemi.changes LIMIT 1")).isEqualTo(source.name());
    assertThat(trail.queryValue("SELECT string_agg(DISTINCT source, ',') FROM bemi.changes"))
        .as("the source as the database sink names it, not the topic prefix")
        .isEqualTo(source.queryValue("SELECT system_identifier FROM pg_control_system()") + "/" + source.name());
    assertThat(trail.queryValue("SELECT string_agg(partition || ':' || next_offset, ',' ORDER BY partition) "
        + "FROM bemi.consumer_offsets WHERE group_id = 'g-p1' AND topic = 'p1.public.prices'"))
        .as("each partition's stored offset follows its last record")
        .isEqualTo(KafkaRecords.readCommitted(kafka.bootstrapServers(), "p1\\.public\\.prices", 3,
                Duration.ofSeconds(30)).stream()
            .collect(java.util.stream.Collectors.groupingBy(KafkaRecords.Event::partition, java.util.TreeMap::new,
                java.util.stream.Collectors.summarizingLong(KafkaRecords.Event::offset)))
            .entrySet().stream().map(e -> e.getKey() + ":" + (e.getValue().getMax() + 1))
            .collect(java.util.stream.Collectors.joining(",")));
  }

  @Test
  void killingOneOfTwoConsumersMidStreamLosesAndDuplicatesNothing(TestDatabase source) throws Exception {
    TestDatabase trail = source.createSibling("trail_rebalance");
    LedgerWriter.createTable(source);
    kafka.createTopics(6, "p2.public.ledger");
    File log = new File("target/consume-rebalance.log");
    log.delete();
    List<String> consume = List.of("consume", "--destination-url", trail.uri(), "--kafka-bootstrap-servers",
        kafka.bootstrapServers(), "--group", "g-p2", "--topics", "p2\\..+\\..+", "--max-poll-records", "50");
    try (IngesterHarness ingester = publish(source, "p2")) {
      LedgerWriter writer = LedgerWriter.start(source, 3);
      Process first = ChildCommand.start(log, consume);
      Process second = ChildCommand.start(log, consume);
      ChildCommand.awaitLog(log, "Assigned", 2);
      awaitCount(trail, "SELECT count(*) FROM bemi.changes", 200);
      first.destroyForcibly(); // kill -9 mid-stream: its partitions move to the second after the session timeout
      first.waitFor(10, TimeUnit.SECONDS);
      Thread.sleep(1000);
      long rows = writer.stop();
      ingester.awaitCaughtUp();
      awaitCount(trail, "SELECT count(*) FROM bemi.changes", rows);
      Thread.sleep(1000);
      second.destroy();
      second.waitFor(30, TimeUnit.SECONDS);

      assertThat(trail.queryLong("SELECT count(*) FROM bemi.changes")).isEqualTo(rows);
      assertThat(trail.queryLong("SELECT count(DISTINCT primary_key) FROM bemi.changes")).isEqualTo(rows);
      assertThat(trail.queryLong("SELECT count(*) FROM bemi.changes "
          + "WHERE (context->>'seq')::bigint IS DISTINCT FROM (after->>'seq')::bigint")).isZero();
      assertThat(trail.queryLong("SELECT count(*) FROM bemi.consumer_offsets WHERE group_id = 'g-p2'")).isEqualTo(6);
    }
  }
}
