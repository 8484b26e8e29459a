package io.bemi.dashboard.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.bemi.dashboard.Main;
import io.bemi.dashboard.Trail;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.time.Clock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** /health and /metrics answer probes and Prometheus without the token. */
@WithPostgres
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OperationsTest {

  private TestDatabase db;

  @BeforeAll
  void trail(TestDatabase db) throws Exception {
    this.db = db;
    new Trail(db).story();
  }

  @Test
  void health_answers_up_without_a_token_while_the_changes_table_answers() {
    TestApp.test(db, (server, client) -> {
      var response = client.get("/health");
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).isEqualTo("{\"status\":\"UP\"}");
    });
  }

  @Test
  void health_answers_503_with_the_reason_when_the_changes_table_is_missing() {
    Services missingTable = Main.services(TestApp.destination(db), null, "no_such_schema", TestApp.TOKEN, null, Clock.systemUTC());
    TestApp.test(DashboardApp.create(missingTable), (server, client) -> {
      var response = client.get("/health");
      assertThat(response.code()).isEqualTo(503);
      assertThat(response.body().string()).contains("\"status\":\"DOWN\"",
          "the changes table is not there (check --schema, and that the ingester has set up the destination) "
              + "(SQL state 42P01)").doesNotContain("no_such_schema");
    });
  }

  @Test
  void health_reads_the_changes_table_at_most_once_a_second_however_often_it_is_asked() throws Exception {
    TestApp.test(db, (server, client) -> {
      long first = System.nanoTime();
      assertThat(client.get("/health").code()).isEqualTo(200);
      db.execute("ALTER TABLE bemi.changes RENAME TO changes_away");
      try {
        int again = client.get("/health").code();
        if (System.nanoTime() - first < 800_000_000L) {
          assertThat(again).as("asked again within the second: the first answer").isEqualTo(200);
        }
        Thread.sleep(1_100);
        assertThat(client.get("/health").code()).as("a second later: read again").isEqualTo(503);
      } finally {
        db.execute("ALTER TABLE bemi.changes_away RENAME TO changes");
      }
      Thread.sleep(1_100);
      assertThat(client.get("/health").code()).isEqualTo(200);
    });
  }

  @Test
  void health_does_not_pile_up_probes_behind_a_destination_that_hangs() throws Exception {
    TestApp.test(db, (server, client) -> {
      assertThat(client.get("/health").code()).isEqualTo(200);
      Thread.sleep(1_100);
      try (java.sql.Connection locker = db.connect()) {
        locker.setAutoCommit(false);
        locker.createStatement().execute("LOCK TABLE bemi.changes IN ACCESS EXCLUSIVE MODE");
        var hung = java.util.concurrent.CompletableFuture.supplyAsync(() -> client.get("/health").code());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (db.queryLong("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            + " AND datname = current_database()") == 0) { // until the hung probe waits for the table
          assertThat(System.nanoTime()).as("the probe reached the locked table").isLessThan(deadline);
          Thread.sleep(20);
        }
        long started = System.nanoTime();
        assertThat(client.get("/health").code()).as("the last answer, not a second reading").isEqualTo(200);
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms").isLessThan(1_000);
        assertThat(hung).isNotDone();
        locker.rollback();
        assertThat(hung.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
      }
    });
  }

  @Test
  void metrics_are_prometheus_text_with_the_dashboards_requests_and_the_jvm_without_a_token() {
    TestApp.test(db, (server, client) -> {
      client.get("/health");
      var response = client.get("/metrics");
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).contains("bemi_dashboard_requests_seconds_count", "jvm_memory_used_bytes");
    });
  }

  @Test
  void the_pages_still_need_the_token() {
    TestApp.test(db, (server, client) -> assertThat(client.get("/api/changes").code()).isEqualTo(401));
  }
}
