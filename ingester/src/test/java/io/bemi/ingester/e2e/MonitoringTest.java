package io.bemi.ingester.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.http.HttpEndpoints;
import io.bemi.ingester.monitor.SlotMonitor;
import io.bemi.sql.Lsn;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Heartbeats, slot sampling, /metrics and /health of a running ingester, against the real server. */
@WithPostgres
@Tag("replication")
class MonitoringTest {

  private static PrometheusMeterRegistry registry;
  private static IngesterHarness harness;
  private static HttpEndpoints http;

  @BeforeAll
  static void start(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE pings (id int PRIMARY KEY, note text)");
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    harness = IngesterHarness.start(db, null, c -> c.withMonitoring(
        new SlotMonitor.Settings(Duration.ofMillis(200), Duration.ofMillis(200), 1024)), new IngesterMetrics(registry));
    http = HttpEndpoints.start("127.0.0.1", 0, harness.metrics(), registry, 60);
    harness.awaitCaughtUp();
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
    harness.close();
  }

  @Test
  void heartbeatsKeepTheSlotUpWithWalOfAnotherDatabaseAndAreNeitherStoredNorMalformed(TestDatabase db)
      throws Exception {
    IngesterMetrics metrics = harness.metrics();
    long storedBefore = metrics.changesStored();
    long heartbeatsBefore = metrics.heartbeatsReceived();
    TestDatabase other = db.createSibling("busy");
    other.execute("CREATE TABLE noise (id int, filler text)");
    for (int i = 0; i < 10; i++) {
      other.execute("INSERT INTO noise SELECT g, repeat('x', 500) FROM generate_series(1, 1000) g");
    }
    Lsn written = Lsn.parse((String) db.queryValue("SELECT pg_current_wal_lsn()::text"));

    await(() -> confirmedFlush(db).compareTo(written) >= 0, "confirmed_flush_lsn reaches " + written);
    await(() -> metrics.heartbeatsReceived() >= heartbeatsBefore + 2, "heartbeats read back from the slot");

    assertThat(metrics.heartbeatsEmitted()).isPositive();
    assertThat(metrics.changesStored()).isEqualTo(storedBefore);
    assertThat(metrics.malformedContextMessages()).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" <> 'pings'")).isZero();
  }

  @Test
  void metricsShowStoredChangesByTableAndOperationWithBytesTimingsAndLag(TestDatabase db) throws Exception {
    db.execute("INSERT INTO pings SELECT g, 'n' FROM generate_series(1, 30) g",
        "UPDATE pings SET note = 'm' WHERE id <= 5",
        "DELETE FROM pings WHERE id > 28");
    harness.awaitCaughtUp();
    await(() -> harness.metrics().slotPosition() != null, "a slot sample");

    String metrics = get("/metrics").body();
    assertThat(metrics)
        .contains("bemi_ingester_table_changes_stored_total{operation=\"CREATE\",schema=\"public\",table=\"pings\"} 30.0")
        .contains("bemi_ingester_table_changes_stored_total{operation=\"UPDATE\",schema=\"public\",table=\"pings\"} 5.0")
        .contains("bemi_ingester_table_changes_stored_total{operation=\"DELETE\",schema=\"public\",table=\"pings\"} 2.0");
    assertThat(value(metrics, "bemi_ingester_received_bytes_total")).isPositive();
    assertThat(value(metrics, "bemi_ingester_messages_received_total")).isPositive();
    assertThat(value(metrics, "bemi_ingester_decode_seconds_total")).isPositive();
    assertThat(value(metrics, "bemi_ingester_store_commit_seconds_count")).isPositive();
    assertThat(value(metrics, "bemi_ingester_transactions_stored_total")).isGreaterThanOrEqualTo(3);
    assertThat(value(metrics, "bemi_ingester_retained_wal_bytes")).isPositive();
    assertThat(value(metrics, "bemi_ingester_lag_bytes")).isGreaterThanOrEqualTo(0);
    assertThat(value(metrics, "bemi_ingester_lag_seconds")).isBetween(0.0, 30.0);
    assertThat(metrics).contains("bemi_ingester_heartbeats_received_total", "bemi_ingester_reconnects_total 0.0",
        "bemi_ingester_context_malformed_total 0.0", "jvm_memory_used_bytes");
  }

  @Test
  void readinessIsUpWhileStreamingWithASmallLag() throws Exception {
    await(() -> harness.metrics().slotPosition() != null, "a slot sample");
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(ready.body()).contains("\"streaming\":true");
    assertThat(get("/health").statusCode()).isEqualTo(200);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void readinessIsDownWhenTheLagExceedsTheThreshold() throws Exception {
    await(() -> harness.metrics().slotPosition() != null, "a slot sample");
    try (HttpEndpoints strict = HttpEndpoints.start("127.0.0.1", 0, harness.metrics(),
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), 1e-9)) {
      HttpResponse<String> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + strict.port() + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(503);
      assertThat(ready.body()).contains("\"streaming\":true", "\"maxLagSeconds\":0.0");
    }
  }

  private static Lsn confirmedFlush(TestDatabase db) {
    try {
      return Lsn.parse((String) db.queryValue(
          "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = 'bemi'"));
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Not within 60 s: " + what);
      }
      Thread.sleep(100);
    }
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + http.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static double value(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "(?:\\{[^}]*\\})? (\\S+)$").matcher(scrape);
    assertThat(m.find()).as("series " + series + " in\n" + scrape).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
