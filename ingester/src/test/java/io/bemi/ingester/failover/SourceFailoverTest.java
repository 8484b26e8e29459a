package io.bemi.ingester.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.bemi.ingester.Ingester;
import io.bemi.ingester.IngesterConfig;
import io.bemi.ingester.IngesterMetrics;
import io.bemi.ingester.PostgresUrl;
import io.bemi.ingester.replication.SetupMissingException;
import io.bemi.ingester.setup.SourceSetup;
import io.bemi.test.PrimaryAndStandby;
import io.bemi.test.TestDatabase;
import io.bemi.test.WithPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The source fails over for real: a primary and a streaming standby, the ingester reading through
 * a URL that names both, a writer whose every committed row (with its context) is the ledger, the
 * primary stopped and the standby promoted while the ingester streams. The trail lives in a
 * separate destination (a fresh database per test), which survives the failover.
 */
@WithPostgres
@Tag("replication")
class SourceFailoverTest {

  private static final String DB = "app";

  @Test
  void withAFailoverSlotThePromotedStandbyResumesFromTheCheckpointLosingAndDuplicatingNothing(
      TestDatabase db) throws Exception {
    TestDatabase destination = db.createSibling("failover_slot");
    try (PrimaryAndStandby pair = PrimaryAndStandby.start()) {
      assumeThat(pair.majorVersion()).as("failover slots need PostgreSQL 17+").isGreaterThanOrEqualTo(17);
      prepareSource(pair, true);
      Ingester ingester = ingester(pair, destination);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread thread = start(ingester, failure);
      try {
        write(pair, 1, 200);
        awaitStored(destination, 200, failure);
        write(pair, 201, 400); // not waited for: the ingester is mid-stream when the primary goes
        PrimaryAndStandby.await(() -> slotSyncedOnStandby(pair), Duration.ofSeconds(90),
            "the failover slot is synchronized to the standby");
        pair.awaitStandbyReplayed();
        pair.failOver();
        write(pair, 401, 600); // on the new primary
        awaitStored(destination, 600, failure);
      } finally {
        ingester.stop();
        thread.join(30_000);
      }
      assertThat(failure.get()).isNull();
      assertLedger(destination, 600);
      assertThat(destination.queryLong("SELECT count(*) FROM bemi.gaps")).isZero();
      assertThat(destination.queryLong("SELECT timeline FROM bemi.ingester_checkpoints")).isEqualTo(2);
    }
  }

  @Test
  void withoutAFailoverSlotTheIngesterStopsAndRecordsTheGapFromItsLastStoredCommit(TestDatabase db)
      throws Exception {
    TestDatabase destination = db.createSibling("no_failover_slot");
    try (PrimaryAndStandby pair = PrimaryAndStandby.start()) {
      prepareSource(pair, false); // as on PostgreSQL 14-16: the standby has no copy of the slot
      try (Connection standby = pair.connectStandby(DB)) { // setup given the standby's URL by mistake
        assertThatThrownBy(() -> SourceSetup.requirePrimary(standby))
            .hasMessageStartingWith("The source is a standby").hasMessageContaining("run setup against the primary");
      }
      Ingester ingester = ingester(pair, destination);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread thread = start(ingester, failure);
      write(pair, 1, 100);
      awaitStored(destination, 100, failure);
      long lastStoredCommit = destination.queryLong("SELECT commit_lsn FROM bemi.ingester_checkpoints");
      pair.awaitStandbyReplayed();
      pair.failOver();
      write(pair, 101, 150); // committed on the new primary before any slot exists there: the gap
      thread.join(120_000);

      assertThat(failure.get()).isInstanceOf(SetupMissingException.class)
          .hasMessageContaining("GAP IN THE TRAIL").hasMessageContaining("setup --snapshot");
      try (Connection c = destination.connect(); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT start_lsn, end_lsn, timeline FROM bemi.gaps")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(lastStoredCommit);
        assertThat(rs.getObject(2)).as("open until a new slot streams").isNull();
        assertThat(rs.getInt(3)).isEqualTo(2);
      }
      assertLedger(destination, 100);
    }
  }

  private static void prepareSource(PrimaryAndStandby pair, boolean failoverSlot) throws Exception {
    try (Connection c = pair.connectPrimary("postgres"); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + DB);
    }
    try (Connection c = pair.connectPrimary(DB); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE ledger (id bigint PRIMARY KEY, note text)");
      SourceSetup.execute(c, SourceSetup.setupStatements(c,
          SourceSetup.trackedTables(c, "bemi", List.of(), List.of()), "bemi", "bemi"));
      if (failoverSlot) {
        FailoverSlots.enable(PostgresUrl.parse(pair.jdbcUrl(DB)), c, "bemi");
        assertThat(FailoverSlots.isFailoverSlot(c, "bemi")).isTrue();
      }
    }
  }

  private static Ingester ingester(PrimaryAndStandby pair, TestDatabase destination) {
    IngesterConfig config = IngesterConfig.defaults(PostgresUrl.parse(pair.jdbcUrl(DB)),
        PostgresUrl.parse(destination.uri()), "bemi", "bemi", "bemi");
    return new Ingester(config, new IngesterMetrics(), Clock.systemUTC(), Duration.ofSeconds(3));
  }

  private static Thread start(Ingester ingester, AtomicReference<Throwable> failure) {
    Thread thread = new Thread(() -> {
      try {
        ingester.run();
      } catch (Throwable t) {
        failure.set(t);
      }
    }, "failover-ingester");
    thread.start();
    return thread;
  }

  /** One transaction per row, each with its own context ({"seq": id}), through the URL naming both hosts. */
  private static void write(PrimaryAndStandby pair, long from, long to) throws Exception {
    try (Connection c = java.sql.DriverManager.getConnection(pair.jdbcUrl(DB))) {
      c.setAutoCommit(false);
      try (PreparedStatement message = c.prepareStatement(
               "SELECT pg_logical_emit_message(true, '_bemi', json_build_object('seq', ?::bigint)::text)");
           PreparedStatement insert = c.prepareStatement("INSERT INTO ledger VALUES (?, 'row')")) {
        for (long id = from; id <= to; id++) {
          message.setLong(1, id);
          message.execute();
          insert.setLong(1, id);
          insert.executeUpdate();
          c.commit();
        }
      }
    }
  }

  private static boolean slotSyncedOnStandby(PrimaryAndStandby pair) {
    try (Connection c = pair.connectStandby("postgres"); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT synced AND NOT temporary FROM pg_replication_slots "
             + "WHERE slot_name = 'bemi'")) {
      return rs.next() && rs.getBoolean(1);
    } catch (SQLException e) {
      return false;
    }
  }

  private static void awaitStored(TestDatabase destination, long rows, AtomicReference<Throwable> failure) {
    PrimaryAndStandby.await(() -> {
      if (failure.get() != null) {
        throw new AssertionError("The ingester failed", failure.get());
      }
      try {
        return destination.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'ledger'") >= rows;
      } catch (SQLException e) {
        return false;
      }
    }, Duration.ofSeconds(120), rows + " changes stored");
  }

  /** Rows 1..n stored once each, each with the context its transaction emitted. */
  private static void assertLedger(TestDatabase destination, long n) throws SQLException {
    assertThat(destination.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'ledger'")).isEqualTo(n);
    assertThat(destination.queryLong("SELECT count(DISTINCT primary_key) FROM bemi.changes WHERE \"table\" = 'ledger'"
        + " AND primary_key::bigint BETWEEN 1 AND " + n)).isEqualTo(n);
    assertThat(destination.queryLong("SELECT count(*) FROM bemi.changes WHERE \"table\" = 'ledger'"
        + " AND (context->>'seq')::bigint IS DISTINCT FROM primary_key::bigint")).isZero();
  }
}
